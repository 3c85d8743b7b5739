/**
 * The store's durable log in JetStream: one stream (`subjects.storeLog.stream`), one subject per
 * key, one message per change. A message's stream sequence **is** the change's revision.
 *
 * - `append(entry, expectedLastSeq)` publishes with JetStream's expected-last-sequence check, so
 *   the log only grows by the revision the writer predicted; a second writer (or a write that
 *   landed after its ack was lost) makes the next append fail instead of forking history.
 * - `replay(fromSeq, fn)` reads entries back in order (for start-up and resync).
 * - `purgeKey(key, beforeSeq)` trims one key's old entries after a compaction; it never changes
 *   the stream's last sequence, so revisions keep counting from where they were.
 *
 * Encoding: a one-line JSON header (`{"k":key,"o":"p"|"d","l":lease,"c":createRevision,"n":version}`),
 * a newline, then the value's UTF-8 bytes unescaped. Every entry is self-describing, so a key's
 * entries older than its latest kept version can be trimmed without losing createRevision/version.
 *
 * Durability: nats-server's file store writes a message to its block file before it acks, but it
 * does not fsync. An acknowledged entry therefore survives SIGKILL of the store and of nats-server
 * (the data is in the kernel's page cache), not a power loss of the machine.
 */
import { openStream, type DurableStream, type StreamConfig } from '../../shared/nats/jetstream.js';
import type { Bus } from '../../shared/nats/connection.js';
import { subjects } from '../../shared/nats/subjects.js';
import { MAX_VALUE_BYTES } from '../../shared/client/store.js';
import type { LogEntry } from './mvcc.js';

/** Longest key, in UTF-8 bytes: its subject (base64url) must fit NATS' 4 KiB control line. */
export const MAX_KEY_BYTES = 2048;

/** The role the writer and start-up need; JetStreamLog is the real one, tests may fake it. */
export interface StoreLog {
  /** Resolves with the entry's sequence (= expectedLastSeq + 1); rejects on conflict, timeout, outage. */
  append(entry: LogEntry, expectedLastSeq: number): Promise<number>;
  /** Calls `onEntry` for every entry with seq ≥ fromSeq up to the log's end at call time; returns the count. */
  replay(fromSeq: number, onEntry: (entry: LogEntry, seq: number) => void): Promise<number>;
  /** The sequence of the last entry ever appended (trimmed entries included). */
  lastSeq(): Promise<number>;
  /** Forgets `key`'s entries below `beforeSeq`. */
  purgeKey(key: string, beforeSeq: number): Promise<number>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Header {
  k: string;
  o: 'p' | 'd';
  l?: number;
  c?: number;
  n?: number;
}

export function encodeEntry(e: LogEntry): Uint8Array {
  const h: Header = e.op === 'delete' ? { k: e.key, o: 'd' } : { k: e.key, o: 'p', l: e.lease, c: e.createRevision, n: e.version };
  return encoder.encode(`${JSON.stringify(h)}\n${e.value}`);
}

export function decodeEntry(data: Uint8Array): LogEntry {
  const nl = data.indexOf(10);
  if (nl < 0) throw new Error('log entry without a header line');
  const h = JSON.parse(decoder.decode(data.subarray(0, nl))) as Header;
  if (typeof h.k !== 'string' || (h.o !== 'p' && h.o !== 'd')) throw new Error('log entry with a malformed header');
  if (h.o === 'd') return { key: h.k, op: 'delete', value: '', lease: 0, createRevision: 0, version: 0 };
  return {
    key: h.k,
    op: 'put',
    value: decoder.decode(data.subarray(nl + 1)),
    lease: h.l ?? 0,
    createRevision: h.c ?? 0,
    version: h.n ?? 1,
  };
}

/** The log's stream: file storage, `replicas` copies, messages up to a full value plus its header. */
export function logStreamConfig(replicas: number): StreamConfig {
  return {
    name: subjects.storeLog.stream,
    subjects: [subjects.storeLog.all()],
    replicas,
    maxMsgSize: MAX_VALUE_BYTES + MAX_KEY_BYTES + 1024,
  };
}

export class JetStreamLog implements StoreLog {
  constructor(
    private readonly stream: DurableStream,
    private readonly appendTimeoutMs: number,
  ) {}

  /** Opens (or creates) the stream (see logStreamConfig). */
  static async open(bus: Bus, opts: { replicas: number; appendTimeoutMs?: number }): Promise<JetStreamLog> {
    const stream = await openStream(bus, logStreamConfig(opts.replicas));
    return new JetStreamLog(stream, opts.appendTimeoutMs ?? 5000);
  }

  append(entry: LogEntry, expectedLastSeq: number): Promise<number> {
    return this.stream.append(subjects.storeLog.key(entry.key), encodeEntry(entry), expectedLastSeq, this.appendTimeoutMs);
  }

  replay(fromSeq: number, onEntry: (entry: LogEntry, seq: number) => void): Promise<number> {
    return this.stream.read(fromSeq, (m) => onEntry(decodeEntry(m.data), m.seq));
  }

  async lastSeq(): Promise<number> {
    return (await this.stream.state()).lastSeq;
  }

  purgeKey(key: string, beforeSeq: number): Promise<number> {
    return this.stream.purge(subjects.storeLog.key(key), beforeSeq);
  }
}
