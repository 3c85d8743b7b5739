/**
 * WatchChannelServer with `encodeEvent` (the api-server serialises each shared object once): the
 * bytes it publishes are exactly the JSON of the WatchBatch the default path would send, with and
 * without a progress revision, and the service's encoder is asked once per event per batch.
 */
import { describe, expect, it } from 'vitest';
import { WatchChannelServer, type WatchBatch } from '../../shared/client/watch-channel.js';
import type { Bus } from '../../shared/nats/connection.js';
import { FakeClock } from '../../shared/runtime/clock.js';

interface Ev {
  type: string;
  object: { name: string; n: number; note?: string };
}

/** A bus that keeps what was published, as the JSON a subscriber would parse. */
function recordingBus(): { bus: Bus; sent: unknown[] } {
  const sent: unknown[] = [];
  const bus = {
    publish: (_s: string, body: unknown) => sent.push(JSON.parse(JSON.stringify(body))),
    publishRaw: (_s: string, data: Uint8Array) => sent.push(JSON.parse(new TextDecoder().decode(data))),
  } as unknown as Bus;
  return { bus, sent };
}

describe('WatchChannelServer.send with encodeEvent', () => {
  const events: Ev[] = [
    { type: 'ADDED', object: { name: 'a', n: 1 } },
    { type: 'MODIFIED', object: { name: 'b "quoted"', n: 2, note: 'ünïcode ✓' } },
  ];

  it('publishes the same batches as the default encoding', () => {
    const plain = recordingBus();
    const fast = recordingBus();
    let calls = 0;
    const a = new WatchChannelServer<Ev>({ bus: plain.bus, clock: new FakeClock() });
    const b = new WatchChannelServer<Ev>({
      bus: fast.bus,
      clock: new FakeClock(),
      encodeEvent: (e) => {
        calls++;
        return JSON.stringify(e);
      },
    });
    const ida = a.open('d.a');
    const idb = b.open('d.b');
    a.send(ida, events);
    b.send(idb, events);
    a.send(ida, [], 42);
    b.send(idb, [], 42);
    const strip = (x: unknown) => ({ ...(x as WatchBatch<Ev>), w: 'id' });
    expect(fast.sent.map(strip)).toEqual(plain.sent.map(strip));
    expect(fast.sent[0]).toEqual({ w: idb, s: 1, events });
    expect(fast.sent[1]).toEqual({ w: idb, s: 2, events: [], progress: 42 });
    expect(calls).toBe(2);
  });

  it('answers false for an unknown watch and sends nothing', () => {
    const r = recordingBus();
    const s = new WatchChannelServer<Ev>({ bus: r.bus, clock: new FakeClock(), encodeEvent: (e) => JSON.stringify(e) });
    expect(s.send('nope', events)).toBe(false);
    expect(r.sent).toEqual([]);
  });
});
