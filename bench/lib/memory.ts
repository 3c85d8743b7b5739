/**
 * Memory of processes, as Linux accounts it (/proc/<pid>/smaps_rollup, kernel ≥ 4.14):
 *
 * - **RSS**: resident pages, shared ones counted in full in every process that maps them — what
 *   `ps` and `top` show, and what the goals are stated in;
 * - **PSS**: each shared page divided among the processes sharing it; summing PSS over processes
 *   gives what they use together (the Node binary's text is shared by every kubemu process);
 * - **USS**: private pages only (Private_Clean + Private_Dirty) — what killing the process frees.
 *
 * Figures are MiB. A process that is gone (or a /proc without smaps_rollup) reads as undefined,
 * never throws: processes die while a benchmark looks at them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface MemoryUse {
  rssMiB: number;
  pssMiB: number;
  ussMiB: number;
}

/** Parses smaps_rollup text: `Rss:  61234 kB` lines. */
export function parseSmapsRollup(text: string): MemoryUse | undefined {
  const kb = (field: string): number | undefined => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const rss = kb('Rss');
  const pss = kb('Pss');
  if (rss === undefined || pss === undefined) return undefined;
  const uss = (kb('Private_Clean') ?? 0) + (kb('Private_Dirty') ?? 0);
  return { rssMiB: rss / 1024, pssMiB: pss / 1024, ussMiB: uss / 1024 };
}

export function memoryOf(pid: number): MemoryUse | undefined {
  try {
    return parseSmapsRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The sum over processes that could be read, and how many could. */
export function memoryOfAll(pids: number[]): MemoryUse & { processes: number } {
  const total = { rssMiB: 0, pssMiB: 0, ussMiB: 0, processes: 0 };
  for (const pid of pids) {
    const m = memoryOf(pid);
    if (!m) continue;
    total.rssMiB += m.rssMiB;
    total.pssMiB += m.pssMiB;
    total.ussMiB += m.ussMiB;
    total.processes++;
  }
  return total;
}

/**
 * The floor every kubemu process stands on: an idle Node.js process of the same binary (started,
 * printed a line, nothing loaded). Its RSS is mostly the Node binary and V8's heap set-up; most of
 * it is shared, so its PSS is much lower when other Node processes run.
 */
export async function idleNodeMemory(): Promise<MemoryUse | undefined> {
  const child = spawn(process.execPath, ['-e', "process.stdout.write('up\\n'); setInterval(() => {}, 1 << 30)"], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the idle node process exited (${code})`)));
    });
    return memoryOf(child.pid!);
  } finally {
    child.kill('SIGKILL');
  }
}
