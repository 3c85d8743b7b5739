/**
 * Container logs: one file per container instance in the CRI log format Kubernetes uses
 * (`<RFC3339Nano time> <stdout|stderr> <F|P> <bytes>\n`; F ends a line whose newline was stripped,
 * P is a piece of a longer line), and the reader behind `kubectl logs`.
 *
 * Writer invariants: entries are appended synchronously in the order the runtime read them, so a
 * reader that reads the files and subscribes in one step sees every entry exactly once. A line is
 * cut into P pieces at 16 KiB; output without a trailing newline waits for it (a P entry is written
 * when the instance ends). Size limit: when the current file would pass half of `maxBytes` it
 * becomes `<file>.1` (replacing the older one), so an instance never keeps more than `maxBytes` on
 * disk and a reader always has at least the last half.
 *
 * Reader (`readLogs`): the entries of the rotated and current file, then filters as kubelet does:
 * `sinceSeconds` by entry time, `tailLines` as the last N entries, `timestamps` prefixes each entry
 * with its time, `limitBytes` stops the stream after that many bytes. `follow` keeps streaming new
 * entries until the writer closes (the instance ended) or the reader is cancelled. Delivery yields
 * to the event loop every 256 KiB and honours `pause`/`resume` (back-pressure from a slow client).
 * Never throws into the caller: failures end the stream with an error.
 */
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { Clock } from '../../../../shared/runtime/clock.js';
import type { LogOptions, LogReader, LogStream } from '../runtime.js';

export type LogStreamName = 'stdout' | 'stderr';

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
const MAX_LINE = 16 * 1024;
const NL = 0x0a;

interface Entry {
  time: string;
  ms: number;
  stream: LogStreamName;
  partial: boolean;
  content: Buffer;
}

/** RFC 3339 with nanoseconds, as CRI log lines carry (kubemu's clock has milliseconds). */
function nanoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000000Z');
}

export class LogWriter {
  private fd: number | undefined;
  private size = 0;
  private pending: Record<LogStreamName, Buffer[]> = { stdout: [], stderr: [] };
  private pendingBytes: Record<LogStreamName, number> = { stdout: 0, stderr: 0 };
  private followers = new Set<(e: Entry) => void>();
  private closers = new Set<() => void>();
  private closed = false;

  constructor(readonly path: string, private clock: Clock, private maxBytes = DEFAULT_LOG_MAX_BYTES) {
    try {
      this.fd = openSync(path, 'a');
    } catch {
      this.fd = undefined; // logs are lost, the container is not: a full disk must not fail a pod
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Bytes the container wrote on one of its streams. */
  write(stream: LogStreamName, chunk: Buffer): void {
    if (this.closed) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      if (nl < 0) break;
      this.emit(stream, Buffer.concat([...this.pending[stream], chunk.subarray(start, nl)]), false);
      this.pending[stream] = [];
      this.pendingBytes[stream] = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.pending[stream].push(chunk.subarray(start));
      this.pendingBytes[stream] += chunk.length - start;
      while (this.pendingBytes[stream] >= MAX_LINE) {
        const all = Buffer.concat(this.pending[stream]);
        this.emit(stream, all.subarray(0, MAX_LINE), true);
        const rest = all.subarray(MAX_LINE);
        this.pending[stream] = rest.length ? [rest] : [];
        this.pendingBytes[stream] = rest.length;
      }
    }
  }

  /** The instance ended: unfinished lines are written as P entries and followers are released. */
  close(): void {
    if (this.closed) return;
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.pendingBytes[s] > 0) this.emit(s, Buffer.concat(this.pending[s]), true);
      this.pending[s] = [];
    }
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    for (const c of [...this.closers]) c();
    this.followers.clear();
    this.closers.clear();
  }

  /** Subscribes to entries written from now on; `onClose` fires when the instance ends. */
  follow(onEntry: (e: Entry) => void, onClose: () => void): () => void {
    if (this.closed) {
      onClose();
      return () => {};
    }
    this.followers.add(onEntry);
    this.closers.add(onClose);
    return () => {
      this.followers.delete(onEntry);
      this.closers.delete(onClose);
    };
  }

  private emit(stream: LogStreamName, content: Buffer, partial: boolean): void {
    const ms = this.clock.now();
    const entry: Entry = { time: nanoTime(ms), ms, stream, partial, content };
    const line = Buffer.concat([Buffer.from(`${entry.time} ${stream} ${partial ? 'P' : 'F'} `), content, Buffer.from('\n')]);
    if (this.fd !== undefined) {
      try {
        if (this.size + line.length > this.maxBytes / 2 && this.size > 0) this.rotate();
        if (this.fd !== undefined) {
          writeSync(this.fd, line);
          this.size += line.length;
        }
      } catch {
        // a write error loses this entry only
      }
    }
    for (const f of this.followers) f(entry);
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }
}

