import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { resourceByPlural, type ResourceInfo } from '../../shared/api/resources.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import type { CacheEvent, CacheListener } from '../../services/api-server/watch-cache.js';
import { StreamHub, type StreamHubOptions } from '../../services/api-server/stream/hub.js';
import { parseStreamQuery } from '../../services/api-server/stream/query.js';
import type { StreamSocket } from '../../services/api-server/stream/socket.js';
import { Keepalive } from '../../services/api-server/stream/keepalive.js';

const CM = resourceByPlural('configmaps');
const NODES = resourceByPlural('nodes');

/** The watch cache as the hub sees it: a history of `capacity` changes and the current objects. */
class FakeSource {
  revision = 0;
  history: CacheEvent[] = [];
  private oldest = 0;
  private readonly objects = new Map<string, { r: ResourceInfo; obj: KubeObject }>();
  private readonly listeners = new Set<CacheListener>();
  constructor(private readonly capacity = 1000) {}

  oldestResumable(): number {
    return this.oldest;
  }
  since(after: number): CacheEvent[] {
    return this.history.filter((e) => e.rev > after);
  }
  list(r: ResourceInfo, prefix: string): KubeObject[] {
    return [...this.objects.entries()].filter(([k, v]) => v.r === r && k.startsWith(prefix)).map(([, v]) => v.obj);
  }
  subscribe(l: CacheListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  /** Applies changes as one batch (like one store watch delivery). */
  change(...changes: { r?: ResourceInfo; name: string; ns?: string; type?: CacheEvent['type']; labels?: Record<string, string>; data?: string }[]): CacheEvent[] {
    const batch: CacheEvent[] = [];
    for (const c of changes) {
      const r = c.r ?? CM;
      const rev = ++this.revision;
      const key = r.namespaced ? `/registry/core/${r.plural}/${c.ns ?? 'default'}/${c.name}` : `/registry/core/${r.plural}/${c.name}`;
      const prev = this.objects.get(key)?.obj;
      const object: KubeObject = {
        kind: r.kind,
        apiVersion: 'v1',
        metadata: { name: c.name, ...(r.namespaced ? { namespace: c.ns ?? 'default' } : {}), uid: `uid-${c.name}`, resourceVersion: String(rev), labels: c.labels },
        ...(c.data ? { data: { d: c.data } } : {}),
      };
      const type = c.type ?? (prev ? 'MODIFIED' : 'ADDED');
      if (type === 'DELETED') this.objects.delete(key);
      else this.objects.set(key, { r, obj: object });
      const ce: CacheEvent = { type, resource: r, key, rev, object, prev };
      this.history.push(ce);
      if (this.history.length > this.capacity) this.oldest = this.history.shift()!.rev;
      batch.push(ce);
    }
    for (const l of this.listeners) l(batch);
    return batch;
  }
}

/** A socket whose writes go out only when `flush()` says so (a client that reads when told). */
class FakeSocket implements StreamSocket {
  bufferedAmount = 0;
  messages: any[] = [];
  raw: Buffer[] = [];
  closed?: { code: number; reason: string };
  terminated = false;
  pings = 0;
  private pending: (() => void)[] = [];
  private readonly pongFns: (() => void)[] = [];
  private readonly closeFns: (() => void)[] = [];
  constructor(private readonly reads = true) {}

  sendText(data: Buffer, written?: () => void): void {
    this.messages.push(JSON.parse(String(data)));
    this.raw.push(data);
    if (this.reads) return written?.();
    this.bufferedAmount += data.length;
    this.pending.push(() => written?.());
  }
  /** Everything buffered is written; the callbacks run (more may be sent from them). */
  flush(): void {
    this.bufferedAmount = 0;
    for (const cb of this.pending.splice(0)) cb();
  }
  ping(): void {
    this.pings++;
  }
  pong(): void {
    for (const f of this.pongFns) f();
  }
  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }
  terminate(): void {
    this.terminated = true;
    for (const f of this.closeFns.splice(0)) f();
  }
  onPong(fn: () => void): void {
    this.pongFns.push(fn);
  }
  onClose(fn: () => void): void {
    this.closeFns.push(fn);
  }
  changes(): string[] {
    return this.messages.filter((m) => ['ADDED', 'MODIFIED', 'DELETED'].includes(m.type)).map((m) => `${m.type} ${m.name}`);
  }
}

