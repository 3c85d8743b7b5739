/**
 * A partition made on purpose (`Bus.partition` / `Bus.heal`, what `kubemu partition` triggers in a
 * kubelet): against a real nats-server, the cut process can neither be reached nor reach anyone,
 * fails its own requests at once, and after the heal answers on every subject it served before —
 * and on those it subscribed during the cut — without re-subscribing by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type BusStatus } from '../../shared/nats/connection.js';
import { isStatusError } from '../../shared/api/errors.js';
import { startTestNats, type TestNats } from '../support/nats.js';
import { eventually } from '../support/eventually.js';

describe('bus partition', () => {
  let nats: TestNats;
  let node: Bus;
  let peer: Bus;
  const statuses: BusStatus[] = [];

  beforeAll(async () => {
    nats = await startTestNats();
    node = await connectBus({ servers: nats.url, name: 'node' });
    peer = await connectBus({ servers: nats.url, name: 'peer' });
    node.onStatus((s) => statuses.push(s));
  });
  afterAll(async () => {
    await node?.close();
    await peer?.close();
    await nats?.dispose();
  });

  it('cuts a process off: nobody reaches what it serves, its own requests fail at once, its publishes are lost', async () => {
    node.serve<{ n: number }, number>('p.double', ({ n }) => n * 2);
    const heard: string[] = [];
    node.subscribe<string>('p.news', (m) => heard.push(m));
    peer.serve('p.peer', () => 'peer here');
    const peerHeard: string[] = [];
    peer.subscribe<string>('p.fromNode', (m) => peerHeard.push(m));
    await node.flush();
    await peer.flush();
    expect(await peer.request('p.double', { n: 2 })).toBe(4);

    await node.partition();
    expect(node.partitioned).toBe(true);
    expect(node.isClosed).toBe(false);
    expect(statuses).toEqual(['disconnected']);

    // nats-server drops the cut connection's subscriptions when it sees the socket close, a moment
    // after partition() returns; from then on a request to what the node served has no responders.
    await eventually(async () => {
      const err = await peer.request('p.double', { n: 2 }, { timeoutMs: 500 }).catch((e) => e);
      expect(isStatusError(err, 'ServiceUnavailable')).toBe(true);
    }, { timeoutMs: 5000, intervalMs: 20, message: 'no responders for what the cut node served' });
    const started = Date.now();
    const own = await node.request('p.peer', {}, { timeoutMs: 5000 }).catch((e) => e);
    expect(isStatusError(own, 'ServiceUnavailable')).toBe(true);
    expect(Date.now() - started).toBeLessThan(100);
    await expect(node.flush()).rejects.toMatchObject({ reason: 'ServiceUnavailable' });

    node.publish('p.fromNode', 'lost');
    peer.publish('p.news', 'missed');
    await peer.flush();
    expect(await peer.request('p.peer', {})).toBe('peer here');
    expect(heard).toEqual([]);
    expect(peerHeard).toEqual([]);
  });

  it('heals: connected again, every subscription and serve restored, including those made during the cut', async () => {
    const late: number[] = [];
    node.subscribe<number>('p.late', (n) => late.push(n));
    const dropped: number[] = [];
    const gone = node.subscribe<number>('p.gone', (n) => dropped.push(n));
    gone.unsubscribe();

    await node.heal();
    expect(node.partitioned).toBe(false);
    expect(statuses).toEqual(['disconnected', 'connected']);
    await node.flush();

    expect(await peer.request('p.double', { n: 21 })).toBe(42);
    expect(await node.request('p.peer', {})).toBe('peer here');
    peer.publish('p.late', 7);
    peer.publish('p.gone', 8);
    peer.publish('p.news', 'after');
    await peer.flush();
    await eventually(() => expect(late).toEqual([7]));
    expect(dropped).toEqual([]);
  });

  it('stays cut when partitioned again while a heal is connecting, and heals on the next heal', async () => {
    await node.partition();
    const healing = node.heal();
    await node.partition();
    await healing;
    expect(node.partitioned).toBe(true);
    const err = await peer.request('p.double', { n: 1 }, { timeoutMs: 3000 }).catch((e) => e);
    expect(isStatusError(err, 'ServiceUnavailable')).toBe(true);

    await node.heal();
    await node.flush();
    expect(await peer.request('p.double', { n: 1 })).toBe(2);
  });

  it('closes cleanly while cut, and says closed', async () => {
    const other = await connectBus({ servers: nats.url, name: 'other' });
    const seen: BusStatus[] = [];
    other.onStatus((s) => seen.push(s));
    await other.partition();
    await other.close();
    expect(other.isClosed).toBe(true);
    expect(seen).toEqual(['disconnected', 'closed']);
    await other.heal();
    expect(other.partitioned).toBe(true);
  });
});
