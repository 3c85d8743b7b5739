import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { configMap } from '../support/builders.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { isStatusError } from '../../shared/api/errors.js';
import type { WatchEvent } from '../../shared/api/meta.js';

const CM = resourceByPlural('configmaps');

describe('api-server over NATS (what components use)', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster();
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('creates, gets, lists, patches and deletes with the same semantics as HTTP', async () => {
    const api = c.client('test/crud');
    const created = await api.create(CM, 'default', configMap('n1', { a: '1' }));
    expect(created.metadata.uid).toBeDefined();
    expect((await api.get(CM, 'default', 'n1')).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const list = await api.list(CM, 'default', { labelSelector: '' });
    expect(list.items.map((i) => i.metadata.name)).toContain('n1');
    const patched = await api.patch(CM, 'default', 'n1', 'merge', { data: { a: '2' } });
    expect((patched as any).data).toEqual({ a: '2' });
    const err = await api.create(CM, 'default', configMap('n1')).catch((e) => e);
    expect(isStatusError(err, 'AlreadyExists')).toBe(true);
    expect(err.message).toBe('configmaps "n1" already exists');
    await api.delete(CM, 'default', 'n1');
    expect(isStatusError(await api.get(CM, 'default', 'n1').catch((e) => e), 'NotFound')).toBe(true);
  });

  it('watches: initial ADDED, then changes, and resumes across an api-server restart without gaps', async () => {
    const api = c.client('test/watch');
    await api.create(CM, 'default', configMap('w-initial'));
    const seen: WatchEvent[] = [];
    const w = await api.watch(CM, 'default', {}, { onEvent: (e) => seen.push(e), onError: (e) => seen.push({ type: 'ERROR', object: { metadata: {}, message: e.message } as any }) });
    await eventually(() => expect(seen.map((e) => `${e.type}:${e.object.metadata.name}`)).toContain('ADDED:w-initial'));
    await api.create(CM, 'default', configMap('w-live'));
    await eventually(() => expect(seen.map((e) => `${e.type}:${e.object.metadata.name}`)).toContain('ADDED:w-live'));
    await c.restartApiServer();
    // Written while the watch is being re-established: must still arrive, once.
    const http = await c.http('POST', '/api/v1/namespaces/default/configmaps', configMap('w-after-restart'));
    expect(http.status).toBe(201);
    await eventually(() => expect(seen.map((e) => `${e.type}:${e.object.metadata.name}`)).toContain('ADDED:w-after-restart'), { timeoutMs: 15_000 });
    const names = seen.map((e) => `${e.type}:${e.object.metadata.name}`);
    expect(names.filter((n) => n === 'ADDED:w-after-restart')).toHaveLength(1);
    expect(seen.some((e) => e.type === 'ERROR')).toBe(false);
    await w.stop();
  });
});
