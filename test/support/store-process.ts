/**
 * The store as a real child process for tests: `node --import tsx services/store/main.ts`, its
 * output kept in memory (shown when it fails to start), ready once it logged "serving".
 * `kill()` SIGKILLs it, `stop()` SIGTERMs it (and reports the exit code), `restart()` starts it
 * again with the same flags.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface StoreProcessOptions {
  natsUrl: string;
  /** Extra flags, e.g. ['--progress-interval-ms', '200']. */
  args?: string[];
  readyTimeoutMs?: number;
  /** Flags for node itself, e.g. ['--cpu-prof'] when profiling. */
  nodeArgs?: string[];
}

export interface StoreProcess {
  readonly pid: number | undefined;
  /** Every line it printed so far. */
  output(): string;
  kill(): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  restart(): Promise<void>;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startStoreProcess(opts: StoreProcessOptions): Promise<StoreProcess> {
  let child: ChildProcess | undefined;
  let out = '';

  const launch = async (): Promise<void> => {
    const c = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', join(ROOT, 'services/store/main.ts'), '--nats', opts.natsUrl, ...(opts.args ?? [])], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: process.env.STORE_LOG_LEVEL ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    const from = out.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`store did not start in time:\n${out}`)), opts.readyTimeoutMs ?? 30_000);
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (out.indexOf('"msg":"serving"', from) >= 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      c.once('exit', (code, sig) => {
        clearTimeout(timer);
        reject(new Error(`store exited (${code ?? sig}) before serving:\n${out}`));
      });
    }).finally(() => c.removeAllListeners('exit'));
  };

  await launch();
  return {
    get pid() {
      return child?.pid;
    },
    output: () => out,
    async kill() {
      if (!child) return;
      const c = child;
      child = undefined;
      c.kill('SIGKILL');
      await exited(c);
    },
    async stop() {
      if (!child) return null;
      const c = child;
      child = undefined;
      c.kill('SIGTERM');
      return exited(c);
    },
    async restart() {
      if (child) {
        const c = child;
        child = undefined;
        c.kill('SIGTERM');
        await exited(c);
      }
      out += '\n--- restart ---\n';
      await launch();
    },
  };
}
