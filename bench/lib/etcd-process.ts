/**
 * A real etcd (Debian `etcd-server`, 3.4 on these machines) for the store benchmark: one member
 * on random free loopback ports, its data dir a fresh temp dir under `parentDir`, stopped and
 * deleted by `stop()`.
 *
 * Finding: `ETCD_BIN`, then PATH, /usr/bin, /usr/local/bin. Installing: when missing and we are
 * root with apt-get, `apt-get install -y etcd-server etcd-client` (running `apt-get update` once if
 * the first try fails); otherwise `EtcdMissing` says how to get it.
 *
 * Durability is the data dir's: etcd fsyncs its WAL before answering a write; on tmpfs
 * (/dev/shm) that fsync is free, so the write survives a crash of the process, not of the
 * machine — as JetStream's file store (no fsync) does. On the real disk it survives power loss.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, openSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePorts } from '../../services/kubemu/ports.js';
import { eventually } from '../../test/support/eventually.js';
import { stopChild } from './kubemu-processes.js';

export class EtcdMissing extends Error {
  override name = 'EtcdMissing';
}

const HINT =
  'etcd was not found. Install it with `sudo apt-get install -y etcd-server etcd-client` (Debian/Ubuntu), ' +
  'or put an etcd 3.4+ binary on PATH, or point ETCD_BIN at it.';

const TMPFS_MAGIC = 0x01021994;

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findEtcd(): string | undefined {
  if (process.env.ETCD_BIN) return executable(process.env.ETCD_BIN) ? process.env.ETCD_BIN : undefined;
  for (const d of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin', '/usr/sbin']) {
    if (d && executable(join(d, 'etcd'))) return join(d, 'etcd');
  }
  return undefined;
}

export function ensureEtcd(say: (msg: string) => void): string {
  const found = findEtcd();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.env.ETCD_BIN || !isRoot || !executable('/usr/bin/apt-get')) throw new EtcdMissing(HINT);
  say('etcd is missing; installing it with apt-get (Debian packages etcd-server etcd-client)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', 'etcd-server', 'etcd-client'], { stdio: 'inherit', env });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    install();
  }
  const after = findEtcd();
  if (!after) throw new EtcdMissing(`apt-get install etcd-server failed. ${HINT}`);
  return after;
}

export function etcdVersion(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return (r.stdout.split('\n')[0] ?? '').trim();
}

/** Whether `dir` lives on tmpfs (so an fsync there costs nothing). */
export function onTmpfs(dir: string): boolean {
  try {
    return statfsSync(dir).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

export interface EtcdProcess {
  url: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startEtcd(bin: string, name: string, parentDir: string): Promise<EtcdProcess> {
  const dir = mkdtempSync(join(parentDir, `kubemu-bench-etcd-${name}-`));
  const [clientPort, peerPort] = await freePorts(2);
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const logFile = join(dir, 'etcd.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    bin,
    [
      `--name=${name}`,
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${name}=${peer}`,
      '--log-level=warn',
    ],
    { stdio: ['ignore', out, out] },
  );
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`etcd exited (${child.exitCode}):\n${readFileSync(logFile, 'utf8')}`);
        const res = await fetch(`${url}/health`);
        return ((await res.json()) as { health?: string }).health === 'true';
      },
      { timeoutMs: 30_000, intervalMs: 100, message: `etcd (${name}) did not become healthy` },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid!, dataDir: dir, stop };
}
