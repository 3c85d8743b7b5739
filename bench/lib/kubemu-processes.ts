/**
 * kubemu's side of the benchmark as real processes: a nats-server (JetStream, file storage in a
 * temp dir on the real disk, as `kubemu up` runs it) and the `store` process, on random free
 * loopback ports.
 *
 * The store runs as compiled JavaScript from dist/ (how the launcher runs workers; tsx costs
 * start time and memory, see research/baselines.md) after `npm run build`; when the build fails
 * or `runner: 'tsx'` is asked for, it runs under `node --import tsx` and says so. Output of both
 * processes goes to files in the temp dir, shown when a start fails.
 *
 * `stop()` SIGTERMs both (SIGKILL after 5 s) and deletes the temp dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNatsServer, startNatsServer } from '../../services/kubemu/nats-server.js';
import { freePorts } from '../../services/kubemu/ports.js';
import { eventually } from '../../test/support/eventually.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type Runner = 'dist' | 'tsx';

export interface KubemuProcesses {
  natsUrl: string;
  natsPid: number;
  storePid: number;
  runner: Runner;
  natsVersion: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** `npm run build`; 'dist' when it succeeded and the store's entry exists, else 'tsx' (with the reason). */
export function buildStore(say: (msg: string) => void): Runner {
  say('building (npm run build) so the store runs as compiled JavaScript…');
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status === 0 && existsSync(join(ROOT, 'dist/services/store/main.js'))) return 'dist';
  say(`build failed (exit ${r.status ?? r.signal}); the store will run under tsx, which is slower to start but not per request:\n${(r.stdout + r.stderr).slice(0, 2000)}`);
  return 'tsx';
}

export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function natsVersion(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').trim();
}

/** `nodeArgs` go to the store's node, e.g. `['--cpu-prof', '--cpu-prof-dir', dir]` to profile it. */
export async function startKubemu(runner: Runner, nodeArgs: string[] = []): Promise<KubemuProcesses> {
  const bin = ensureNatsServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'kubemu-bench-'));
  const [port, monitorPort] = await freePorts(2);
  const nats = await startNatsServer(bin, { port, monitorPort, dataDir, serverName: 'kubemu-bench', logFile: join(dataDir, 'nats.log') });
  const natsUrl = `nats://127.0.0.1:${port}`;

  const storeLog = join(dataDir, 'store.log');
  const out = openSync(storeLog, 'a');
  const entry = runner === 'dist' ? [join(ROOT, 'dist/services/store/main.js')] : ['--import', 'tsx', join(ROOT, 'services/store/main.ts')];
  const store = spawn(process.execPath, [...nodeArgs, ...entry, '--nats', natsUrl], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', out, out],
  });
  const log = (): string => (existsSync(storeLog) ? readFileSync(storeLog, 'utf8') : '');
  const stop = async (): Promise<void> => {
    await stopChild(store);
    await stopChild(nats);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await eventually(
      () => {
        if (store.exitCode !== null) throw new Error(`store exited (${store.exitCode}):\n${log()}`);
        return log().includes('"msg":"serving"');
      },
      { timeoutMs: 60_000, intervalMs: 50, message: 'the store did not start serving' },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { natsUrl, natsPid: nats.pid!, storePid: store.pid!, runner, natsVersion: natsVersion(bin), dataDir, stop };
}
