/**
 * The end of a component's log file, made readable for a person at a terminal: what `kubemu up`
 * prints when a process fails to start.
 *
 * Component logs are pino JSON lines; each becomes `LEVEL msg (err: message)` with the first lines
 * of an error stack. Lines that are not pino JSON (nats-server, a Node crash trace) are kept as
 * they are. Only the last 256 KiB of the file are read, so a huge log costs nothing.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const MAX_READ = 256 * 1024;

export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const o = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; stack?: string } };
    const level = LEVELS[o.level ?? 30] ?? String(o.level);
    let out = `${level} ${o.msg ?? ''}`.trimEnd();
    if (o.err?.stack) out += `\n    ${o.err.stack.split('\n').slice(0, 4).join('\n    ')}`;
    else if (o.err?.message) out += ` (err: ${o.err.message})`;
    return out;
  } catch {
    return line;
  }
}

/** The last `lines` lines of `file`, formatted; '' when the file is missing or empty. */
export function logTail(file: string, lines = 25): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, MAX_READ);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const all = buf.toString('utf8').split('\n').filter((l) => l.trim() !== '');
    return all.slice(-lines).map(formatLogLine).join('\n');
  } finally {
    closeSync(fd);
  }
}
