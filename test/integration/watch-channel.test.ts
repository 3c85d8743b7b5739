/**
 * The generic watch channel, both halves, over a real nats-server, with a toy service whose
 * events are just numbered revisions. The service can lose a batch on purpose (as a slow consumer
 * or a dropped connection would), forget a watch, or answer Expired.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../support/nats.js';
import { eventually } from '../support/eventually.js';
import { connectBus, type Bus } from '../../shared/nats/connection.js';
import { WatchChannelClient, WatchChannelServer, type WatchBatch } from '../../shared/client/watch-channel.js';
import { expired } from '../../shared/api/errors.js';
import { FakeClock, realClock } from '../../shared/runtime/clock.js';

interface Ev {
  rev: number;
}

let suite = 0;

/** A toy watch service: events 1..n, replayed from any revision, pushed live by `emit`. */
async function toyService(bus: Bus, opts: { clock?: FakeClock; expireAfterMs?: number } = {}) {
  const name = `wc${suite++}`;
  const subjects = {
    create: `t.${name}.create`,
    keepalive: `t.${name}.keepalive`,
    cancel: `t.${name}.cancel`,
    hello: `t.${name}.hello`,
    deliver: (id: string) => `t.${name}.deliver.${id}`,
  };
  const state = { events: [] as Ev[], creates: [] as number[], dropNext: 0, replayFromOneBack: false, expireCreates: false, expiredIds: [] as string[] };
  // A bus that loses the next `dropNext` batches, as a lost message would.
  const lossy = {
    publish: (subject: string, body: unknown) => {
      if (state.dropNext > 0) {
        state.dropNext--;
        return;
      }
      bus.publish(subject, body);
    },
  } as unknown as Bus;
  const channel = new WatchChannelServer<Ev>({
    bus: lossy,
    clock: opts.clock ?? realClock,
    expireAfterMs: opts.expireAfterMs,
    onExpire: (id) => state.expiredIds.push(id),
  });
  const live = new Set<string>();
  bus.serve(subjects.create, (body) => {
    const req = WatchChannelServer.parseCreate(body);
    state.creates.push(req.fromRevision);
    if (state.expireCreates) throw expired('required revision has been compacted');
    const id = channel.open(req.deliver);
    const from = req.fromRevision === 0 ? state.events.length + 1 : req.fromRevision - (state.replayFromOneBack ? 1 : 0);
    const replay = state.events.filter((e) => e.rev >= from);
    // Replay in batches of 2, before the reply: the client must buffer them.
    for (let i = 0; i < replay.length; i += 2) channel.send(id, replay.slice(i, i + 2));
    live.add(id);
    return { id, revision: req.fromRevision === 0 ? state.events.length : req.fromRevision - 1 };
  });
  bus.serve(subjects.keepalive, (body) => ({ unknown: channel.keepalive(WatchChannelServer.parseIds(body)) }));
  bus.serve(subjects.cancel, (body) => {
    const id = WatchChannelServer.parseId(body);
    live.delete(id);
    channel.close(id);
    return {};
  });
  await bus.flush(); // the handlers are known to nats-server before anyone asks
  return {
    subjects,
    state,
    channel,
    emit(n: number) {
      for (let i = 0; i < n; i++) {
        const e = { rev: state.events.length + 1 };
        state.events.push(e);
        for (const id of [...live]) if (!channel.send(id, [e])) live.delete(id);
      }
    },
    forgetAll() {
      for (const id of live) channel.close(id);
      live.clear();
    },
    progress(rev: number) {
      for (const id of live) channel.send(id, [], rev);
    },
  };
}

function recorder() {
  const r = {
    revs: [] as number[],
    progress: [] as number[],
    errors: [] as Error[],
    handler: {
      onEvents: (events: Ev[]) => r.revs.push(...events.map((e) => e.rev)),
      onProgress: (rev: number) => r.progress.push(rev),
      onError: (err: Error) => r.errors.push(err),
    },
  };
  return r;
}

