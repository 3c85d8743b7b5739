/**
 * How every benchmark script talks and ends, the same way for all of them:
 *   - `--json [FILE]`: the raw results as JSON into FILE, or on stdout — the tables then go to
 *     stderr so stdout stays parseable; `say` (progress) always goes to stderr;
 *   - Ctrl-C stops what the benchmark started (its `stop`), then exits 130;
 *   - `runBench` turns main's answer into the exit code, and a throw into 1 with its stack.
 * Never decides what is measured or printed.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { flag } from '../../shared/runtime/process.js';

export interface BenchIo {
  json: boolean;
  /** A line of the report. */
  out(line: string): void;
  /** Progress, on stderr. */
  say(line: string): void;
  /** The raw results, where `--json` asked for them (nothing without it). */
  writeRaw(results: unknown): void;
}

/** bigint values (hrtime stamps) as strings. */
const replacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

export function benchIo(): BenchIo {
  const opt = flag('json');
  const json = opt !== undefined && opt !== 'false';
  const file = json && opt !== 'true' ? resolve(opt!) : undefined;
  const say = (s: string): void => void process.stderr.write(`› ${s}\n`);
  return {
    json,
    say,
    out: (s) => void (json && !file ? process.stderr : process.stdout).write(`${s}\n`),
    writeRaw(results) {
      if (!json) return;
      const raw = `${JSON.stringify(results, replacer, 2)}\n`;
      if (!file) {
        process.stdout.write(raw);
        return;
      }
      writeFileSync(file, raw);
      say(`raw results written to ${file}`);
    },
  };
}

/** On the first Ctrl-C: `stop()` what runs now, then exit 130. */
export function stopOnInterrupt(say: (s: string) => void, stop: () => Promise<unknown> | void): void {
  process.once('SIGINT', () => {
    say('interrupted; stopping the cluster');
    void Promise.resolve()
      .then(stop)
      .catch(() => undefined)
      .finally(() => process.exit(130));
  });
}

/** Runs a benchmark's main and exits with its answer (1 with the stack when it throws). */
export function runBench(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${name} failed: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
