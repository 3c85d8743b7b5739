import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../support/nats.js';
import { connectBus, type Bus } from '../../shared/nats/connection.js';
import { conflict, isStatusError, StatusError } from '../../shared/api/errors.js';
import { eventually } from '../support/eventually.js';

describe('bus', () => {
  let nats: TestNats;
  let a: Bus;
  let b: Bus;

  beforeAll(async () => {
    nats = await startTestNats();
    a = await connectBus({ servers: nats.url, name: 'a' });
    b = await connectBus({ servers: nats.url, name: 'b' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await nats?.dispose();
  });

  it('answers a request served in another connection', async () => {
    b.serve<{ n: number }, { double: number }>('t.double', ({ n }) => ({ double: n * 2 }));
    await b.flush();
    expect(await a.request('t.double', { n: 21 })).toEqual({ double: 42 });
  });

  it('carries a Status error across as the same typed error', async () => {
    b.serve('t.conflict', () => {
      throw conflict('pods', 'x', 'the object has been modified');
    });
    await b.flush();
    const err = await a.request('t.conflict', {}).catch((e) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect(isStatusError(err, 'Conflict')).toBe(true);
    expect((err as StatusError).code).toBe(409);
    expect((err as StatusError).message).toBe('Operation cannot be fulfilled on pods "x": the object has been modified');
  });

  it('turns an unexpected exception into InternalError without crashing the server', async () => {
    b.serve('t.bug', () => {
      throw new TypeError('boom');
    });
    await b.flush();
    const err = await a.request('t.bug', {}).catch((e) => e);
    expect(isStatusError(err, 'InternalError')).toBe(true);
    expect(await a.request('t.double', { n: 1 })).toEqual({ double: 2 });
  });

  it('fails fast with ServiceUnavailable when nobody serves the subject', async () => {
    const started = Date.now();
    const err = await a.request('t.nobody', {}, { timeoutMs: 5000 }).catch((e) => e);
    expect(isStatusError(err, 'ServiceUnavailable')).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out with reason Timeout when the server never answers', async () => {
    b.subscribe('t.silent', () => undefined);
    await b.flush();
    const err = await a.request('t.silent', {}, { timeoutMs: 200 }).catch((e) => e);
    expect(isStatusError(err, 'Timeout')).toBe(true);
  });

  it('answers malformed JSON with BadRequest', async () => {
    const reply = await a.requestRaw('t.double', new TextEncoder().encode('{not json'));
    expect(JSON.parse(new TextDecoder().decode(reply)).error.reason).toBe('BadRequest');
  });

  it('delivers publishes to subscribers', async () => {
    const got: unknown[] = [];
    b.subscribe('t.pub', (body) => got.push(body));
    await b.flush();
    a.publish('t.pub', { hello: 1 });
    await eventually(() => expect(got).toEqual([{ hello: 1 }]));
  });

  it('reconnects after nats-server restarts and serves again', async () => {
    await nats.restart();
    await eventually(async () => expect(await a.request('t.double', { n: 5 }, { timeoutMs: 500 })).toEqual({ double: 10 }), {
      timeoutMs: 15_000,
    });
  });
});
