/**
 * A whole kubemu cluster for end-to-end tests, started the way users start it: the compiled
 * `kubemu up --detach` (built first when the sources are newer than `dist/`), in a temp data dir,
 * on random free ports; driven with the real kubectl (`/usr/bin/kubectl`) against the kubeconfig it
 * wrote, with a fresh `--cache-dir` per cluster; stopped with `kubemu down`, and its data removed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../../services/kubemu/ports.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/services/kubemu/main.js');
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface E2ECluster {
  dataDir: string;
  kubeconfig: string;
  apiUrl: string;
  natsUrl: string;
  /** Runs the real kubectl against this cluster. */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<Run>;
  /** Runs the kubemu CLI on this cluster's data dir. */
  kubemu(args: string[], timeoutMs?: number): Promise<Run>;
  down(): Promise<void>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds `dist/` when it is missing or older than the sources (tests run what users run). */
export function ensureBuilt(): void {
  const built = existsSync(CLI) ? statSync(CLI).mtimeMs : 0;
  const sources = Math.max(newestMtime(join(ROOT, 'services')), newestMtime(join(ROOT, 'shared')));
  if (built >= sources) return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}

function run(file: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((res) => {
    const child = execFile(file, args, { cwd: ROOT, timeout: opts.timeoutMs ?? 60_000, env: opts.env ?? process.env, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      res({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) {
      child.stdin?.write(opts.input);
      child.stdin?.end();
    }
  });
}

/**
 * `root`: run the compiled launcher of another checkout (the benchmarks build a snapshot of a
 * commit there); the caller has built it, so nothing is built here.
 */
export async function startCluster(opts: { nodes?: number; extraArgs?: string[]; root?: string } = {}): Promise<E2ECluster> {
  if (opts.root === undefined) ensureBuilt();
  const cli = opts.root === undefined ? CLI : join(opts.root, 'dist/services/kubemu/main.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'kubemu-e2e-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'kubemu-kubectl-cache-'));
  const [apiPort, natsPort] = await freePorts(2);
  const env = { ...process.env, KUBEMU_DATA_DIR: '' };
  const kubemu = (args: string[], timeoutMs = 120_000): Promise<Run> => run(process.execPath, [cli, ...args, '--data-dir', dataDir], { timeoutMs, env });
  const up = await kubemu(['up', '--detach', '--nodes', String(opts.nodes ?? 3), '--api-port', String(apiPort), '--nats-port', String(natsPort), ...(opts.extraArgs ?? [])]);
  if (up.code !== 0) {
    await kubemu(['down', '--grace', '1']);
    throw new Error(`kubemu up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
  }
  const state = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as { apiUrl?: string; natsUrl?: string };
  const kubeconfig = join(dataDir, 'kubeconfig');
  return {
    dataDir,
    kubeconfig,
    apiUrl: state.apiUrl ?? `http://127.0.0.1:${apiPort}`,
    natsUrl: state.natsUrl ?? `nats://127.0.0.1:${natsPort}`,
    kubectl: (args, o = {}) => run(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], o),
    kubemu,
    async down() {
      await kubemu(['down', '--grace', '5']);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