const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('watch channel', () => {
  let nats: TestNats;
  let server: Bus;
  let clientBus: Bus;
  const clients: WatchChannelClient<Ev>[] = [];

  const client = (svc: Awaited<ReturnType<typeof toyService>>, keepaliveIntervalMs = 100): WatchChannelClient<Ev> => {
    const c = new WatchChannelClient<Ev>({
      bus: clientBus,
      clock: realClock,
      subjects: svc.subjects,
      revisionOf: (e) => e.rev,
      keepaliveIntervalMs,
      retryMinMs: 20,
      requestTimeoutMs: 2000,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    nats = await startTestNats();
    server = await connectBus({ servers: nats.url, name: 'wc-server' });
    clientBus = await connectBus({ servers: nats.url, name: 'wc-client' });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  afterAll(async () => {
    await clientBus?.close();
    await server?.close();
    await nats?.dispose();
  });

  it('delivers the replay (sent before the create reply) and then live events, in order', async () => {
    const svc = await toyService(server);
    svc.emit(5);
    await server.flush();
    const rec = recorder();
    const w = await client(svc).open({}, 2, rec.handler);
    svc.emit(3);
    await eventually(() => expect(rec.revs).toEqual([2, 3, 4, 5, 6, 7, 8]));
    expect(w.revision).toBe(8);
  });

  it('starts after the current revision when asked for revision 0', async () => {
    const svc = await toyService(server);
    svc.emit(4);
    await server.flush();
    const rec = recorder();
    const w = await client(svc).open({}, 0, rec.handler);
    expect(w.revision).toBe(4);
    svc.emit(1);
    await eventually(() => expect(rec.revs).toEqual([5]));
  });

  it('re-creates the watch from the last delivered revision + 1 after a lost batch: no gap, no duplicate', async () => {
    const svc = await toyService(server);
    const rec = recorder();
    await client(svc).open({}, 1, rec.handler);
    svc.emit(3);
    await eventually(() => expect(rec.revs).toEqual([1, 2, 3]));
    svc.state.dropNext = 1;
    svc.emit(3); // 4 is lost; 5 reveals the gap
    await eventually(() => expect(rec.revs).toEqual(upTo(6)));
    expect(svc.state.creates).toEqual([1, 4]);
    svc.emit(2);
    await eventually(() => expect(rec.revs).toEqual(upTo(8)));
  });

  it('drops events at or below the last delivered revision', async () => {
    const svc = await toyService(server);
    svc.emit(4);
    svc.state.replayFromOneBack = true; // a sloppy server that replays one event too many
    await server.flush();
    const rec = recorder();
    await client(svc).open({}, 3, rec.handler);
    svc.emit(1);
    await eventually(() => expect(rec.revs).toEqual([3, 4, 5]));
  });

  it('re-creates a watch the server no longer knows, found by the keepalive', async () => {
    const svc = await toyService(server);
    const rec = recorder();
    await client(svc).open({}, 1, rec.handler);
    svc.emit(2);
    await eventually(() => expect(rec.revs).toEqual([1, 2]));
    svc.forgetAll();
    svc.emit(2); // nobody hears these…
    await eventually(() => expect(svc.state.creates).toEqual([1, 3]));
    await eventually(() => expect(rec.revs).toEqual(upTo(4))); // …until the re-created watch replays them
  });

  it('re-creates every watch when the server says hello', async () => {
    const svc = await toyService(server);
    const a = recorder();
    const b = recorder();
    const c = client(svc, 60_000);
    await c.open({}, 1, a.handler);
    await c.open({}, 1, b.handler);
    svc.emit(1);
    await eventually(() => expect([a.revs, b.revs]).toEqual([[1], [1]]));
    server.publish(svc.subjects.hello, {});
    await eventually(() => expect(svc.state.creates).toEqual([1, 1, 2, 2]));
    svc.emit(1);
    await eventually(() => expect([a.revs, b.revs]).toEqual([[1, 2], [1, 2]]));
  });

  it('moves its revision with progress notifications and resumes after them', async () => {
    const svc = await toyService(server);
    const rec = recorder();
    const w = await client(svc).open({}, 1, rec.handler);
    svc.state.events.push({ rev: 1 }, { rev: 2 }, { rev: 3 }); // changes the watch does not match
    svc.progress(3);
    await eventually(() => expect(rec.progress).toEqual([3]));
    expect(w.revision).toBe(3);
    svc.state.dropNext = 1;
    svc.progress(3);
    svc.emit(1);
    await eventually(() => expect(svc.state.creates).toEqual([1, 4]));
    await eventually(() => expect(rec.revs).toEqual([4]));
  });

  it('reports Expired through onError when the watch cannot be re-created, and closes it', async () => {
    const svc = await toyService(server);
    const rec = recorder();
    const c = client(svc);
    await c.open({}, 1, rec.handler);
    svc.emit(1);
    await eventually(() => expect(rec.revs).toEqual([1]));
    svc.state.expireCreates = true;
    svc.state.dropNext = 1;
    svc.emit(2);
    await eventually(() => expect(rec.errors.map((e) => (e as { reason?: string }).reason)).toEqual(['Expired']));
    expect(c.size).toBe(0);
  });

  it('fails open() with the server error and leaves nothing behind', async () => {
    const svc = await toyService(server);
    svc.state.expireCreates = true;
    const c = client(svc);
    await expect(c.open({}, 1, recorder().handler)).rejects.toMatchObject({ reason: 'Expired' });
    expect(c.size).toBe(0);
  });

  it('expires watches on the server whose keepalives stopped', async () => {
    const clock = new FakeClock();
    const svc = await toyService(server, { clock, expireAfterMs: 30_000 });
    const rec = recorder();
    await client(svc, 3_600_000).open({}, 1, rec.handler);
    expect(svc.channel.size).toBe(1);
    clock.advance(29_000);
    svc.channel.sweep();
    expect(svc.channel.size).toBe(1);
    clock.advance(2_000);
    svc.channel.sweep();
    expect(svc.channel.size).toBe(0);
    expect(svc.state.expiredIds).toHaveLength(1);
  });

  it('numbers batches per watch and says which ids it does not know', () => {
    const published: WatchBatch<Ev>[] = [];
    const bus = { publish: (_s: string, b: WatchBatch<Ev>) => published.push(b) } as unknown as Bus;
    const ch = new WatchChannelServer<Ev>({ bus, clock: new FakeClock() });
    const a = ch.open('t.a');
    const b = ch.open('t.b');
    ch.send(a, [{ rev: 1 }]);
    ch.send(b, [], 7);
    ch.send(a, [{ rev: 2 }]);
    expect(published.map((p) => [p.w === a ? 'a' : 'b', p.s, p.progress])).toEqual([
      ['a', 1, undefined],
      ['b', 1, 7],
      ['a', 2, undefined],
    ]);
    expect(ch.keepalive([a, 'nope'])).toEqual(['nope']);
    expect(ch.send('nope', [])).toBe(false);
  });
});
