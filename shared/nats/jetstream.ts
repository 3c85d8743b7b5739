/**
 * JetStream primitives for the store's durable log: a file-backed stream that kubemu appends to
 * with an expected last sequence (so exactly one writer can extend it), reads back in order from
 * any sequence, and trims per subject; plus a small KV bucket for the store's metadata.
 *
 * Part of the bus module (shared/nats), the only place that imports `nats`. It knows nothing of
 * keys, revisions or Kubernetes: the store's log.ts gives those meanings.
 */
import {
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type KV,
} from 'nats';
import type { Bus } from './connection.js';
import { conflict, serviceUnavailable } from '../api/errors.js';

export interface StreamConfig {
  name: string;
  subjects: string[];
  replicas: number;
  /** Largest single message (bytes); nats-server's max_payload must allow it too. */
  maxMsgSize: number;
}

export interface StreamState {
  firstSeq: number;
  lastSeq: number;
  messages: number;
}

export interface StreamMessage {
  seq: number;
  subject: string;
  data: Uint8Array;
}

export interface DurableStream {
  state(): Promise<StreamState>;
  /** Appends; fails with a Conflict StatusError if the stream's last sequence is not `expectedLastSeq`. */
  append(subject: string, data: Uint8Array, expectedLastSeq: number, timeoutMs?: number): Promise<number>;
  /** Calls `onMessage` for every message with seq ≥ fromSeq, in order, up to the stream's end at call time. */
  read(fromSeq: number, onMessage: (m: StreamMessage) => void): Promise<number>;
  /** Removes the messages of `subject` below `beforeSeq` (all of them when omitted). */
  purge(subject: string, beforeSeq?: number): Promise<number>;
}

export interface MetaBucket {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

function unavailable(err: unknown): Error {
  return serviceUnavailable(`JetStream unavailable: ${(err as Error)?.message ?? String(err)}`);
}

/** What JetStream answers a publish with. */
interface PubAck {
  seq?: number;
  error?: { code?: number; err_code?: number; description?: string };
}

const ackDecoder = new TextDecoder();

class JetStreamDurableStream implements DurableStream {
  constructor(
    private readonly bus: Bus,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly name: string,
  ) {}

  async state(): Promise<StreamState> {
    try {
      const info = await this.jsm.streams.info(this.name);
      return { firstSeq: info.state.first_seq, lastSeq: info.state.last_seq, messages: info.state.messages };
    } catch (err) {
      throw unavailable(err);
    }
  }

  /**
   * A JetStream publish sent through the bus' own request mux rather than `js.publish`: measured
   * 2.3× less CPU per append (nats.js allocates an Error and a timer per request), which is most
   * of the store's write cost.
   */
  async append(subject: string, data: Uint8Array, expectedLastSeq: number, timeoutMs = 5000): Promise<number> {
    let ack: PubAck;
    try {
      const reply = await this.bus.requestRaw(subject, data, {
        timeoutMs,
        headers: { 'Nats-Expected-Last-Sequence': String(expectedLastSeq) },
      });
      ack = JSON.parse(ackDecoder.decode(reply)) as PubAck;
    } catch (err) {
      throw unavailable(err);
    }
    if (ack.error) {
      const msg = ack.error.description ?? `JetStream error ${ack.error.err_code ?? ack.error.code ?? ''}`;
      if (/wrong last sequence/i.test(msg)) throw conflict('log', this.name, `another writer extended the log: ${msg}`);
      throw unavailable(new Error(msg));
    }
    if (typeof ack.seq !== 'number') throw unavailable(new Error('JetStream answered without a sequence'));
    return ack.seq;
  }

  async read(fromSeq: number, onMessage: (m: StreamMessage) => void): Promise<number> {
    const { lastSeq, messages } = await this.state();
    if (messages === 0 || lastSeq < fromSeq) return 0;
    let count = 0;
    let cursor = Math.max(1, fromSeq);
    try {
      const consumer = await this.js.consumers.get(this.name, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: cursor,
      });
      while (cursor <= lastSeq) {
        const batch = await consumer.fetch({ max_messages: 2000, expires: 2000 });
        let got = 0;
        for await (const m of batch) {
          got++;
          if (m.seq > lastSeq) break;
          onMessage({ seq: m.seq, subject: m.subject, data: m.data });
          count++;
          cursor = m.seq + 1;
          if (m.info.pending === 0) cursor = lastSeq + 1;
          // Done: leave now rather than wait for the batch to fill or expire (2 s).
          if (cursor > lastSeq) break;
        }
        if (got === 0) break; // nothing more (the tail was trimmed)
      }
      await consumer.delete().catch(() => undefined);
    } catch (err) {
      throw unavailable(err);
    }
    return count;
  }

  async purge(subject: string, beforeSeq?: number): Promise<number> {
    try {
      const r = await this.jsm.streams.purge(this.name, beforeSeq ? { filter: subject, seq: beforeSeq } : { filter: subject });
      return r.purged;
    } catch (err) {
      throw unavailable(err);
    }
  }
}

/** Creates the stream if absent (file storage), or updates its replicas / size limit to match. */
export async function openStream(bus: Bus, cfg: StreamConfig): Promise<DurableStream> {
  try {
    const jsm = await bus.nc.jetstreamManager({ timeout: 5000 });
    const wanted = {
      name: cfg.name,
      subjects: cfg.subjects,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: cfg.replicas,
      max_msg_size: cfg.maxMsgSize,
      allow_direct: true,
    };
    try {
      const info = await jsm.streams.info(cfg.name);
      if (info.config.num_replicas !== cfg.replicas || info.config.max_msg_size !== cfg.maxMsgSize) {
        await jsm.streams.update(cfg.name, { ...info.config, num_replicas: cfg.replicas, max_msg_size: cfg.maxMsgSize });
      }
    } catch (err) {
      if (!/stream not found/i.test((err as Error).message ?? '')) throw err;
      await jsm.streams.add(wanted);
    }
    return new JetStreamDurableStream(bus, bus.nc.jetstream({ timeout: 5000 }), jsm, cfg.name);
  } catch (err) {
    throw unavailable(err);
  }
}

class JetStreamMetaBucket implements MetaBucket {
  constructor(private readonly kv: KV) {}

  async get(key: string): Promise<string | undefined> {
    try {
      const e = await this.kv.get(key);
      if (!e || e.operation !== 'PUT') return undefined;
      return e.string();
    } catch (err) {
      throw unavailable(err);
    }
  }

  async put(key: string, value: string): Promise<void> {
    try {
      await this.kv.put(key, value);
    } catch (err) {
      throw unavailable(err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.kv.purge(key);
    } catch (err) {
      throw unavailable(err);
    }
  }

  async keys(): Promise<string[]> {
    try {
      const out: string[] = [];
      for await (const k of await this.kv.keys()) out.push(k);
      return out;
    } catch (err) {
      throw unavailable(err);
    }
  }
}

/** A KV bucket (history 1, file storage) for small metadata such as compaction marks and leases. */
export async function openMetaBucket(bus: Bus, bucket: string, replicas: number): Promise<MetaBucket> {
  try {
    const js = bus.nc.jetstream({ timeout: 5000 });
    const kv = await js.views.kv(bucket, { history: 1, replicas, storage: StorageType.File });
    return new JetStreamMetaBucket(kv);
  } catch (err) {
    throw unavailable(err);
  }
}