function parseEntries(buf: Buffer, out: Entry[]): void {
  let start = 0;
  while (start < buf.length) {
    let nl = buf.indexOf(NL, start);
    if (nl < 0) nl = buf.length;
    const line = buf.subarray(start, nl);
    start = nl + 1;
    const s1 = line.indexOf(0x20);
    const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
    const s3 = s2 < 0 ? -1 : line.indexOf(0x20, s2 + 1);
    if (s3 < 0) continue;
    const time = line.subarray(0, s1).toString();
    const stream = line.subarray(s1 + 1, s2).toString();
    const tag = line.subarray(s2 + 1, s3).toString();
    if (stream !== 'stdout' && stream !== 'stderr') continue;
    out.push({ time, ms: Date.parse(time), stream, partial: tag === 'P', content: line.subarray(s3 + 1) });
  }
}

/** Every entry kept for an instance, oldest first. */
export function readEntries(path: string): Entry[] {
  const out: Entry[] = [];
  for (const p of [`${path}.1`, path]) {
    let buf: Buffer;
    try {
      buf = readFileSync(p);
    } catch {
      continue;
    }
    parseEntries(buf, out);
  }
  return out;
}

function render(e: Entry, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${e.time} `));
  parts.push(e.content);
  if (!e.partial) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** Bytes delivered in one go before the reader yields to the event loop (a 10 MiB log must not stall the kubelet). */
const SLICE_BYTES = 256 * 1024;

/**
 * Streams one instance's log. `writer` is the instance's live writer (needed for `follow`; absent
 * for an instance whose writer is gone). `pause` stops delivery (entries that arrive meanwhile
 * wait in order) until `resume`.
 */
export function streamLog(path: string, writer: LogWriter | undefined, opts: LogOptions, clock: Clock, out: LogStream): LogReader {
  let done = false;
  let paused = false;
  let finished = false;
  let scheduled = false;
  let unfollow: () => void = () => {};
  let budget = opts.limitBytes !== undefined && opts.limitBytes > 0 ? opts.limitBytes : Infinity;
  const queue: Entry[] = [];
  const end = (err?: Error): void => {
    if (done) return;
    done = true;
    queue.length = 0;
    unfollow();
    try {
      out.onEnd(err);
    } catch {
      // the consumer's problem
    }
  };
  const send = (e: Entry): void => {
    let bytes = render(e, opts.timestamps === true);
    if (bytes.length > budget) bytes = bytes.subarray(0, budget);
    budget -= bytes.length;
    try {
      if (bytes.length) out.onData(bytes);
    } catch (err) {
      return end(err instanceof Error ? err : new Error(String(err)));
    }
    if (budget <= 0) end();
  };
  const pump = (): void => {
    scheduled = false;
    let sent = 0;
    while (!done && !paused && queue.length) {
      if (sent >= SLICE_BYTES) return schedule();
      const e = queue.shift()!;
      sent += e.content.length;
      send(e);
    }
    if (!done && !paused && finished) end();
  };
  const schedule = (): void => {
    if (scheduled || done) return;
    scheduled = true;
    setImmediate(pump);
  };

  void (async () => {
    await Promise.resolve();
    if (done) return;
    try {
      let entries = readEntries(path);
      if (opts.sinceSeconds !== undefined && opts.sinceSeconds > 0) {
        const since = clock.now() - opts.sinceSeconds * 1000;
        entries = entries.filter((e) => !(e.ms < since));
      }
      if (opts.tailLines !== undefined && opts.tailLines >= 0) entries = entries.slice(Math.max(0, entries.length - opts.tailLines));
      queue.push(...entries);
      // Subscribing in the same synchronous step as the read: nothing is missed or repeated.
      if (opts.follow && writer?.isOpen) {
        unfollow = writer.follow(
          (e) => {
            queue.push(e);
            if (!scheduled) pump();
          },
          () => {
            finished = true;
            pump();
          },
        );
      } else {
        finished = true;
      }
      pump();
    } catch (err) {
      end(err instanceof Error ? err : new Error(String(err)));
    }
  })();

  return {
    cancel: () => end(),
    pause: () => {
      paused = true;
    },
    resume: () => {
      if (!paused) return;
      paused = false;
      schedule();
    },
  };
}