function setup(opts: StreamHubOptions = {}, capacity = 1000) {
  const clock = new FakeClock();
  const source = new FakeSource(capacity);
  const hub = new StreamHub({ source, clock, log: silentLogger() }, { maxBufferedBytes: 10_000, lowWaterBytes: 1000, dropGraceMs: 5000, bookmarkIntervalMs: 1000, ...opts });
  hub.start();
  const connect = (query: string, socket = new FakeSocket()) => {
    hub.connect(socket, parseStreamQuery(new URLSearchParams(query)));
    return socket;
  };
  return { clock, source, hub, connect };
}

describe('stream hub', () => {
  it('starts live with a caughtUp bookmark at the current version, then sends each change once', () => {
    const { source, connect } = setup();
    source.change({ name: 'before' });
    const s = connect('');
    expect(s.messages).toEqual([{ type: 'BOOKMARK', resourceVersion: '1', time: expect.any(String), caughtUp: true }]);
    source.change({ name: 'a' }, { name: 'b' });
    source.change({ name: 'a', type: 'DELETED' });
    expect(s.changes()).toEqual(['ADDED a', 'ADDED b', 'DELETED a']);
    expect(s.messages[1]).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', namespace: 'default', uid: 'uid-a', resourceVersion: '2', object: { metadata: { name: 'a' } } });
  });

  it('encodes a change once per shape, whatever the number of clients', () => {
    const { source, connect } = setup();
    const a = connect('');
    const b = connect('');
    const c = connect('objects=false');
    source.change({ name: 'x' });
    expect(a.raw[1]).toBe(b.raw[1]);
    expect(c.raw[1]).not.toBe(a.raw[1]);
    expect(c.messages[1].object).toBeUndefined();
  });

  it('replays from a resourceVersion paced by the socket, and goes live with no gap and no duplicate', () => {
    const { source, connect } = setup({ lowWaterBytes: 500 });
    for (let i = 0; i < 20; i++) source.change({ name: `old-${i}` });
    const s = new FakeSocket(false);
    connect('resourceVersion=5', s);
    const sentAtFirst = s.changes().length;
    expect(sentAtFirst).toBeGreaterThan(0);
    expect(sentAtFirst).toBeLessThan(15); // paced: only up to the low-water mark before the socket drains
    source.change({ name: 'during-1' });
    for (let i = 0; i < 50 && !s.messages.some((m) => m.caughtUp); i++) {
      s.flush();
      source.change({ name: `during-${i + 2}` });
    }
    expect(s.messages.some((m) => m.caughtUp)).toBe(true);
    source.change({ name: 'after' });
    const names = s.changes().map((x) => x.split(' ')[1]);
    const rvs = s.messages.filter((m) => m.type === 'ADDED').map((m) => Number(m.resourceVersion));
    expect(rvs[0]).toBe(6);
    expect(rvs).toEqual([...Array(rvs.length).keys()].map((i) => 6 + i)); // every version, in order, once
    expect(names.at(-1)).toBe('after');
  });

  it('sends ERROR 410 and closes when the resourceVersion is older than the history', () => {
    const { source, connect } = setup({}, 5);
    for (let i = 0; i < 10; i++) source.change({ name: `c-${i}` });
    const s = connect('resourceVersion=2');
    expect(s.messages).toEqual([{ type: 'ERROR', code: 410, reason: 'Expired', message: 'too old resource version: 2 (6)' }]);
    expect(s.closed).toEqual({ code: 1000, reason: 'Expired' });
  });

  it('sends ERROR 410 when the history moves past a replay that is too slow', () => {
    const { source, connect } = setup({ lowWaterBytes: 300 }, 10);
    for (let i = 0; i < 8; i++) source.change({ name: `c-${i}` });
    const s = new FakeSocket(false);
    connect('resourceVersion=1', s);
    for (let i = 0; i < 30; i++) source.change({ name: `more-${i}` });
    for (let i = 0; i < 30 && !s.closed; i++) s.flush();
    expect(s.messages.at(-1)).toMatchObject({ type: 'ERROR', code: 410 });
    expect(s.closed?.code).toBe(1000);
  });

  it('with resourceVersion=0 sends the current objects first, then caughtUp, then changes', () => {
    const { source, connect } = setup();
    source.change({ name: 'x' }, { name: 'y' }, { r: NODES, name: 'node-1' });
    source.change({ name: 'x', type: 'DELETED' });
    const s = connect('resourceVersion=0&kinds=configmaps');
    source.change({ name: 'z' });
    expect(s.messages.map((m) => (m.type === 'BOOKMARK' ? `BOOKMARK ${m.resourceVersion} ${m.caughtUp}` : `${m.type} ${m.name}`))).toEqual(['ADDED y', 'BOOKMARK 4 true', 'ADDED z']);
  });

  it('tells a live client that stops reading it is SLOW, closes it, cuts it after the grace, and forgets it', () => {
    const { clock, source, hub, connect } = setup({ maxBufferedBytes: 2000 });
    const slow = connect('', new FakeSocket(false));
    const fine = connect('');
    expect(hub.clientCount).toBe(2);
    const big = 'x'.repeat(400);
    for (let i = 0; i < 20; i++) source.change({ name: `big-${i}`, data: big });
    expect(slow.messages.at(-1)).toMatchObject({ type: 'SLOW', message: expect.stringMatching(/too slow/) });
    expect(slow.closed).toEqual({ code: 1013, reason: 'slow consumer' });
    expect(hub.clientCount).toBe(1);
    const got = slow.changes().length;
    expect(got).toBeLessThan(20);
    expect(slow.messages.at(-1).resourceVersion).toBe(String(got));
    expect(fine.changes()).toHaveLength(20);
    clock.advance(4999);
    expect(slow.terminated).toBe(false);
    clock.advance(1);
    expect(slow.terminated).toBe(true);
  });

  it('sends bookmarks every interval at the version everything was sent up to', () => {
    const { clock, source, connect } = setup({ bookmarkIntervalMs: 1000 });
    const s = connect('kinds=nodes');
    source.change({ name: 'cm' });
    clock.advance(1000);
    expect(s.messages.at(-1)).toMatchObject({ type: 'BOOKMARK', resourceVersion: '1' });
    expect(s.messages.at(-1).caughtUp).toBeUndefined();
    expect(s.changes()).toEqual([]);
  });

  it('stamps each change with the time it arrived; replays keep that time', () => {
    const { clock, source, connect } = setup();
    const t0 = clock.now();
    source.change({ name: 'a' });
    clock.advance(5000);
    const s = connect('resourceVersion=0');
    expect(s.messages[0]).toMatchObject({ name: 'a', time: new Date(t0).toISOString() });
    expect(s.messages[0].timeEstimated).toBeUndefined();
    const r = connect('resourceVersion=0');
    expect(r.messages[0].time).toBe(new Date(t0).toISOString());
  });

  it('estimates the time of changes from before it started, from the object, and says so', () => {
    const clock = new FakeClock();
    const source = new FakeSource();
    source.change({ name: 'old' });
    source.history[0]!.object.metadata.creationTimestamp = new Date(clock.now() - 60_000).toISOString();
    clock.advance(1000);
    const hub = new StreamHub({ source, clock, log: silentLogger() });
    hub.start();
    const s = new FakeSocket();
    hub.connect(s, parseStreamQuery(new URLSearchParams('resourceVersion=0')));
    expect(s.messages[0]).toMatchObject({ name: 'old', timeEstimated: true, time: new Date(clock.now() - 61_000).toISOString() });
    hub.stop();
  });

  it('stops: every client is closed as going away', () => {
    const { source, hub, connect } = setup();
    const s = connect('');
    hub.stop();
    expect(s.closed).toEqual({ code: 1001, reason: 'api-server stopping' });
    source.change({ name: 'late' });
    expect(s.changes()).toEqual([]);
  });
});

describe('keep-alive', () => {
  it('pings every interval and terminates a socket silent for the pong timeout', () => {
    const clock = new FakeClock();
    const k = new Keepalive(clock, { pingIntervalMs: 1000, pongTimeoutMs: 3000 });
    const alive = new FakeSocket();
    const dead = new FakeSocket();
    k.track(alive);
    k.track(dead);
    for (let i = 0; i < 2; i++) {
      clock.advance(1000);
      alive.pong();
    }
    expect(alive.pings).toBe(2);
    expect(dead.pings).toBe(2);
    clock.advance(1000);
    alive.pong();
    expect(dead.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(k.tracked).toBe(1);
    clock.advance(10_000);
    expect(alive.terminated).toBe(true); // it stopped answering too
    expect(clock.pendingTimers()).toBe(0); // nothing left to ping: the timer stops
  });
});
