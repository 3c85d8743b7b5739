/**
 * Everything the store benchmark measures, started and stopped as one: kubemu (nats-server +
 * store process), an etcd on tmpfs, optionally an etcd on the real disk, a `StoreTarget` for each
 * and a watcher process per target.
 *
 * Start order is kubemu, etcds, targets, watchers; `stop()` undoes whatever was started, last
 * first, and is safe to call twice (the Ctrl-C handler and the normal end may both call it). A
 * failure while starting stops what was already up before it is rethrown.
 *
 * /dev/shm must be tmpfs for etcd-tmpfs to mean anything, and the temp dir must not be for
 * etcd-disk: both are checked and warned about, not refused (a developer may still want numbers).
 */
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { buildStore, startKubemu, type Runner } from './kubemu-processes.js';
import { ensureEtcd, etcdVersion, onTmpfs, startEtcd } from './etcd-process.js';
import type { EtcdProtocol } from './etcd-client.js';
import { etcdTarget, kubemuTarget } from './targets.js';
import { startWatcher, type WatcherProcess } from './watcher-process.js';
import { WATCH_PREFIX } from './workload.js';
import type { StoreTarget } from './target.js';

export interface EnvironmentOptions {
  /** 'build' runs `npm run build` and uses dist/ if that worked. */
  runner: Runner | 'build';
  withDisk: boolean;
  protocol: EtcdProtocol;
  /** Runs the store under `node --cpu-prof`, the profile written here when it stops. */
  profileDir?: string;
  maxInFlight: number;
  say(msg: string): void;
  /** Given the stop function before anything starts, so a Ctrl-C during start-up can clean up too. */
  onStop?(stop: () => Promise<void>): void;
}

export interface BenchEnvironment {
  /** kubemu first, then the etcds. */
  targets: StoreTarget[];
  watchers: Map<string, WatcherProcess>;
  runner: Runner;
  versions: { nats: string; etcd: string };
  stop(): Promise<void>;
}

export async function startEnvironment(opts: EnvironmentOptions): Promise<BenchEnvironment> {
  const { say } = opts;
  const undo: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    while (undo.length > 0) await undo.pop()!().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`));
  };
  opts.onStop?.(stop);
  try {
    const etcdBin = ensureEtcd(say);
    const runner = opts.runner === 'build' ? buildStore(say) : opts.runner;
    say(`starting nats-server + kubemu store (${runner})…`);
    const prof = opts.profileDir ? resolve(opts.profileDir) : undefined;
    if (prof) undo.push(async () => say(`store CPU profile written under ${prof} (open it in Chrome DevTools)`));
    const kubemu = await startKubemu(runner, prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []);
    undo.push(kubemu.stop);

    const diskDir = tmpdir();
    if (!onTmpfs('/dev/shm')) say('warning: /dev/shm is not tmpfs here; etcd-tmpfs will pay real fsyncs');
    if (opts.withDisk && onTmpfs(diskDir)) say(`warning: ${diskDir} is on tmpfs; etcd-disk will not measure a real disk`);
    const targets: StoreTarget[] = [await kubemuTarget('kubemu', kubemu.natsUrl, { store: [kubemu.storePid], nats: [kubemu.natsPid] })];
    undo.push(() => targets[0].close());
    for (const [name, dir] of [['etcd-tmpfs', '/dev/shm'], ...(opts.withDisk ? [['etcd-disk', diskDir]] : [])]) {
      say(`starting ${name} (data under ${dir})…`);
      const etcd = await startEtcd(etcdBin, name, dir);
      undo.push(etcd.stop);
      const target = etcdTarget(name, etcd.url, etcd.pid, opts.protocol, opts.maxInFlight);
      undo.push(() => target.close());
      targets.push(target);
    }

    const watchers = new Map<string, WatcherProcess>();
    for (const t of targets) {
      const w = await startWatcher(t.watcher, WATCH_PREFIX);
      undo.push(() => w.stop());
      watchers.set(t.name, w);
    }
    return { targets, watchers, runner, versions: { nats: kubemu.natsVersion, etcd: etcdVersion(etcdBin) }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
