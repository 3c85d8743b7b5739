import { describe, expect, it } from 'vitest';
import { ByteStream, MAX_FRAME_BYTES, type ByteStreamHandlers, type StreamResult } from '../../shared/client/byte-stream.js';
import { decodeFrame, encodeFrame } from '../../shared/client/byte-stream-frames.js';
import { openByteStream, serveByteStreams, type StreamOpenRequest } from '../../shared/client/byte-stream-open.js';
import { badRequest, isStatusError, serviceUnavailable, StatusError } from '../../shared/api/errors.js';
import { decodeReply, encodeError, encodeResult } from '../../shared/nats/codec.js';
import { FakeClock } from '../../shared/runtime/clock.js';

/** An in-memory bus: publishes are delivered on microtasks, in order; a test can drop messages. */
class MemoryBus {
  private readonly subs = new Map<string, Set<(data: Uint8Array, subject: string) => void>>();
  drop: (subject: string, data: Uint8Array) => boolean = () => false;
  published = 0;

  publishRaw(subject: string, data: Uint8Array): void {
    this.published++;
    if (this.drop(subject, data)) return;
    for (const cb of this.subs.get(subject) ?? []) queueMicrotask(() => cb(data, subject));
  }

  subscribeRaw(subject: string, cb: (data: Uint8Array, subject: string) => void): { unsubscribe(): void } {
    const set = this.subs.get(subject) ?? new Set();
    set.add(cb);
    this.subs.set(subject, set);
    return { unsubscribe: () => set.delete(cb) };
  }

  listeners(subject: string): number {
    return this.subs.get(subject)?.size ?? 0;
  }

  private readonly servers = new Map<string, (body: unknown) => unknown>();

  serve(subject: string, handler: (body: unknown) => unknown): { unsubscribe(): void } {
    this.servers.set(subject, handler);
    return { unsubscribe: () => this.servers.delete(subject) };
  }

  async request<T>(subject: string, body: unknown): Promise<T> {
    const h = this.servers.get(subject);
    if (!h) throw serviceUnavailable('no responders on the bus for this request');
    let reply: Uint8Array;
    try {
      reply = encodeResult(await h(JSON.parse(JSON.stringify(body))));
    } catch (err) {
      reply = encodeError(err);
    }
    return decodeReply<T>(reply);
  }
}

interface Recorded {
  data: Map<number, string>;
  ended: number[];
  closed?: { result: StreamResult; by: 'local' | 'peer' };
  drains: number;
}

function record(stream: ByteStream, extra: Partial<ByteStreamHandlers> = {}): Recorded {
  const r: Recorded = { data: new Map(), ended: [], drains: 0 };
  stream.listen({
    data(ch, bytes) {
      r.data.set(ch, (r.data.get(ch) ?? '') + Buffer.from(bytes).toString('latin1'));
      extra.data?.(ch, bytes);
    },
    end: (ch) => r.ended.push(ch),
    close: (result, by) => (r.closed = { result, by }),
    drain: () => r.drains++,
  });
  return r;
}

