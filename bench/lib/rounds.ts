/**
 * The order of the store benchmark: a check and a warm-up per store, then rounds.
 *
 * Warm-up: every store first proves it does the same work (`checkSameSemantics`), then runs a
 * short version of each test so JIT, connections and watches are warm; a failure there stops the
 * run (numbers from a broken store are worthless). In a round every test runs on every store
 * back to back, the stores' order rotated by test and round, so slow drifts in the machine's load
 * are spread over all of them. A failed test in a round is recorded and the run goes on.
 */
import { checkSameSemantics, runTest, TESTS, type Figure, type TestContext, type TestId } from './workload.js';
import type { RoundResults } from './report.js';
import type { BenchEnvironment } from './environment.js';
import { fmt } from './stats.js';

export interface RoundOptions {
  rounds: number;
  n: number;
  concurrency: number;
  idleGapMs: number;
  /** Run only these tests (default: all of TESTS). */
  only?: TestId[];
  say(msg: string): void;
  /** Called with each finished round (e.g. to print its table). */
  onRound(round: RoundResults, index: number): void;
}

const WARM_UP: [TestId, number][] = [
  ['put-seq', 300],
  ['put-64', 200],
  ['watch-hot', 100],
  ['ping-seq', 100],
  ['append-seq', 100],
];

function context(env: BenchEnvironment, opts: RoundOptions, targetIndex: number, round: number, n: number): TestContext {
  const target = env.targets[targetIndex];
  return { target, watcher: env.watchers.get(target.name)!, n, round, concurrency: opts.concurrency, idleGapMs: opts.idleGapMs };
}

export async function warmUp(env: BenchEnvironment, opts: RoundOptions): Promise<void> {
  opts.say('checking every store answers revisions and refuses stale CAS updates, then warming up…');
  for (let i = 0; i < env.targets.length; i++) {
    await checkSameSemantics(env.targets[i]);
    for (const [id, n] of WARM_UP) {
      const f = await runTest(id, context(env, opts, i, -1, n));
      if (f?.error) throw new Error(`warm-up ${id} on ${env.targets[i].name} failed: ${f.error}`);
    }
  }
}

/** Runs the rounds; resolves with every round's results and the number of failed tests. */
export async function runRounds(env: BenchEnvironment, opts: RoundOptions): Promise<{ results: RoundResults[]; failures: number }> {
  const results: RoundResults[] = [];
  let failures = 0;
  const count = env.targets.length;
  for (let r = 0; r < opts.rounds; r++) {
    const round: RoundResults = {};
    for (const [ti, test] of TESTS.filter((t) => !opts.only || opts.only.includes(t.id)).entries()) {
      const byStore: Record<string, Figure> = {};
      round[test.id] = byStore;
      for (let k = 0; k < count; k++) {
        const i = (k + r + ti) % count;
        const f = await runTest(test.id, context(env, opts, i, r, opts.n));
        if (!f) continue;
        const name = env.targets[i].name;
        byStore[name] = f;
        if (f.error) failures++;
        opts.say(
          `round ${r + 1}/${opts.rounds} ${test.id} ${name}: ` +
            (f.error ? `FAILED ${f.error}` : `${fmt(f.opsPerSec)} ops/s, p50 ${fmt(f.p50Us)} µs, p99 ${fmt(f.p99Us)} µs`),
        );
      }
    }
    results.push(round);
    opts.onRound(round, r);
  }
  return { results, failures };
}
