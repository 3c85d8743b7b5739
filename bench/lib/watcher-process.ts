/**
 * Parent side of a benchmark watcher (./watcher-main.ts): starts it as its own Node process, waits
 * until its watch is open, and collects the delivery latencies of the next n events.
 *
 * `arm(n)` must resolve before the writes start (the child forgets earlier samples when armed);
 * the promise it returns resolves with the n latencies (ns), or rejects after `timeoutMs` saying
 * the watch fell behind or lost events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, stopChild } from './kubemu-processes.js';
import type { WatcherSpec } from './target.js';

type Reply = { ready: true } | { armed: true } | { samples: number[] } | { error: string };

export interface WatcherProcess {
  readonly pid: number;
  /** Arms for `n` events; resolves once armed, with a promise of their latencies (ns). */
  arm(n: number, timeoutMs: number): Promise<{ delivered: Promise<number[]> }>;
  stop(): Promise<void>;
}

function nextReply(child: ChildProcess, want: 'ready' | 'armed' | 'samples', timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`watcher ${child.pid}: no '${want}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: Reply): void => {
      if ('error' in m) {
        cleanup();
        reject(new Error(`watcher ${child.pid}: ${m.error}`));
      } else if (want in m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`watcher ${child.pid} exited (${code}) while waiting for '${want}'`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startWatcher(spec: WatcherSpec, prefix: string): Promise<WatcherProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/lib/watcher-main.ts'), JSON.stringify({ ...spec, prefix })], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    await nextReply(child, 'ready', 60_000);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return {
    pid: child.pid!,
    async arm(n, timeoutMs) {
      const armed = nextReply(child, 'armed', 10_000);
      child.send({ expect: n });
      await armed;
      const delivered = nextReply(child, 'samples', timeoutMs).then((r) => (r as { samples: number[] }).samples);
      delivered.catch(() => undefined); // observed by the caller; avoid an unhandled rejection meanwhile
      return { delivered };
    },
    async stop() {
      if (child.connected) child.send({ stop: true });
      await stopChild(child, 3000);
    },
  };
}
