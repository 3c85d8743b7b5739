/**
 * The watching process of the store benchmark (a child of bench/store.ts, talking over Node IPC).
 *
 *   node --import tsx bench/lib/watcher-main.ts '<json: WatcherSpec & {prefix}>'
 *
 * It opens one watch on `prefix` with the store's own client (kubemu: `NatsStoreClient`; etcd:
 * the benchmark's gRPC or gateway client, as for the writes) and, for every PUT event, records now − the value's write-start stamp
 * (both readings of the machine-wide monotonic clock). The arrival time is read once per delivered
 * batch, before anything else is done with it, so both stores are timed at the same point: the
 * client library has decoded the message, nothing more.
 *
 * IPC: sends `{ready}` once the watch exists; on `{expect: n}` it forgets old samples, answers
 * `{armed}`, and sends `{samples}` (ns) after the n-th event. Exits on `{stop}` or when the parent goes.
 */
import { connectBus } from '../../shared/nats/connection.js';
import { NatsStoreClient } from '../../shared/client/nats-store-client.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { etcdClient } from './targets.js';
import { stampOf, type WatcherSpec } from './target.js';

type Spec = WatcherSpec & { prefix: string };
type Command = { expect: number } | { stop: true };

const send = (msg: unknown): void => {
  process.send?.(msg);
};

let samples: number[] = [];
let want = Infinity;

function record(now: bigint, value: string): void {
  const t = stampOf(value);
  if (t === undefined) return;
  samples.push(Number(now - t));
  if (samples.length >= want) {
    send({ samples });
    samples = [];
    want = Infinity;
  }
}

async function openWatch(spec: Spec): Promise<() => Promise<void>> {
  if (spec.kind === 'kubemu') {
    const bus = await connectBus({ servers: spec.natsUrl, name: `bench-watcher-${process.pid}`, log: silentLogger() });
    const client = new NatsStoreClient(bus, { clientId: `bench-watcher-${process.pid}`, log: silentLogger() });
    const w = await client.watch(spec.prefix, 0, {
      onEvents(events) {
        const now = process.hrtime.bigint();
        for (const e of events) if (e.type === 'PUT') record(now, e.kv.value);
      },
      onError(err) {
        send({ error: err.message });
      },
    });
    return async () => {
      await w.cancel();
      await client.close();
      await bus.close();
    };
  }
  const client = etcdClient(spec.protocol, spec.url, 1);
  const w = await client.watch(spec.prefix, (values) => {
    const now = process.hrtime.bigint();
    for (const v of values) record(now, v);
  });
  return async () => {
    w.close();
    client.close();
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
  const close = await openWatch(spec);
  process.on('message', (m: Command) => {
    if ('expect' in m) {
      samples = [];
      want = m.expect;
      send({ armed: true });
    } else if ('stop' in m) {
      void close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}

main().catch((err: unknown) => {
  send({ error: (err as Error).message ?? String(err) });
  process.exit(1);
});
