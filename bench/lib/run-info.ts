/**
 * What every benchmark run records about itself, so a number can be traced to what produced it:
 * the commit measured (`+dirty` when tracked files had changes: dist/ is built from the work
 * tree), the machine, Node's version and the load average (the machine is shared; a loaded minute
 * shows here). Reads git and the OS only; never fails (unknown values read `unknown`).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { ROOT } from './kubemu-processes.js';

/** The commit measured, `+dirty` when the work tree had changes (dist/ is built from the tree). */
export function gitCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '+dirty' : ''}`;
}

/** The 1, 5 and 15 minute load averages, `3.42 6.21 8.24`. */
export const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** `2 × AMD EPYC …, 24 GiB`. */
export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
}

export interface RunMeta {
  date: string;
  commit: string;
  command: string;
  machine: string;
  node: string;
  loadavgBefore: string;
  loadavgAfter: string;
}

/** The record every run starts with: `loadavgAfter` is filled in at the end. */
export function runMeta(script: string, commit: string): RunMeta {
  return {
    date: new Date().toISOString(),
    commit,
    command: `npm run ${script} -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    node: process.version,
    loadavgBefore: load(),
    loadavgAfter: '',
  };
}
