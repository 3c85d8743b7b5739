/**
 * The real nats-server, found, installed if need be, configured and started: used by the launcher
 * and by the test harness alike.
 *
 * Finding: `NATS_SERVER_BIN`, then `PATH`, then /usr/sbin and /usr/local/bin. Installing: when it is
 * missing and we are root on Debian/Ubuntu, `apt-get install -y nats-server`; otherwise a clear
 * error saying how to install it. Running: JetStream on (file storage under the given data dir),
 * client port on loopback, monitoring port for /healthz, max_payload 8 MiB so 1.5 MiB objects and
 * batched watch events fit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export class NatsServerMissing extends Error {
  override name = 'NatsServerMissing';
}

const INSTALL_HINT =
  'nats-server was not found. Install it with `sudo apt-get install -y nats-server` (Debian/Ubuntu), ' +
  'or download a release from https://github.com/nats-io/nats-server/releases and put it on PATH, ' +
  'or point NATS_SERVER_BIN at the binary.';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findNatsServer(): string | undefined {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv) return executable(fromEnv) ? fromEnv : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/bin', '/usr/bin', '/sbin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, 'nats-server');
    if (executable(p)) return p;
  }
  return undefined;
}

/** Finds nats-server, installing it with apt when we are root on Debian/Ubuntu; throws NatsServerMissing otherwise. */
export function ensureNatsServer(log: (msg: string) => void = () => undefined): string {
  const found = findNatsServer();
  if (found) return found;
  if (process.env.NATS_SERVER_BIN) throw new NatsServerMissing(`NATS_SERVER_BIN=${process.env.NATS_SERVER_BIN} is not executable. ${INSTALL_HINT}`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = executable('/usr/bin/apt-get');
  if (!isRoot || !hasApt) throw new NatsServerMissing(INSTALL_HINT);
  log('nats-server is missing; installing it with apt-get (Debian package nats-server)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', 'nats-server'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', 'nats-server'], { stdio: 'inherit', env });
  }
  const after = findNatsServer();
  if (!after) throw new NatsServerMissing(`apt-get install nats-server failed. ${INSTALL_HINT}`);
  return after;
}

export interface NatsServerConfig {
  port: number;
  monitorPort: number;
  /** JetStream files go to `<dataDir>/jetstream`. */
  dataDir: string;
  host?: string;
  serverName?: string;
  /** Where stdout/stderr go (a file path); inherited when absent. */
  logFile?: string;
}

export function writeNatsConfig(cfg: NatsServerConfig): string {
  mkdirSync(cfg.dataDir, { recursive: true });
  const host = cfg.host ?? '127.0.0.1';
  const conf = [
    `server_name: ${JSON.stringify(cfg.serverName ?? 'kubemu')}`,
    `listen: "${host}:${cfg.port}"`,
    `http: "${host}:${cfg.monitorPort}"`,
    'max_payload: 8MB',
    'max_pending: 64MB',
    'write_deadline: "10s"',
    'jetstream {',
    `  store_dir: ${JSON.stringify(join(cfg.dataDir, 'jetstream'))}`,
    '  max_memory_store: 268435456',
    '  max_file_store: 10737418240',
    '}',
    '',
  ].join('\n');
  const path = join(cfg.dataDir, 'nats-server.conf');
  writeFileSync(path, conf);
  return path;
}

/** Starts nats-server with the config; resolves once /healthz answers ok (JetStream included). */
export async function startNatsServer(
  bin: string,
  cfg: NatsServerConfig,
  opts: { detached?: boolean; timeoutMs?: number } = {},
): Promise<ChildProcess> {
  const confPath = writeNatsConfig(cfg);
  const out = cfg.logFile ? openSync(cfg.logFile, 'a') : 'inherit';
  const child = spawn(bin, ['-c', confPath], {
    stdio: ['ignore', out, out],
    detached: opts.detached ?? false,
  });
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `nats-server exited (${code ?? sig}) before it was ready`));
  await waitForNatsHealth(cfg.monitorPort, opts.timeoutMs ?? 15_000, () => exited, cfg.host);
  return child;
}

export async function waitForNatsHealth(monitorPort: number, timeoutMs: number, failed: () => string | undefined = () => undefined, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const why = failed();
    if (why) throw new Error(why);
    try {
      const res = await fetch(`http://${host}:${monitorPort}/healthz`);
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server not healthy on port ${monitorPort} after ${timeoutMs}ms: ${last}`);
}
