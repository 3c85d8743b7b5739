import { describe, expect, it } from 'vitest';
import { includeObjectOf, wantsTable } from '../../services/api-server/table/negotiate.js';
import { toTable } from '../../services/api-server/table/table.js';
import { answerAsTable, checkTableRequest, tableWatchEncoder } from '../../services/api-server/table/serve.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiRequest } from '../../shared/client/api.js';
import { FakeClock } from '../../shared/runtime/clock.js';

const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const clock = new FakeClock(NOW);
const cm = (name: string, rv = '7'): any => ({
  kind: 'ConfigMap',
  apiVersion: 'v1',
  metadata: { name, namespace: 'default', resourceVersion: rv, labels: { env: 'prod' }, creationTimestamp: new Date(NOW - 3000).toISOString() },
  data: { a: '1' },
});
const get = (path: string, accept?: string, query: Record<string, string> = {}): ApiRequest => ({ method: 'GET', path, accept, query });

describe('wantsTable', () => {
  it('picks Table v1 from kubectl get’s Accept header', () => {
    expect(wantsTable(KUBECTL_GET)).toBe('v1');
  });

  it('picks v1beta1 when that is the first Table offered', () => {
    expect(wantsTable('application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json')).toBe('v1beta1');
  });

  it('answers plainly when JSON comes first or no Table is asked for', () => {
    expect(wantsTable(undefined)).toBeUndefined();
    expect(wantsTable('application/json')).toBeUndefined();
    expect(wantsTable('application/json, */*')).toBeUndefined();
    expect(wantsTable('application/vnd.kubernetes.protobuf,application/json')).toBeUndefined();
    expect(wantsTable('application/json,application/json;as=Table;v=v1;g=meta.k8s.io')).toBeUndefined();
  });

  it('skips representations it does not produce', () => {
    expect(wantsTable('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io')).toBe('v1');
    expect(wantsTable('application/json;as=Table;v=v2;g=meta.k8s.io,application/json')).toBeUndefined();
    expect(wantsTable('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io')).toBeUndefined();
  });
});

describe('includeObjectOf', () => {
  it('defaults to Metadata, accepts None/Object, refuses the rest with 400', () => {
    expect(includeObjectOf(undefined)).toBe('Metadata');
    expect(includeObjectOf('None')).toBe('None');
    expect(includeObjectOf('Object')).toBe('Object');
    expect(() => includeObjectOf('Everything')).toThrow(expect.objectContaining({ code: 400, reason: 'BadRequest' }));
  });
});

describe('toTable', () => {
  const r = resourceByPlural('configmaps');

  it('builds a meta.k8s.io/v1 Table with columns, cells and PartialObjectMetadata rows', () => {
    const t = toTable(r, [cm('a'), cm('b')], { clock, metadata: { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 } });
    expect(t).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 } });
    expect(t.columnDefinitions!.map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(t.rows.map((row) => row.cells)).toEqual([['a', 1, '3s'], ['b', 1, '3s']]);
    expect(t.rows[0]!.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm('a').metadata });
  });

  it('honours includeObject None and Object, and the v1beta1 version', () => {
    expect(toTable(r, [cm('a')], { clock, includeObject: 'None' }).rows[0]).toEqual({ cells: ['a', 1, '3s'] });
    const { kind, apiVersion, ...bare } = cm('a');
    expect(toTable(r, [bare], { clock, includeObject: 'Object' }).rows[0]!.object).toEqual(cm('a'));
    const beta = toTable(r, [cm('a')], { clock, version: 'v1beta1' });
    expect([beta.apiVersion, (beta.rows[0]!.object as any).apiVersion]).toEqual(['meta.k8s.io/v1beta1', 'meta.k8s.io/v1beta1']);
  });

  it('leaves the columns out on request and still lists no rows for no objects', () => {
    const t = toTable(r, [], { clock, withColumns: false });
    expect([t.columnDefinitions, t.rows]).toEqual([null, []]);
  });
});

