/**
 * The floors under the process runtime's start times: how long this machine takes, from Node.js,
 * to start a process and hear from it — plain, through the pod sandbox's namespace chain, and a
 * Node.js program. A pod start with the process runtime cannot be faster than its spawns, so
 * these say how much of `scheduled → accepted → running` is the operating system.
 *
 * Each case is spawned `n` times one after another; the time is spawn → first byte on stdout
 * (the process is then SIGKILLed). The namespace case needs root and util-linux (as the runtime's
 * isolation does); where it cannot run it is reported as failed, not thrown.
 */
import { spawn } from 'node:child_process';
import { percentile } from './stats.js';

export interface SpawnFloor {
  id: string;
  title: string;
  p50Ms: number;
  p90Ms: number;
  error?: string;
}

const CASES: { id: string; title: string; argv: string[] }[] = [
  { id: 'sh', title: 'sh -c echo', argv: ['/bin/sh', '-c', 'echo ready'] },
  {
    id: 'sandbox',
    title: 'setpriv → unshare (mount, UTS, PID) → sh: the pod sandbox chain',
    argv: ['setpriv', '--pdeathsig', 'KILL', 'unshare', '--mount', '--uts', '--pid', '--fork', '--mount-proc', '--kill-child', '--', '/bin/sh', '-c', 'printf %s bench > /proc/sys/kernel/hostname && echo ready && exec sleep 1000'],
  },
  { id: 'node', title: 'node -e: a Node.js program (kubia is one)', argv: [process.execPath, '-e', "process.stdout.write('up')"] },
];

function once(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => {
      resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      child.kill('SIGKILL');
    });
    child.once('error', reject);
    child.once('close', (code) => reject(new Error(`exited (${code}) before it answered`)));
  });
}

export async function spawnFloors(n: number): Promise<SpawnFloor[]> {
  const out: SpawnFloor[] = [];
  for (const c of CASES) {
    try {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) ms.push(await once(c.argv));
      ms.sort((a, b) => a - b);
      out.push({ id: c.id, title: c.title, p50Ms: percentile(ms, 50), p90Ms: percentile(ms, 90) });
    } catch (err) {
      out.push({ id: c.id, title: c.title, p50Ms: NaN, p90Ms: NaN, error: (err as Error).message });
    }
  }
  return out;
}
