/**
 * Container logs of the process runtime: CRI-format files written by LogWriter (lines, partial
 * lines, rotation under a size limit) and read back like `kubectl logs` (tail, since, timestamps,
 * limit, previous instance left to the runtime, follow with back-pressure).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogWriter, readEntries, streamLog } from '../../services/kubelet/runtime/process/logs.js';
import type { LogOptions } from '../../services/kubelet/runtime/runtime.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { eventually } from '../support/eventually.js';

let dir: string;
let clock: FakeClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubemu-logs-'));
  clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function read(path: string, writer: LogWriter | undefined, opts: LogOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    streamLog(path, writer, opts, clock, {
      onData: (c) => (text += Buffer.from(c).toString()),
      onEnd: (err) => (err ? reject(err) : resolve(text)),
    });
  });
}

describe('LogWriter', () => {
  it('writes one CRI entry per line, joining lines split across chunks', () => {
    const path = join(dir, '0.log');
    const w = new LogWriter(path, clock);
    w.write('stdout', Buffer.from('hel'));
    w.write('stdout', Buffer.from('lo\nworld\n'));
    clock.advance(1500);
    w.write('stderr', Buffer.from('oops\n'));
    w.close();
    expect(readFileSync(path, 'utf8')).toBe(
      '2026-01-01T12:00:00.000000000Z stdout F hello\n' +
        '2026-01-01T12:00:00.000000000Z stdout F world\n' +
        '2026-01-01T12:00:01.500000000Z stderr F oops\n',
    );
  });

  it('writes an unfinished line as a partial entry when the instance ends, and cuts long lines', () => {
    const path = join(dir, '0.log');
    const w = new LogWriter(path, clock);
    w.write('stdout', Buffer.alloc(20_000, 'a'));
    w.write('stdout', Buffer.from('\nno newline'));
    w.close();
    const entries = readEntries(path);
    expect(entries.map((e) => [e.partial, e.content.length])).toEqual([[true, 16_384], [false, 3_616], [true, 10]]);
  });

  it('keeps an instance within its size limit by rotating, with the newest half readable', async () => {
    const path = join(dir, '0.log');
    const w = new LogWriter(path, clock, 4096);
    for (let i = 0; i < 200; i++) w.write('stdout', Buffer.from(`line ${i}\n`));
    w.close();
    const total = statSync(path).size + statSync(`${path}.1`).size;
    expect(total).toBeLessThanOrEqual(4096);
    const lines = (await read(path, undefined)).trimEnd().split('\n');
    // Each entry takes ≈45 bytes on disk: at least the newest half (2 KiB) is ≈45 lines.
    expect(lines.length).toBeGreaterThanOrEqual(40);
    expect(lines).toEqual(Array.from({ length: lines.length }, (_, i) => `line ${200 - lines.length + i}`));
  });
});

describe('reading logs', () => {
  function sample(): string {
    const path = join(dir, '0.log');
    const w = new LogWriter(path, clock);
    for (let i = 1; i <= 5; i++) {
      w.write(i % 2 ? 'stdout' : 'stderr', Buffer.from(`line ${i}\n`));
      clock.advance(10_000);
    }
    w.close();
    return path;
  }

  it('returns stdout and stderr interleaved as written', async () => {
    expect(await read(sample(), undefined)).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
  });

  it('honours tailLines, sinceSeconds, timestamps and limitBytes', async () => {
    const path = sample();
    expect(await read(path, undefined, { tailLines: 2 })).toBe('line 4\nline 5\n');
    expect(await read(path, undefined, { tailLines: 0 })).toBe('');
    // now = 12:00:50; since 25 s → entries at 12:00:30 and later
    expect(await read(path, undefined, { sinceSeconds: 25 })).toBe('line 4\nline 5\n');
    expect(await read(path, undefined, { timestamps: true, tailLines: 1 })).toBe('2026-01-01T12:00:40.000000000Z line 5\n');
    expect(await read(path, undefined, { limitBytes: 9 })).toBe('line 1\nli');
  });

  it('answers an empty log for an instance that wrote nothing', async () => {
    expect(await read(join(dir, 'missing.log'), undefined)).toBe('');
  });

  it('follows new entries until the instance ends', async () => {
    const path = join(dir, '0.log');
    const w = new LogWriter(path, clock);
    w.write('stdout', Buffer.from('before\n'));
    const got = read(path, w, { follow: true });
    await Promise.resolve();
    await Promise.resolve();
    w.write('stdout', Buffer.from('after\n'));
    w.write('stdout', Buffer.from('tail without newline'));
    w.close();
    expect(await got).toBe('before\nafter\ntail without newline');
  });

  it('holds entries back while paused and delivers them in order on resume', async () => {
    const path = join(dir, '0.log');
    const w = new LogWriter(path, clock);
    w.write('stdout', Buffer.from('one\n'));
    let text = '';
    let ended = false;
    const reader = streamLog(path, w, { follow: true }, clock, {
      onData: (c) => {
        text += Buffer.from(c).toString();
        reader.pause?.();
      },
      onEnd: () => (ended = true),
    });
    await eventually(() => text === 'one\n');
    w.write('stdout', Buffer.from('two\nthree\n'));
    expect(text).toBe('one\n');
    reader.resume?.();
    await eventually(() => text === 'one\ntwo\n');
    reader.resume?.();
    await eventually(() => text === 'one\ntwo\nthree\n');
    w.close();
    reader.resume?.();
    await eventually(() => ended);
  });

  it('ends a followed stream when cancelled', async () => {
    const path = join(dir, '0.log');
    const w = new LogWriter(path, clock);
    let ended = false;
    const reader = streamLog(path, w, { follow: true }, clock, { onData: () => {}, onEnd: () => (ended = true) });
    reader.cancel();
    expect(ended).toBe(true);
    w.write('stdout', Buffer.from('ignored\n'));
    w.close();
  });
});