describe('answerAsTable', () => {
  const list = { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '9' }, items: [cm('a')] };

  it('turns a list into a Table when asked, keeping the list resourceVersion', () => {
    const res = answerAsTable(get('/api/v1/namespaces/default/configmaps', KUBECTL_GET), { code: 200, body: list }, clock);
    expect(res.body).toMatchObject({ kind: 'Table', metadata: { resourceVersion: '9' }, rows: [{ cells: ['a', 1, '3s'] }] });
  });

  it('turns one object into a one-row Table carrying its resourceVersion', () => {
    const res = answerAsTable(get('/api/v1/namespaces/default/configmaps/a', KUBECTL_GET), { code: 200, body: cm('a', '15') }, clock);
    expect(res.body).toMatchObject({ kind: 'Table', metadata: { resourceVersion: '15' }, rows: [{ cells: ['a', 1, '3s'] }] });
  });

  it('leaves errors, plain requests, other verbs and subresources alone', () => {
    const status = { code: 404, body: { kind: 'Status', code: 404 } };
    expect(answerAsTable(get('/api/v1/namespaces/default/configmaps/x', KUBECTL_GET), status, clock)).toBe(status);
    const plain = { code: 200, body: list };
    expect(answerAsTable(get('/api/v1/namespaces/default/configmaps', 'application/json'), plain, clock)).toBe(plain);
    expect(answerAsTable({ ...get('/api/v1/namespaces/default/configmaps', KUBECTL_GET), method: 'POST' }, plain, clock)).toBe(plain);
    const scale = { code: 200, body: { kind: 'Scale', metadata: { name: 'kubia' } } };
    expect(answerAsTable(get('/api/v1/namespaces/default/replicationcontrollers/kubia/scale', KUBECTL_GET), scale, clock)).toBe(scale);
  });

  it('refuses a bad includeObject with 400', () => {
    expect(() => answerAsTable(get('/api/v1/namespaces/default/configmaps', KUBECTL_GET, { includeObject: 'All' }), { code: 200, body: list }, clock)).toThrow(
      expect.objectContaining({ code: 400 }),
    );
    expect(() => checkTableRequest(get('/api/v1/namespaces/default/configmaps', KUBECTL_GET, { includeObject: 'All' }))).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => checkTableRequest(get('/api/v1/namespaces/default/configmaps', 'application/json', { includeObject: 'All' }))).not.toThrow();
  });
});

describe('tableWatchEncoder', () => {
  const path = '/api/v1/namespaces/default/configmaps';

  it('wraps each event as a one-row Table, with columns only in the first', () => {
    const enc = tableWatchEncoder(clock);
    const req = get(path, KUBECTL_GET, { watch: 'true' });
    const first = enc(req, { type: 'ADDED', object: cm('a', '20') }) as any;
    const second = enc(req, { type: 'DELETED', object: cm('a', '21') }) as any;
    expect(first).toMatchObject({ type: 'ADDED', object: { kind: 'Table', metadata: { resourceVersion: '20' }, rows: [{ cells: ['a', 1, '3s'] }] } });
    expect(first.object.columnDefinitions).toHaveLength(3);
    expect(second).toMatchObject({ type: 'DELETED', object: { kind: 'Table', columnDefinitions: null, metadata: { resourceVersion: '21' } } });
    const otherWatch = enc(get(path, KUBECTL_GET, { watch: 'true' }), { type: 'ADDED', object: cm('b') }) as any;
    expect(otherWatch.object.columnDefinitions).toHaveLength(3);
  });

  it('turns an object its printer cannot print into an ERROR event instead of throwing', () => {
    const enc = tableWatchEncoder(clock);
    const broken = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'odd' }, spec: { containers: [], initContainers: { not: 'a list' } } } as any;
    const out = enc(get('/api/v1/namespaces/default/pods', KUBECTL_GET), { type: 'ADDED', object: broken }) as any;
    expect(out).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 500 } });
  });

  it('keeps ERROR events as Status, plain watches plain, and turns bookmarks into row-less Tables', () => {
    const enc = tableWatchEncoder(clock);
    const status = { type: 'ERROR' as const, object: { kind: 'Status', code: 410, metadata: {} } as any };
    expect(enc(get(path, KUBECTL_GET), status)).toBe(status);
    const plain = { type: 'ADDED' as const, object: cm('a') };
    expect(enc(get(path, 'application/json'), plain)).toBe(plain);
    const bookmark = enc(get(path, KUBECTL_GET), { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '30' } } }) as any;
    expect(bookmark).toEqual({ type: 'BOOKMARK', object: { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '30' }, columnDefinitions: null, rows: [] } });
  });
});
