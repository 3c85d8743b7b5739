import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { pod } from '../support/builders.js';

const PODS = '/api/v1/namespaces/default/pods';

describe('api-server: label and field selectors on lists', () => {
  let c: ApiCluster;
  const names = async (path: string): Promise<string[]> => {
    const r = await c.http('GET', path);
    expect(r.status).toBe(200);
    return r.json.items.map((i: any) => i.metadata.name).sort();
  };
  const sel = (s: string): string => `${PODS}?labelSelector=${encodeURIComponent(s)}`;

  beforeAll(async () => {
    c = await startApiCluster();
    const specs: [string, Record<string, string> | undefined][] = [
      ['prod-manual', { env: 'prod', creation_method: 'manual' }],
      ['devel-manual', { env: 'devel', creation_method: 'manual' }],
      ['debug-rc', { env: 'debug', creation_method: 'rc' }],
      ['nolabels', undefined],
    ];
    for (const [n, labels] of specs) expect((await c.http('POST', PODS, pod(n, { labels }))).status).toBe(201);
    const bound = pod('on-node-1', { nodeName: 'node-1' });
    expect((await c.http('POST', PODS, bound)).status).toBe(201);
    const running = (await c.http('GET', `${PODS}/on-node-1`)).json;
    await c.http('PUT', `${PODS}/on-node-1/status`, { ...running, status: { phase: 'Running' } });
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'on-node-1.1' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'on-node-1', uid: running.metadata.uid },
      reason: 'Scheduled',
      message: 'Successfully assigned default/on-node-1 to node-1',
    };
    expect((await c.http('POST', '/api/v1/namespaces/default/events', ev)).status).toBe(201);
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('supports every label operator of the study notes', async () => {
    expect(await names(sel('env=prod'))).toEqual(['prod-manual']);
    expect(await names(sel('env==prod'))).toEqual(['prod-manual']);
    expect(await names(sel('creation_method!=manual'))).toEqual(['debug-rc', 'nolabels', 'on-node-1']);
    expect(await names(sel('env in (prod,devel)'))).toEqual(['devel-manual', 'prod-manual']);
    expect(await names(sel('env notin (prod,devel)'))).toEqual(['debug-rc', 'nolabels', 'on-node-1']);
    expect(await names(sel('env'))).toEqual(['debug-rc', 'devel-manual', 'prod-manual']);
    expect(await names(sel('!env'))).toEqual(['nolabels', 'on-node-1']);
    expect(await names(sel('env,creation_method=manual,env!=devel'))).toEqual(['prod-manual']);
  });

  it('supports the field selectors kubectl sends', async () => {
    expect(await names(`${PODS}?fieldSelector=${encodeURIComponent('metadata.name=debug-rc')}`)).toEqual(['debug-rc']);
    expect(await names(`/api/v1/pods?fieldSelector=${encodeURIComponent('metadata.namespace=default,metadata.name!=nolabels')}`)).toEqual([
      'debug-rc',
      'devel-manual',
      'on-node-1',
      'prod-manual',
    ]);
    const describeNode = 'spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed';
    expect(await names(`/api/v1/pods?fieldSelector=${encodeURIComponent(describeNode)}`)).toEqual(['on-node-1']);
    expect(await names(`${PODS}?fieldSelector=${encodeURIComponent('status.phase=Pending')}`)).toEqual(['debug-rc', 'devel-manual', 'nolabels', 'prod-manual']);
    const uid = (await c.http('GET', `${PODS}/on-node-1`)).json.metadata.uid;
    const describePod = `involvedObject.name=on-node-1,involvedObject.namespace=default,involvedObject.uid=${uid}`;
    expect(await names(`/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(describePod)}`)).toEqual(['on-node-1.1']);
    expect(await names(`/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent('involvedObject.kind=Node')}`)).toEqual([]);
  });

  it('combines label and field selectors', async () => {
    expect(await names(`${sel('creation_method=manual')}&fieldSelector=${encodeURIComponent('metadata.name!=prod-manual')}`)).toEqual(['devel-manual']);
  });
});
