/**
 * The api-server answers kubectl's Table requests: asked with kubectl get's exact Accept header,
 * lists, single objects and watches come back as meta.k8s.io/v1 Tables with the real printer
 * columns; errors stay Status; plain requests stay plain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { configMap, pod } from '../support/builders.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const PODS = '/api/v1/namespaces/default/pods';

/** A streaming GET: collects newline-delimited JSON events until closed. */
async function stream(c: ApiCluster, path: string, accept: string): Promise<{ events: any[]; close(): void }> {
  const ctl = new AbortController();
  const res = await fetch(`${c.baseUrl}${path}`, { headers: { Accept: accept }, signal: ctl.signal });
  expect(res.status).toBe(200);
  const events: any[] = [];
  void (async () => {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) if (l.trim()) events.push(JSON.parse(l));
      }
    } catch {
      /* aborted */
    }
  })();
  return { events, close: () => ctl.abort() };
}

describe('api-server: Table output for kubectl get', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster();
    await c.http('POST', PODS, pod('kubia-manual'));
    await c.http('POST', PODS, pod('kubia-manual-v2', { labels: { creation_method: 'manual', env: 'prod' } }));
    const cur = (await c.http('GET', `${PODS}/kubia-manual-v2`)).json;
    const status = {
      ...cur,
      status: {
        phase: 'Running',
        podIP: '10.244.1.7',
        podIPs: [{ ip: '10.244.1.7' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'kubia', ready: true, restartCount: 0, image: 'luksa/kubia', imageID: '', state: { running: { startedAt: cur.metadata.creationTimestamp } } }],
      },
    };
    const put = await c.http('PUT', `${PODS}/kubia-manual-v2/status`, status);
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('lists pods as a Table with the pod columns and PartialObjectMetadata rows', async () => {
    const r = await c.http('GET', `${PODS}?limit=500`, undefined, { Accept: TABLE });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(Number(r.json.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(r.json.columnDefinitions.map((col: any) => [col.name, col.priority])).toEqual([
      ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
      ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
    ]);
    const cells = r.json.rows.map((row: any) => row.cells);
    expect(cells[0]).toEqual(['kubia-manual', '0/1', 'Pending', '0', expect.stringMatching(/^\d+s$/), '<none>', '<none>', '<none>', '<none>']);
    expect(cells[1]).toEqual(['kubia-manual-v2', '1/1', 'Running', '0', expect.stringMatching(/^\d+s$/), '10.244.1.7', '<none>', '<none>', '<none>']);
    expect(r.json.rows[1].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'kubia-manual-v2', namespace: 'default', labels: { creation_method: 'manual', env: 'prod' } },
    });
  });

  it('lists across namespaces with the namespace in every row object (kubectl get -A)', async () => {
    const r = await c.http('GET', '/api/v1/pods?limit=500', undefined, { Accept: TABLE });
    expect(r.json.rows.map((row: any) => [row.object.metadata.namespace, row.cells[0]])).toEqual([
      ['default', 'kubia-manual'],
      ['default', 'kubia-manual-v2'],
    ]);
  });

  it('applies selectors before printing (kubectl get -l)', async () => {
    const r = await c.http('GET', `${PODS}?labelSelector=${encodeURIComponent('env in (prod,devel)')}&limit=500`, undefined, { Accept: TABLE });
    expect(r.json.rows.map((row: any) => row.cells[0])).toEqual(['kubia-manual-v2']);
  });

  it('answers GET of one object with a one-row Table, and a missing one with a 404 Status', async () => {
    const r = await c.http('GET', `${PODS}/kubia-manual-v2`, undefined, { Accept: TABLE });
    expect(r.status).toBe(200);
    expect(r.json.kind).toBe('Table');
    expect(r.json.rows).toHaveLength(1);
    expect(r.json.rows[0].cells.slice(0, 3)).toEqual(['kubia-manual-v2', '1/1', 'Running']);
    expect(r.json.metadata.resourceVersion).toBe(r.json.rows[0].object.metadata.resourceVersion);
    const missing = await c.http('GET', `${PODS}/nothere`, undefined, { Accept: TABLE });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "nothere" not found' });
  });

  it('prints every kind with its own columns (namespaces, services)', async () => {
    const ns = await c.http('GET', '/api/v1/namespaces?limit=500', undefined, { Accept: TABLE });
    expect(ns.json.columnDefinitions.map((col: any) => col.name)).toEqual(['Name', 'Status', 'Age']);
    expect(ns.json.rows.find((row: any) => row.cells[0] === 'default').cells[1]).toBe('Active');
    const svc = await c.http('GET', '/api/v1/namespaces/default/services?limit=500', undefined, { Accept: TABLE });
    expect(svc.json.columnDefinitions.map((col: any) => col.name)).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    const kubernetes = svc.json.rows.find((row: any) => row.cells[0] === 'kubernetes');
    expect(kubernetes?.cells.slice(1, 5)).toEqual(['ClusterIP', expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/), '<none>', '443/TCP']);
  });

  it('honours includeObject=Object and None, and refuses an unknown value', async () => {
    const full = await c.http('GET', `${PODS}?includeObject=Object`, undefined, { Accept: TABLE });
    expect(full.json.rows[0].object).toMatchObject({ kind: 'Pod', apiVersion: 'v1', spec: { containers: [{ name: 'kubia' }] } });
    const none = await c.http('GET', `${PODS}?includeObject=None`, undefined, { Accept: TABLE });
    expect(none.json.rows[0].object).toBeUndefined();
    const bad = await c.http('GET', `${PODS}?includeObject=All`, undefined, { Accept: TABLE });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
  });

  it('answers v1beta1 Tables when that is the first offered, and plain JSON when no Table is asked', async () => {
    const beta = await c.http('GET', PODS, undefined, { Accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' });
    expect(beta.json.apiVersion).toBe('meta.k8s.io/v1beta1');
    const plain = await c.http('GET', PODS, undefined, { Accept: 'application/json' });
    expect(plain.json.kind).toBe('PodList');
  });

  it('wraps watch events as one-row Tables, columns in the first only (kubectl get -w)', async () => {
    const list = await c.http('GET', `${PODS}?limit=500`, undefined, { Accept: TABLE });
    const w = await stream(c, `${PODS}?resourceVersion=${list.json.metadata.resourceVersion}&watch=true`, TABLE);
    try {
      await c.http('POST', PODS, pod('watched', { labels: { run: 'watched' } }));
      await c.http('PATCH', `${PODS}/kubia-manual`, { metadata: { labels: { watched: 'yes' } } }, { 'Content-Type': 'application/merge-patch+json' });
      await eventually(() => expect(w.events.map((e) => [e.type, e.object.rows[0].cells[0]])).toEqual([['ADDED', 'watched'], ['MODIFIED', 'kubia-manual']]));
      const [first, second] = w.events;
      expect(first.object).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
      expect(first.object.columnDefinitions.map((col: any) => col.name)).toContain('Restarts');
      expect(second.object.columnDefinitions).toBeNull();
      expect(second.object.rows[0].object.metadata.labels).toEqual({ watched: 'yes' });
      expect(second.object.metadata.resourceVersion).toBe(second.object.rows[0].object.metadata.resourceVersion);
    } finally {
      w.close();
    }
  });

  it('keeps plain watches plain', async () => {
    const w = await stream(c, '/api/v1/namespaces/default/configmaps?watch=true', 'application/json');
    try {
      await c.http('POST', '/api/v1/namespaces/default/configmaps', configMap('plain'));
      await eventually(() => expect(w.events.map((e) => [e.type, e.object.kind, e.object.metadata.name])).toContainEqual(['ADDED', 'ConfigMap', 'plain']));
    } finally {
      w.close();
    }
  });
});
