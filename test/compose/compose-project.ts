/**
 * A docker compose project of the repository's own docker-compose.yml, for the compose e2e test:
 * the same file and Dockerfile users run, driven through the compose CLI and the host's kubectl.
 *
 * - The compose CLI is `$KUBEMU_COMPOSE` (`docker-compose`, `docker compose`, …), else
 *   `docker-compose` when installed (v1: what CI runs against rootful podman), else `docker compose`.
 *   The engine is whatever DOCKER_HOST points at.
 * - Services are addressed by service name only (`kill node-2`): container names differ between
 *   Compose v1 (`p_node-2_1`) and v2 (`p-node-2-1`).
 * - The API is published on a free port of 127.0.0.1 (KUBEMU_API_PORT); kubectl uses the repo's
 *   compose/kubeconfig with that port put in, and a fresh cache dir.
 * - `down` removes containers, network and volume, and repeats while any container of the project
 *   is left: under podman's Docker API the first `down` refuses to remove the container that holds
 *   the shared network namespace while its dependants are being removed in parallel.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBECTL, type Run } from '../support/cluster.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ComposeProject {
  name: string;
  apiPort: number;
  kubeconfig: string;
  /** The compose CLI with `-p <name> -f docker-compose.yml` and this project's environment. */
  compose(args: string[], timeoutMs?: number): Promise<Run>;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<Run>;
  /** `down -v` until it succeeds with nothing of the project left (at most `attempts` times); the last run. */
  down(attempts?: number): Promise<Run>;
  /** Removes the temp files (kubeconfig, kubectl cache). */
  dispose(): void;
}

function hasCommand(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function composeCli(): string[] {
  const configured = process.env.KUBEMU_COMPOSE?.trim();
  if (configured) return configured.split(/\s+/);
  return hasCommand('docker-compose') ? ['docker-compose'] : ['docker', 'compose'];
}

export function run(file: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((res) => {
    const child = execFile(file, args, { cwd: ROOT, timeout: opts.timeoutMs ?? 60_000, env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      res({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) {
      child.stdin?.write(opts.input);
      child.stdin?.end();
    }
  });
}

export function composeProject(name: string, apiPort: number): ComposeProject {
  const [cli, ...cliArgs] = composeCli();
  const dir = mkdtempSync(join(tmpdir(), 'kubemu-compose-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, readFileSync(join(ROOT, 'compose', 'kubeconfig'), 'utf8').replace('http://127.0.0.1:6443', `http://127.0.0.1:${apiPort}`), { mode: 0o600 });
  const cacheDir = join(dir, 'kubectl-cache');
  const env = { ...process.env, KUBEMU_API_PORT: String(apiPort) };
  const compose = (args: string[], timeoutMs = 120_000): Promise<Run> =>
    run(cli, [...cliArgs, '-p', name, '-f', join(ROOT, 'docker-compose.yml'), ...args], { timeoutMs, env });
  return {
    name,
    apiPort,
    kubeconfig,
    compose,
    kubectl: (args, o = {}) => run(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], o),
    async down(attempts = 3) {
      let last: Run = { code: 1, stdout: '', stderr: 'not run' };
      for (let i = 0; i < attempts; i++) {
        last = await compose(['down', '-v', '--remove-orphans', '-t', '5'], 180_000);
        const left = await compose(['ps', '-a', '-q']);
        if (last.code === 0 && left.code === 0 && left.stdout.trim() === '') return last;
      }
      return last;
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