function pair(bus: MemoryBus, clock: FakeClock, window = 1024, opts: { pingIntervalMs?: number; peerTimeoutMs?: number } = {}): [ByteStream, ByteStream] {
  const a = new ByteStream({ bus, clock, sendTo: 'b', receiveOn: 'a', sendWindow: window, receiveWindow: window, peerName: 'b', ...opts });
  const b = new ByteStream({ bus, clock, sendTo: 'a', receiveOn: 'b', sendWindow: window, receiveWindow: window, peerName: 'a', ...opts });
  return [a, b];
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('byte stream frames', () => {
  it('round-trips every frame type', () => {
    const frames = [
      { type: 'data', seq: 1, channel: 2, data: new Uint8Array([0, 255, 7]) },
      { type: 'end', seq: 2, channel: 0 },
      { type: 'credit', seq: 3, bytes: 4_000_000_000 },
      { type: 'ping', seq: 4_294_967_295 },
      { type: 'close', seq: 5, result: { exitCode: 3 } },
    ] as const;
    for (const f of frames) expect(decodeFrame(encodeFrame(f))).toEqual(f);
  });

  it('refuses malformed frames with BadRequest', () => {
    for (const bytes of [[1, 0, 0], [9, 0, 0, 0, 1], [2, 0, 0, 0, 1], [3, 0, 0, 0, 1, 1], [5, 0, 0, 0, 1, 123]]) {
      expect(() => decodeFrame(new Uint8Array(bytes))).toThrow(StatusError);
    }
  });
});

describe('byte stream', () => {
  it('carries bytes on channels both ways, in order, then the close result', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    const [a, b] = pair(bus, clock);
    const ra = record(a);
    const rb = record(b);
    a.write(0, Buffer.from('hello '));
    a.write(0, Buffer.from('world'));
    a.end(0);
    await flush();
    b.write(1, Buffer.from('out'));
    b.write(2, Buffer.from('err'));
    b.close({ exitCode: 3 });
    await flush();
    expect(rb.data.get(0)).toBe('hello world');
    expect(rb.ended).toEqual([0]);
    expect(ra.data.get(1)).toBe('out');
    expect(ra.data.get(2)).toBe('err');
    expect(ra.closed).toEqual({ result: { exitCode: 3 }, by: 'peer' });
    expect(rb.closed).toEqual({ result: { exitCode: 3 }, by: 'local' });
    expect(a.closed && b.closed).toBe(true);
  });

  it('splits big writes into frames and keeps every byte', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    const [a, b] = pair(bus, clock, 1024 * 1024);
    const rb = record(b);
    record(a);
    const big = Buffer.alloc(3 * MAX_FRAME_BYTES + 17, 'x');
    big[0] = 1;
    big[big.length - 1] = 2;
    expect(a.write(1, big)).toBe(true);
    await flush();
    expect(rb.data.get(1)).toBe(big.toString('latin1'));
  });

  it('stops the writer when the window is used up and lets it go on as the reader consumes', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    const [a, b] = pair(bus, clock, 100);
    const ra = record(a);
    b.pause();
    const rb = record(b);
    expect(a.write(1, Buffer.alloc(60, 'a'))).toBe(true);
    expect(a.write(1, Buffer.alloc(60, 'b'))).toBe(false);
    await flush();
    expect(rb.data.get(1)?.length).toBe(100); // exactly the window, nothing more
    expect(ra.drains).toBe(0);
    b.resume();
    await flush();
    expect(rb.data.get(1)).toBe('a'.repeat(60) + 'b'.repeat(60));
    expect(ra.drains).toBe(1);
  });

  it('keeps events that arrive before listen() and delivers them in order', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    const [a, b] = pair(bus, clock);
    record(a);
    a.write(1, Buffer.from('early'));
    a.end(1);
    a.close({ exitCode: 0 });
    await flush();
    const rb = record(b);
    expect(rb.data.get(1)).toBe('early');
    expect(rb.ended).toEqual([1]);
    expect(rb.closed).toEqual({ result: { exitCode: 0 }, by: 'peer' });
  });

  it('ends with an error when a frame is lost', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    const [a, b] = pair(bus, clock);
    const ra = record(a);
    const rb = record(b);
    let n = 0;
    bus.drop = (subject) => subject === 'b' && ++n === 2;
    a.write(1, Buffer.from('one'));
    a.write(1, Buffer.from('two'));
    a.write(1, Buffer.from('three'));
    await flush();
    expect(rb.data.get(1)).toBe('one');
    expect(rb.closed?.by).toBe('local');
    expect(rb.closed?.result.error?.message).toContain('lost frames (expected frame 2, got 3)');
    expect(ra.closed?.by).toBe('peer');
    expect(ra.closed?.result.error?.reason).toBe('ServiceUnavailable');
  });

  it('fails within the peer timeout when the peer goes silent, and pings keep a live one open', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    const [a, b] = pair(bus, clock, 1024, { pingIntervalMs: 1000, peerTimeoutMs: 5000 });
    const ra = record(a);
    const rb = record(b);
    for (let i = 0; i < 30; i++) await clock.tick(1000, 250);
    expect(ra.closed).toBeUndefined();
    expect(rb.closed).toBeUndefined();
    b.dispose(); // the peer process dies: no close frame, no pings
    await clock.tick(4000, 250);
    expect(ra.closed).toBeUndefined();
    await clock.tick(2000, 250);
    expect(ra.closed?.by).toBe('local');
    expect(isStatusError(new StatusError(ra.closed!.result.error!), 'ServiceUnavailable')).toBe(true);
    expect(ra.closed?.result.error?.message).toContain('lost contact with b');
    expect(bus.listeners('a')).toBe(0);
  });

  it('abort drops queued data and tells the peer why', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    const [a, b] = pair(bus, clock, 10);
    const ra = record(a);
    const rb = record(b);
    a.write(1, Buffer.alloc(50, 'z'));
    a.abort(badRequest('client went away'));
    await flush();
    expect(ra.closed?.result.error?.message).toBe('client went away');
    expect(rb.closed).toEqual({ result: { error: expect.objectContaining({ reason: 'BadRequest', message: 'client went away' }) }, by: 'peer' });
    expect(rb.data.get(1)).toBe('z'.repeat(10));
  });

  it('ends the stream when a writer ignores back-pressure past the queue limit', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    const a = new ByteStream({ bus, clock, sendTo: 'b', receiveOn: 'a', sendWindow: 10, peerName: 'b', maxQueuedBytes: 1000 });
    const ra = record(a);
    for (let i = 0; i < 20 && !a.closed; i++) a.write(1, Buffer.alloc(100));
    expect(ra.closed?.result.error?.reason).toBe('TooManyRequests');
  });
});

