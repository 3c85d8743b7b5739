/**
 * `npm run bench:store` — kubemu's store against a real etcd 3.4, side by side in one run.
 *
 *   npm run bench:store -- [--rounds 3] [--n 2000] [--only TESTS] [--quick] [--json [FILE]] [--skip-disk]
 *                          [--etcd-client grpc|http] [--store-cpu-prof DIR] [--no-build] [--tsx]
 *
 * Starts everything itself on random free loopback ports in temp dirs and removes it all at the
 * end, or on Ctrl-C (bench/lib/environment.ts): nats-server (JetStream file store on the real
 * disk) + the kubemu store process (compiled from dist/ after `npm run build`), an etcd with its
 * data on tmpfs (equal durability: both survive a process crash, neither a power loss) and, for
 * reference, an etcd on the real disk; a watcher process per store.
 *
 * Then warm-up and rounds (bench/lib/rounds.ts) of every test (bench/lib/workload.ts) on every
 * store; prints a table per round, then medians across rounds with the ratio kubemu/etcd and the
 * goals' verdicts (bench/lib/report.ts). `--json FILE` writes the raw results to FILE; `--json`
 * alone prints them on stdout (tables then go to stderr; `npm run --silent` keeps npm's banner out).
 * Exits 1 when a test failed — not when a goal is missed: that is a result. See docs/benchmarks.md.
 */
import { boolFlag, flag, numberFlag } from '../shared/runtime/process.js';
import { gitCommit, load, runMeta } from './lib/run-info.js';
import { startEnvironment } from './lib/environment.js';
import { runRounds, warmUp, type RoundOptions } from './lib/rounds.js';
import { goalLines, roundTable, summarise, summaryTable } from './lib/report.js';
import { TESTS, type TestId } from './lib/workload.js';
import { benchIo, runBench, stopOnInterrupt } from './lib/bench-io.js';

const HELP = `usage: npm run bench:store -- [options]
  --rounds N            rounds, each running every test on every store (default 3)
  --only IDS            only these tests, comma-separated: ${TESTS.map((t) => t.id).join(',')}
  --n OPS               ops per sequential test (default 2000); 64-in-flight runs 5·n, idle watch n/2
  --quick               smoke run: 1 round, n=300
  --json [FILE]         raw results as JSON into FILE, or on stdout (tables then go to stderr; use npm run --silent)
  --skip-disk           no reference etcd on the real disk
  --etcd-client P       grpc (default: etcd's native protocol, as kube-apiserver speaks) or http (its JSON gateway)
  --store-cpu-prof DIR  run the kubemu store under node --cpu-prof; the profile is written to DIR at the end
  --no-build            do not run npm run build first (use dist/ as it is)
  --tsx                 run the store under tsx instead of from dist/`;

const CONCURRENCY = 64;
const IDLE_GAP_MS = 5;

async function main(): Promise<number> {
  if (boolFlag('help', false)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const quick = boolFlag('quick', false);
  const rounds = numberFlag('rounds', quick ? 1 : 3);
  const n = numberFlag('n', quick ? 300 : 2000);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(n) || n < 10) throw new Error('--rounds must be ≥ 1 and --n ≥ 10 (integers)');
  const only = flag('only')?.split(',') as TestId[] | undefined;
  const unknownTest = only?.find((id) => !TESTS.some((t) => t.id === id));
  if (unknownTest) throw new Error(`--only: unknown test "${unknownTest}"; tests are ${TESTS.map((t) => t.id).join(', ')}`);
  const protocol = flag('etcd-client', 'grpc');
  if (protocol !== 'grpc' && protocol !== 'http') throw new Error(`--etcd-client must be grpc or http, got "${protocol}"`);
  const { out, say, writeRaw } = benchIo();

  let stopAll: () => Promise<void> = async () => undefined;
  stopOnInterrupt(say, () => stopAll());
  const env = await startEnvironment({
    runner: boolFlag('tsx', false) ? 'tsx' : boolFlag('no-build', false) ? 'dist' : 'build',
    withDisk: !boolFlag('skip-disk', false),
    protocol,
    profileDir: flag('store-cpu-prof'),
    maxInFlight: CONCURRENCY,
    say,
    onStop: (stop) => (stopAll = stop),
  });
  try {
    const names = env.targets.map((t) => t.name);
    const meta = {
      ...runMeta('bench:store', gitCommit()),
      natsServer: env.versions.nats,
      etcd: env.versions.etcd,
      storeRunner: env.runner,
      etcdClient: protocol,
      rounds,
      n,
    };
    out(`# store benchmark — ${meta.date} — commit ${meta.commit}`);
    out(`# ${meta.machine}; node ${meta.node}; ${meta.natsServer}; ${meta.etcd}; store from ${meta.storeRunner}; etcd client ${protocol}; load ${meta.loadavgBefore}`);

    const opts: RoundOptions = {
      rounds,
      n,
      concurrency: CONCURRENCY,
      idleGapMs: IDLE_GAP_MS,
      only,
      say,
      onRound: (round, r) => out(`\n## round ${r + 1} of ${rounds}\n${roundTable(round, names)}`),
    };
    await warmUp(env, opts);
    const { results, failures } = await runRounds(env, opts);
    meta.loadavgAfter = load();

    const [ours, ...refs] = names;
    const summary = summarise(results, ours, refs);
    out(`\n## medians over ${rounds} round(s) [min–max]; ratio = median of per-round ${ours}/etcd (ops/s: >1 favours ${ours}; µs: <1 does)`);
    out(summaryTable(summary, ours, refs, rounds));
    out(`\n## goals\n${goalLines(summary)}\n# load average after: ${meta.loadavgAfter}`);
    writeRaw({ meta, rounds: results, summary });
    return failures > 0 ? 1 : 0;
  } finally {
    await env.stop();
  }
}

runBench('bench:store', main);
