import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { SpdySession, type SpdyStream, type SpdyTransport } from '../../services/api-server/streaming/spdy/session.js';
import { encodeFrame, FrameParser, type SpdyFrame } from '../../services/api-server/streaming/spdy/framing.js';

/** Two sessions joined back to back; every write reaches the other side in 1–3 byte pieces. */
function connect(onStream: (s: SpdyStream) => void): { server: SpdySession; client: SpdySession; wire: SpdyFrame[]; closed: string[] } {
  const wire: SpdyFrame[] = [];
  const closed: string[] = [];
  const tap = new FrameParser();
  let server!: SpdySession;
  let client!: SpdySession;
  const link = (to: () => SpdySession, record: boolean): SpdyTransport => ({
    write(bytes) {
      if (record) wire.push(...tap.push(bytes));
      const copy = Buffer.from(bytes);
      queueMicrotask(() => {
        for (let off = 0; off < copy.length; ) {
          const n = 1 + (off % 3);
          to().receive(copy.subarray(off, off + n));
          off += n;
        }
      });
      return true;
    },
    pause: () => undefined,
    resume: () => undefined,
    close: () => queueMicrotask(() => to().transportClosed()),
  });
  server = new SpdySession(link(() => client, true), { role: 'server', onStream, onClose: (err) => closed.push(`server${err ? `: ${err.message}` : ''}`) });
  client = new SpdySession(link(() => server, false), { role: 'client', onClose: (err) => closed.push(`client${err ? `: ${err.message}` : ''}`) });
  return { server, client, wire, closed };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
};

describe('SPDY session', () => {
  it('accepts a stream with its headers, replies, and carries data both ways with half-closes', async () => {
    const got: string[] = [];
    const { client, wire } = connect((s) => {
      expect(s.headers).toEqual({ streamtype: 'data', port: '8080', requestid: '0' });
      s.reply();
      s.listen({
        data: (b) => got.push(b.toString()),
        end: () => {
          s.write(Buffer.from('pong'));
          s.end();
        },
      });
    });
    const stream = await client.openStream({ streamtype: 'data', port: '8080', requestid: '0' });
    const back: string[] = [];
    let ended = false;
    stream.listen({ data: (b) => back.push(b.toString()), end: () => (ended = true) });
    stream.write(Buffer.from('ping'));
    stream.end();
    await settle();
    expect(got).toEqual(['ping']);
    expect(back).toEqual(['pong']);
    expect(ended).toBe(true);
    expect(wire.map((f) => f.type)).toEqual(['synReply', 'data', 'data']);
    expect(wire[0]).toMatchObject({ streamId: 1 });
  });

  it('never lets data overtake the SYN_STREAM it belongs to', async () => {
    const order: string[] = [];
    const { client } = connect((s) => {
      order.push(`open ${s.id}`);
      s.reply();
      s.listen({ data: (b) => order.push(`data ${s.id} ${b}`), end: () => order.push(`fin ${s.id}`) });
    });
    const a = client.openStream({ streamtype: 'error', requestid: '0' }, { fin: true });
    const b = client.openStream({ streamtype: 'data', requestid: '0' });
    const [, s] = await Promise.all([a, b]);
    s.write(Buffer.from('x'));
    await settle();
    expect(order).toEqual(['open 1', 'fin 1', 'open 3', 'data 3 x']);
  });

  it('echoes the peer PING and tells a reset stream apart from a finished one', async () => {
    let reset: unknown;
    const { client, server, wire } = connect((s) => {
      s.reply();
      s.listen({ reset: (why) => (reset = why) });
    });
    const s = await client.openStream({ streamtype: 'data' });
    s.reset(5);
    (client as unknown as { write(f: SpdyFrame): void }).write({ type: 'ping', id: 1 });
    await settle();
    expect(reset).toBe(5);
    expect(wire.filter((f) => f.type === 'ping')).toEqual([{ type: 'ping', id: 1 }]);
    expect(server.closed).toBe(false);
  });

  it('ends every stream and the session on GOAWAY or when the transport closes', async () => {
    const resets: unknown[] = [];
    const { client, server, closed } = connect((s) => {
      s.reply();
      s.listen({ reset: (why) => resets.push(why) });
    });
    await client.openStream({ streamtype: 'stdout' });
    client.close();
    await settle();
    expect(server.closed).toBe(true);
    expect(resets).toEqual(['session closed']);
    expect(closed).toContain('server');
  });

  it('ends the session with GOAWAY(PROTOCOL_ERROR) on garbage instead of throwing', async () => {
    const writes: Buffer[] = [];
    let closedWith: Error | undefined;
    const server = new SpdySession(
      { write: (b) => (writes.push(Buffer.from(b)), true), pause() {}, resume() {}, close() {} },
      { role: 'server', onStream: () => undefined, onClose: (err) => (closedWith = err) },
    );
    server.receive(encodeFrame({ type: 'synStream', streamId: 1, assocId: 0, priority: 0, slot: 0, fin: false, unidirectional: false, headerBlock: Buffer.from('not zlib at all') }));
    // Inflating runs on libuv's thread pool: under load it can take longer than a few event-loop turns.
    await eventually(() => expect(server.closed).toBe(true), { timeoutMs: 5000, intervalMs: 5 });
    expect(closedWith?.message).toMatch(/does not decompress/);
    expect(new FrameParser().push(Buffer.concat(writes))).toEqual([{ type: 'goaway', lastGoodStreamId: 0, status: 1 }]);
  });

  it('refuses a stream id that does not grow, with RST_STREAM PROTOCOL_ERROR', async () => {
    const opened: number[] = [];
    const { client, wire } = connect((s) => {
      opened.push(s.id);
      s.reply();
    });
    await client.openStream({ a: '1' });
    (client as unknown as { nextStreamId: number }).nextStreamId = 1;
    void client.openStream({ a: '2' }).catch(() => undefined);
    await settle();
    expect(opened).toEqual([1]);
    expect(wire.at(-1)).toEqual({ type: 'rstStream', streamId: 1, status: 1 });
  });
});
