/**
 * `npm run bench:store` — kubemu's store against a real etcd, side by side in one run.
 *
 *   npm run bench:store -- [--rounds 3] [--n 2000] [--quick] [--json [FILE]] [--skip-disk] [--etcd-client grpc|http]
 *                          [--store-cpu-prof DIR] [--no-build] [--tsx]
 *
 * Starts everything itself on random free loopback ports in temp dirs, and removes it all at the
 * end (or on Ctrl-C): nats-server (JetStream file store on the real disk) + the kubemu store
 * process (compiled from dist/ after `npm run build`; `--tsx` or a failed build runs it under
 * tsx), an etcd with its data on tmpfs (/dev/shm — equal durability: both survive a process
 * crash, neither a power loss) and, for reference, an etcd on the real disk (`--skip-disk` leaves
 * it out). Each store gets a watcher process of its own.
 *
 * Every round runs every test (bench/lib/workload.ts) on every store, the stores' order rotated
 * per test and round so that drifting noise does not always hit the same one. Prints a table per
 * round, then medians across rounds with the ratio kubemu/etcd and the goals' verdicts;
 * `--json FILE` writes the raw results to FILE; `--json` alone prints them on stdout (tables go to
 * stderr then; `npm run --silent` keeps npm's banner out of it). `--quick`: 1 round, n=300.
 * Exits 1 when a test failed (not when a goal is missed: that is a result).
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { boolFlag, flag, numberFlag } from '../shared/runtime/process.js';
import { spawnSync } from 'node:child_process';
import { buildStore, ROOT, startKubemu, type KubemuProcesses } from './lib/kubemu-processes.js';
import { ensureEtcd, etcdVersion, onTmpfs, startEtcd, type EtcdProcess } from './lib/etcd-process.js';
import { etcdTarget, kubemuTarget } from './lib/targets.js';
import { startWatcher, type WatcherProcess } from './lib/watcher-process.js';
import { checkSameSemantics, runTest, TESTS, WATCH_PREFIX } from './lib/workload.js';
import { goalLines, roundTable, summarise, summaryTable, type RoundResults } from './lib/report.js';
import { fmt } from './lib/stats.js';
import type { StoreTarget } from './lib/target.js';

const HELP = `usage: npm run bench:store -- [--rounds N] [--n OPS] [--quick] [--json [FILE]] [--skip-disk] [--etcd-client grpc|http] [--no-build] [--tsx]
  --rounds N    rounds, each running every test on every store (default 3)
  --n OPS       ops per sequential test (default 2000); 64-in-flight runs 5·n, idle watch n/2
  --quick       smoke run: 1 round, n=300
  --json [FILE] raw results as JSON into FILE, or on stdout (tables then go to stderr; use npm run --silent)
  --skip-disk   no reference etcd on the real disk
  --etcd-client grpc (default: etcd's native protocol, as kube-apiserver) or http (its JSON gateway)
  --store-cpu-prof DIR  run the kubemu store with node --cpu-prof, profile written to DIR at the end
  --no-build    do not run npm run build first (uses dist/ as it is)
  --tsx         run the store under tsx instead of dist/`;

const CONCURRENCY = 64;
const IDLE_GAP_MS = 5;

/** The commit measured, `+dirty` when the work tree had changes (dist/ is built from the tree). */
function gitCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '+dirty' : ''}`;
}

async function main(): Promise<number> {
  if (boolFlag('help', false)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const quick = boolFlag('quick', false);
  const rounds = numberFlag('rounds', quick ? 1 : 3);
  const n = numberFlag('n', quick ? 300 : 2000);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(n) || n < 10) throw new Error('--rounds must be ≥ 1 and --n ≥ 10 (integers)');
  // --json: raw results on stdout (use `npm run --silent` so npm's banner stays out); --json FILE: into FILE.
  const jsonOpt = flag('json');
  const json = jsonOpt !== undefined && jsonOpt !== 'false';
  const jsonFile = json && jsonOpt !== 'true' ? resolve(jsonOpt!) : undefined;
  const withDisk = !boolFlag('skip-disk', false);
  const protocol = flag('etcd-client', 'grpc');
  if (protocol !== 'grpc' && protocol !== 'http') throw new Error(`--etcd-client must be grpc or http, got "${protocol}"`);
  const out = (s: string): void => void (json && !jsonFile ? process.stderr : process.stdout).write(`${s}\n`);
  const say = (s: string): void => void process.stderr.write(`› ${s}\n`);

  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => say(`cleanup: ${(err as Error).message}`));
    cleanups.length = 0;
  };
  process.once('SIGINT', () => {
    say('interrupted; stopping everything');
    void cleanup().finally(() => process.exit(130));
  });

  try {
    const etcdBin = ensureEtcd(say);
    const runner = boolFlag('tsx', false) ? 'tsx' : boolFlag('no-build', false) ? 'dist' : buildStore(say);
    say(`starting nats-server + kubemu store (${runner})…`);
    const profDir = flag('store-cpu-prof');
    const kubemu: KubemuProcesses = await startKubemu(runner, profDir ? ['--cpu-prof', '--cpu-prof-dir', resolve(profDir)] : []);
    if (profDir) cleanups.push(async () => say(`store CPU profile written under ${resolve(profDir)} (open it in Chrome DevTools)`));
    cleanups.push(kubemu.stop);
    const etcds: { name: string; proc: EtcdProcess }[] = [];
    const diskDir = tmpdir();
    if (!onTmpfs('/dev/shm')) say('warning: /dev/shm is not tmpfs here; etcd-tmpfs will pay real fsyncs');
    if (withDisk && onTmpfs(diskDir)) say(`warning: ${diskDir} is on tmpfs; etcd-disk will not measure a real disk`);
    for (const [name, dir] of [['etcd-tmpfs', '/dev/shm'], ...(withDisk ? [['etcd-disk', diskDir]] : [])]) {
      say(`starting ${name} (data under ${dir})…`);
      const proc = await startEtcd(etcdBin, name, dir);
      cleanups.push(proc.stop);
      etcds.push({ name, proc });
    }

    const targets: StoreTarget[] = [await kubemuTarget('kubemu', kubemu.natsUrl, { store: [kubemu.storePid], nats: [kubemu.natsPid] })];
    for (const e of etcds) targets.push(etcdTarget(e.name, e.proc.url, e.proc.pid, protocol, CONCURRENCY));
    const watchers = new Map<string, WatcherProcess>();
    for (const t of targets) {
      cleanups.push(() => t.close());
      const w = await startWatcher(t.watcher, WATCH_PREFIX);
      cleanups.push(() => w.stop());
      watchers.set(t.name, w);
    }
    const names = targets.map((t) => t.name);

    const meta = {
      date: new Date().toISOString(),
      commit: gitCommit(),
      command: `npm run bench:store -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
      node: process.version,
      natsServer: kubemu.natsVersion,
      etcd: etcdVersion(etcdBin),
      storeRunner: runner,
      etcdClient: protocol,
      rounds,
      n,
      loadavgBefore: loadavg().map((x) => x.toFixed(2)).join(' '),
      loadavgAfter: '',
    };
    out(`# store benchmark — ${meta.date} — commit ${meta.commit}\n# ${meta.machine}; node ${meta.node}; ${meta.natsServer}; ${meta.etcd}; store from ${runner}; etcd client ${protocol}; load ${meta.loadavgBefore}`);

    say('checking both stores answer revisions and refuse stale CAS updates, then warming up…');
    for (const t of targets) {
      await checkSameSemantics(t);
      const warm = { target: t, watcher: watchers.get(t.name)!, round: -1, concurrency: CONCURRENCY, idleGapMs: IDLE_GAP_MS };
      for (const [id, warmN] of [['put-seq', 300], ['put-64', 200], ['watch-hot', 100], ['ping-seq', 100], ['append-seq', 100]] as const) {
        const f = await runTest(id, { ...warm, n: warmN });
        if (f?.error) throw new Error(`warm-up ${id} on ${t.name} failed: ${f.error}`);
      }
    }

    const results: RoundResults[] = [];
    let failures = 0;
    for (let r = 0; r < rounds; r++) {
      const round: RoundResults = {};
      for (const [ti, test] of TESTS.entries()) {
        round[test.id] = {};
        const shift = (r + ti) % targets.length;
        for (const t of [...targets.slice(shift), ...targets.slice(0, shift)]) {
          const f = await runTest(test.id, { target: t, watcher: watchers.get(t.name)!, n, round: r, concurrency: CONCURRENCY, idleGapMs: IDLE_GAP_MS });
          if (!f) continue;
          round[test.id]![t.name] = f;
          if (f.error) failures++;
          say(`round ${r + 1}/${rounds} ${test.id} ${t.name}: ${f.error ? `FAILED ${f.error}` : `${fmt(f.opsPerSec)} ops/s, p50 ${fmt(f.p50Us)} µs, p99 ${fmt(f.p99Us)} µs`}`);
        }
      }
      results.push(round);
      out(`\n## round ${r + 1} of ${rounds}\n${roundTable(round, names)}`);
    }
    meta.loadavgAfter = loadavg().map((x) => x.toFixed(2)).join(' ');

    const [ours, ...refs] = names;
    const summary = summarise(results, ours, refs);
    out(`\n## medians over ${rounds} round(s) [min–max]; ratio = median of per-round ${ours}/etcd (ops/s: >1 favours ${ours}; µs: <1 does)`);
    out(summaryTable(summary, ours, refs, rounds));
    out(`\n## goals\n${goalLines(summary)}\n# load average after: ${meta.loadavgAfter}`);
    const raw = `${JSON.stringify({ meta, rounds: results, summary }, null, 2)}\n`;
    if (jsonFile) {
      writeFileSync(jsonFile, raw);
      say(`raw results written to ${jsonFile}`);
    } else if (json) process.stdout.write(raw);
    return failures > 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:store failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
