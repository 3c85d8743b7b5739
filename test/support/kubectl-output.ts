/**
 * Reading what the real kubectl prints, for e2e assertions: its tables by column header (kubectl
 * pads columns with tabwriter, at least three spaces apart, so a header is split where two or more
 * spaces separate words and each cell is the text under its header's span — empty cells such as a
 * missing `-L` label stay empty instead of shifting the row), `get all`'s blank-line-separated
 * blocks, the `Key: value` lines of `describe`, and a kubectl left running in the background
 * (`get -w`) whose output can be awaited and which is stopped by its own pid.
 *
 * Parsing never guesses: a table whose header cannot be found throws, so a changed output format
 * fails the test that relied on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL, type E2ECluster } from './cluster.js';
import { eventually } from './eventually.js';

export interface KubectlTable {
  headers: string[];
  /** One record per row, keyed by header (`NOMINATED NODE`, `PORT(S)`, …). */
  rows: Record<string, string>[];
}

/** Parses one kubectl table (header line first). */
export function parseTable(text: string): KubectlTable {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error('no table in kubectl output (empty)');
  const header = lines[0]!;
  const starts: number[] = [];
  const headers: string[] = [];
  const re = /\S+(?: \S+)*/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    starts.push(m.index);
    headers.push(m[0]);
  }
  if (headers.length === 0 || headers[0] !== headers[0]!.toUpperCase()) throw new Error(`not a kubectl table header: ${JSON.stringify(header)}`);
  const rows = lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    headers.forEach((h, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] : undefined;
      row[h] = line.slice(starts[i], end).trim();
    });
    return row;
  });
  return { headers, rows };
}

/** Parses `get all` / `get po,svc` output: one table per blank-line-separated block. */
export function parseTables(text: string): KubectlTable[] {
  return text
    .split(/\n\s*\n/)
    .filter((block) => block.trim() !== '')
    .map(parseTable);
}

/** The values of one column, in row order. */
export function column(table: KubectlTable, header: string): string[] {
  if (!table.headers.includes(header)) throw new Error(`no column ${header} in [${table.headers.join(', ')}]`);
  return table.rows.map((r) => r[header]!);
}

/** The row whose NAME (or `name` column) equals `name`. */
export function row(table: KubectlTable, name: string, nameColumn = 'NAME'): Record<string, string> {
  const found = table.rows.find((r) => r[nameColumn] === name);
  if (!found) throw new Error(`no row ${name} in ${nameColumn}: [${column(table, nameColumn).join(', ')}]`);
  return found;
}

/**
 * The value after `Key:` on a top-level (unindented) `describe` line, with the continuation lines
 * that belong to it (indented to the value's column) joined by newlines.
 */
export function describeField(text: string, key: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${key}:`));
  if (i < 0) throw new Error(`no "${key}:" line in describe output`);
  const first = lines[i]!.slice(key.length + 1);
  const valueCol = key.length + 1 + (first.length - first.trimStart().length);
  const out = [first.trim()];
  for (const next of lines.slice(i + 1)) {
    if (next.length <= valueCol || next.slice(0, valueCol).trim() !== '') break;
    out.push(next.trim());
  }
  return out.join('\n');
}

/** The indented lines under a top-level `describe` section such as `Events:` or `Conditions:`. */
export function describeSection(text: string, key: string): string[] {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${key}:`));
  if (i < 0) throw new Error(`no "${key}:" section in describe output`);
  const out: string[] = [];
  for (const next of lines.slice(i + 1)) {
    if (!next.startsWith(' ')) break;
    out.push(next);
  }
  return out;
}

export interface BackgroundKubectl {
  /** Everything printed on stdout so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Waits until stdout satisfies `test` (polling with a deadline). */
  waitFor(test: (stdout: string) => boolean, timeoutMs?: number, message?: string): Promise<string>;
  /** Stops it (SIGTERM to its own pid) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts kubectl in the background (e.g. `get po -w`) against the cluster, with its own cache dir. */
export function startKubectl(c: E2ECluster, args: string[]): BackgroundKubectl {
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubemu-kubectl-bg-'));
  const child: ChildProcess = spawn(KUBECTL, ['--kubeconfig', c.kubeconfig, '--cache-dir', cacheDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    waitFor: (test, timeoutMs = 10_000, message = `kubectl ${args.join(' ')} did not print what was expected`) =>
      eventually(
        () => {
          if (!test(stdout)) throw new Error(`stdout so far:\n${stdout}\nstderr:\n${stderr}`);
          return stdout;
        },
        { timeoutMs, message },
      ),
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await exited;
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