describe('opening byte streams', () => {
  const target = { namespace: 'default', pod: 'kubia', uid: 'u1' };

  it('opens a stream that the served handler talks on', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    let seen: StreamOpenRequest | undefined;
    serveByteStreams({ bus: bus as never, clock }, 'node-1', async (req, stream) => {
      seen = req;
      stream.listen({ data: (_ch, bytes) => stream.write(1, bytes), end: () => stream.close({ exitCode: 0 }), close: () => undefined });
    });
    const s = await openByteStream({ bus: bus as never, clock }, 'node-1', { kind: 'exec', target, exec: { command: ['cat'], stdin: true, stdout: true, stderr: false, tty: false } });
    const r = record(s);
    s.write(0, Buffer.from('ping'));
    s.end(0);
    await flush();
    expect(seen?.kind).toBe('exec');
    expect(seen?.window).toBeGreaterThan(0);
    expect(r.data.get(1)).toBe('ping');
    expect(r.closed).toEqual({ result: { exitCode: 0 }, by: 'peer' });
  });

  it('throws the error the kubelet answered and leaves nothing subscribed', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    serveByteStreams({ bus: bus as never, clock }, 'node-1', async () => {
      throw badRequest('container not found ("nope")');
    });
    const err = await openByteStream({ bus: bus as never, clock }, 'node-1', { kind: 'logs', target }).catch((e) => e);
    expect(isStatusError(err, 'BadRequest')).toBe(true);
    expect(err.message).toBe('container not found ("nope")');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses malformed open requests', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    serveByteStreams({ bus: bus as never, clock }, 'node-1', async () => undefined);
    const err = await bus.request('kubemu.node.node-1.kubelet.stream', { id: 'x y', kind: 'logs' }).catch((e) => e);
    expect(isStatusError(err, 'BadRequest')).toBe(true);
  });

  it('fails with ServiceUnavailable when no kubelet serves the node', async () => {
    const bus = new MemoryBus();
    const clock = new FakeClock();
    const err = await openByteStream({ bus: bus as never, clock }, 'node-9', { kind: 'logs', target }).catch((e) => e);
    expect(isStatusError(err, 'ServiceUnavailable')).toBe(true);
  });
});
