import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../support/nats.js';
import { startStoreProcess, type StoreProcess } from '../support/store-process.js';
import { describeStoreContract } from '../support/store-contract.js';
import { eventually } from '../support/eventually.js';
import { connectBus, type Bus } from '../../shared/nats/connection.js';
import { connectStore } from '../../shared/client/nats-store-client.js';
import { subjects } from '../../shared/nats/subjects.js';
import { MAX_VALUE_BYTES, type StoreClient } from '../../shared/client/store.js';

const PROGRESS_MS = 200;

describeStoreContract('store process over NATS (NatsStoreClient)', async () => {
  const nats = await startTestNats();
  const proc = await startStoreProcess({ natsUrl: nats.url, args: ['--progress-interval-ms', String(PROGRESS_MS)] });
  const buses: Bus[] = [];
  const clients: StoreClient[] = [];
  const newClient = async (): Promise<StoreClient> => {
    const bus = await connectBus({ servers: nats.url, name: `contract-${buses.length}` });
    buses.push(bus);
    const client = connectStore(bus, { clientId: `contract-${buses.length}` });
    clients.push(client);
    return client;
  };
  return {
    client: await newClient(),
    newClient,
    progressIntervalMs: PROGRESS_MS,
    async teardown() {
      for (const c of clients) await c.close();
      for (const b of buses) await b.close();
      const code = await proc.stop();
      await nats.dispose();
      expect(code, 'store exits 0 on SIGTERM').toBe(0);
    },
  };
});

describe('store process: the wire', () => {
  let nats: TestNats;
  let proc: StoreProcess;
  let bus: Bus;

  beforeAll(async () => {
    nats = await startTestNats();
    proc = await startStoreProcess({ natsUrl: nats.url });
    bus = await connectBus({ servers: nats.url, name: 'wire' });
  });
  afterAll(async () => {
    await bus?.close();
    await proc?.stop();
    await nats?.dispose();
  });

  it('answers malformed JSON and mistyped fields with BadRequest, and keeps serving', async () => {
    const junk = await bus.requestRaw(subjects.store.rpc('put'), new TextEncoder().encode('{"key": '));
    expect(JSON.parse(new TextDecoder().decode(junk)).error).toMatchObject({ reason: 'BadRequest', code: 400 });
    for (const [op, body] of [
      ['put', { key: 7, value: 'v' }],
      ['put', { key: '/k', value: { not: 'text' } }],
      ['range', []],
      ['delete', { key: '/k', expectedModRevision: 'one' }],
      ['lease.keepalive', {}],
      ['watch.create', { deliver: 'kubemu.x.*', fromRevision: 0, params: { prefix: '/' } }],
      ['watch.keepalive', { ids: 'all' }],
    ] as const) {
      const err = await bus.request(subjects.store.rpc(op), body).catch((e) => e);
      expect(err, `${op} ${JSON.stringify(body)}`).toMatchObject({ reason: 'BadRequest' });
    }
    expect(await bus.request(subjects.store.rpc('status'), {})).toMatchObject({ revision: expect.any(Number) });
  });

  it('refuses an oversized value itself, not only in the client', async () => {
    const err = await bus.request(subjects.store.rpc('put'), { key: '/big', value: 'x'.repeat(MAX_VALUE_BYTES + 1) }).catch((e) => e);
    expect(err).toMatchObject({ reason: 'RequestEntityTooLarge', code: 413 });
  });

  it('announces itself with a hello when it starts serving', async () => {
    const hellos: unknown[] = [];
    const sub = bus.subscribe(subjects.store.hello(), (m) => hellos.push(m));
    await bus.flush();
    await proc.restart();
    await eventually(() => expect(hellos).toEqual([{ revision: expect.any(Number) }]));
    sub.unsubscribe();
  });
});
