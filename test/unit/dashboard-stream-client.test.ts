/**
 * The dashboard's stream connection with a fake socket and fake timers: where it starts and
 * resumes, how it backs off, what a 410, a SLOW notice and a silent connection do; and the
 * buttons' requests and the log lines made of their answers.
 */
import { describe, expect, it } from 'vitest';
import { streamClient, type ConnectionState, type SocketLike } from '../../services/api-server/web/stream-client.js';
import { runAction } from '../../services/api-server/web/actions.js';
import type { StreamMessage } from '../../shared/api/stream.js';

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
  }
  send(m: object): void {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
}

function harness(start?: string) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const states: string[] = [];
  const messages: StreamMessage[] = [];
  let resets = 0;
  let resume: string | undefined = start;
  const client = streamClient({
    url: (rv) => `ws://x/stream?resourceVersion=${rv}`,
    open: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    resumeFrom: () => resume,
    onMessage: (m) => {
      messages.push(m);
      if ('resourceVersion' in m) resume = m.resourceVersion;
    },
    onReset: () => {
      resets++;
      resume = undefined;
    },
    onState: (s: ConnectionState) => states.push(s),
    schedule: (fn, ms) => {
      const t = { fn, ms, cancelled: false };
      timers.push(t);
      return () => (t.cancelled = true);
    },
    silenceMs: 30_000,
  });
  /** Runs the pending timers of exactly `ms` (the fake clock jumps there). */
  const fire = (ms: number) => {
    const due = timers.filter((t) => !t.cancelled && t.ms === ms);
    for (const t of due) {
      t.cancelled = true;
      t.fn();
    }
    return due.length;
  };
  return { client, sockets, timers, states, messages, fire, resets: () => resets };
}

describe('the dashboard stream client', () => {
  it('starts with the replay (resourceVersion=0) and resumes from the last version after a close, backing off', () => {
    const h = harness();
    h.client.start();
    expect(h.sockets[0]!.url).toBe('ws://x/stream?resourceVersion=0');
    h.sockets[0]!.onopen?.({});
    h.sockets[0]!.send({ type: 'BOOKMARK', resourceVersion: '42', time: 't', caughtUp: true });
    h.sockets[0]!.onclose?.({});
    expect(h.states).toEqual(['connecting', 'live', 'reconnecting']);
    expect(h.fire(500)).toBe(1);
    expect(h.sockets[1]!.url).toBe('ws://x/stream?resourceVersion=42');
    h.sockets[1]!.onerror?.({}); // fails at once: the next wait doubles
    expect(h.sockets[1]!.closed).toBe(true);
    expect(h.fire(1000)).toBe(1);
    expect(h.sockets).toHaveLength(3);
    expect(h.messages).toHaveLength(1);
  });

  it('forgets its state on 410 and starts over from the replay at once', () => {
    const h = harness('77');
    h.client.start();
    expect(h.sockets[0]!.url).toBe('ws://x/stream?resourceVersion=77');
    h.sockets[0]!.send({ type: 'ERROR', code: 410, reason: 'Expired', message: 'too old resource version: 77' });
    expect(h.resets()).toBe(1);
    expect(h.states.at(-1)).toBe('resyncing');
    expect(h.fire(0)).toBe(1);
    expect(h.sockets[1]!.url).toBe('ws://x/stream?resourceVersion=0');
    expect(h.messages).toEqual([]);
  });

  it('reconnects when the server says SLOW, and when a connection stays silent too long', () => {
    const h = harness('5');
    h.client.start();
    h.sockets[0]!.send({ type: 'SLOW', message: 'send buffer overflowed' });
    expect(h.sockets[0]!.closed).toBe(true);
    h.fire(500);
    expect(h.sockets).toHaveLength(2);
    h.sockets[1]!.onopen?.({});
    expect(h.fire(30_000)).toBeGreaterThan(0); // no bookmark for 30 s
    expect(h.sockets[1]!.closed).toBe(true);
    expect(h.states.at(-1)).toBe('reconnecting');
  });

  it('stops for good: no reconnect after stop, and late events of the old socket are ignored', () => {
    const h = harness();
    h.client.start();
    const s = h.sockets[0]!;
    h.client.stop();
    expect(s.closed).toBe(true);
    s.onclose?.({});
    expect(h.timers.filter((t) => !t.cancelled)).toHaveLength(0);
    expect(h.states.at(-1)).toBe('stopped');
  });

  it('skips a frame that is not JSON instead of failing', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]!.onmessage?.({ data: 'not json' });
    h.sockets[0]!.send({ type: 'ADDED', kind: 'Node', apiVersion: 'v1', name: 'n', uid: 'u', resourceVersion: '3', time: 't' });
    expect(h.messages.map((m) => m.type)).toEqual(['ADDED']);
  });
});

describe("the dashboard's buttons", () => {
  const now = () => '2026-11-25T10:00:00.000Z';

  it('posts JSON to api/<op> relative to the page and logs the agent’s message', async () => {
    const calls: unknown[] = [];
    const out = await runAction(async (url, init) => {
      calls.push([url, init]);
      return { ok: true, status: 200, text: async () => JSON.stringify({ ok: true, message: 'killed kubelet-node-2 and kube-proxy-node-2' }) };
    }, now, 'kill', 'node-2');
    expect(calls).toEqual([['api/kill', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"target":"node-2"}' }]]);
    expect(out).toEqual({ ok: true, entry: { time: now(), tone: 'ok', subject: 'you: kill node-2', text: 'killed kubelet-node-2 and kube-proxy-node-2' } });
  });

  it('logs a refusal with its Status message, and an unreachable server, without throwing', async () => {
    const refused = await runAction(async () => ({ ok: false, status: 503, text: async () => JSON.stringify({ kind: 'Status', message: 'no kubemu agent is running', code: 503 }) }), now, 'partition', 'node-1');
    expect(refused).toMatchObject({ ok: false, entry: { tone: 'bad', text: 'refused (503): no kubemu agent is running' } });
    const down = await runAction(async () => {
      throw new TypeError('Failed to fetch');
    }, now, 'start', 'node-1');
    expect(down).toMatchObject({ ok: false, entry: { text: 'could not reach the api-server: Failed to fetch' } });
  });
});
