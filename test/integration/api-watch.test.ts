import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { configMap, pod } from '../support/builders.js';

/** Reads a watch response as it streams: every newline-delimited event, until closed. */
async function openWatch(c: ApiCluster, path: string): Promise<{ events: any[]; status: number; done: Promise<void>; close(): void }> {
  const ctl = new AbortController();
  const res = await fetch(`${c.baseUrl}${path}`, { signal: ctl.signal });
  const events: any[] = [];
  const done = (async () => {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return { events, status: res.status, done, close: () => ctl.abort() };
}

const CMS = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';

describe('api-server: watch', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster({ historyCapacity: 50, bookmarkIntervalMs: 300 });
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('without resourceVersion sends the current objects as ADDED, then changes', async () => {
    await c.http('POST', CMS, configMap('w1'));
    const w = await openWatch(c, `${CMS}?watch=true`);
    await eventually(() => expect(w.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'w1']]));
    await c.http('PATCH', `${CMS}/w1`, { data: { k: 'v' } }, { 'Content-Type': 'application/merge-patch+json' });
    await c.http('DELETE', `${CMS}/w1`);
    await eventually(() => expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']));
    expect(w.events[1].object.data).toEqual({ k: 'v' });
    expect(Number(w.events[2].object.metadata.resourceVersion)).toBeGreaterThan(Number(w.events[1].object.metadata.resourceVersion));
    w.close();
  });

  it('replays every change after a resourceVersion, in order, then goes live (what kubectl get -w does)', async () => {
    const list = await c.http('GET', CMS);
    const rv = list.json.metadata.resourceVersion;
    for (let i = 0; i < 5; i++) await c.http('POST', CMS, configMap(`r${i}`));
    const w = await openWatch(c, `${CMS}?watch=true&resourceVersion=${rv}`);
    await c.http('POST', CMS, configMap('r5'));
    await eventually(() => expect(w.events.map((e) => e.object.metadata.name)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']));
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(new Set(rvs).size).toBe(rvs.length);
    w.close();
  });

  it('answers a too old resourceVersion with a 410 Expired ERROR event', async () => {
    for (let i = 0; i < 60; i++) await c.http('POST', CMS, configMap(`old${i}`));
    const w = await openWatch(c, `${CMS}?watch=true&resourceVersion=1`);
    await w.done;
    expect(w.status).toBe(200);
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe('ERROR');
    expect(w.events[0].object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(w.events[0].object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });

  it('filters by selectors on both sides of a change: a pod bound to the node arrives as ADDED', async () => {
    const rv = (await c.http('GET', PODS)).json.metadata.resourceVersion;
    const w = await openWatch(c, `${PODS}?watch=true&resourceVersion=${rv}&fieldSelector=spec.nodeName%3Dnode-1`);
    await c.http('POST', PODS, pod('later'));
    // Binding changes spec.nodeName: simulate it the way a scheduler's binding would land (delete + recreate bound).
    await c.http('DELETE', `${PODS}/later`);
    await c.http('POST', PODS, pod('later', { nodeName: 'node-1' }));
    await eventually(() => expect(w.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'later']]));
    await c.http('PATCH', `${PODS}/later`, { metadata: { labels: { a: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' });
    await eventually(() => expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']));
    w.close();

    const lw = await openWatch(c, `${PODS}?watch=true&resourceVersion=${rv}&labelSelector=a%3Db`);
    await eventually(() => expect(lw.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'later']]));
    await c.http('PATCH', `${PODS}/later`, { metadata: { labels: { a: 'c' } } }, { 'Content-Type': 'application/merge-patch+json' });
    await eventually(() => expect(lw.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']));
    lw.close();
  });

  it('sends bookmarks when asked and ends after timeoutSeconds', async () => {
    const w = await openWatch(c, `${CMS}?watch=true&resourceVersion=${(await c.http('GET', CMS)).json.metadata.resourceVersion}&allowWatchBookmarks=true&timeoutSeconds=1`);
    await w.done;
    const bookmarks = w.events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThanOrEqual(1);
    expect(bookmarks[0].object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(bookmarks[0].object.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it('resumes a watch across an api-server restart with nothing missing', async () => {
    const rv = (await c.http('GET', CMS)).json.metadata.resourceVersion;
    await c.http('POST', CMS, configMap('before-restart'));
    await c.restartApiServer();
    await c.http('POST', CMS, configMap('after-restart'));
    const w = await openWatch(c, `${CMS}?watch=true&resourceVersion=${rv}`);
    await eventually(() => expect(w.events.map((e) => e.object.metadata.name)).toEqual(['before-restart', 'after-restart']));
    w.close();
  });

  it('rejects a bad selector before streaming, with 400', async () => {
    const r = await c.http('GET', `${PODS}?watch=true&fieldSelector=spec.foo%3Dbar`);
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('field label not supported: spec.foo');
  });
});
