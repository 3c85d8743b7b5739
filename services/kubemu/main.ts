/**
 * The `kubemu` CLI entry: wiring only (the repository root, the real clock, stdout/stderr, signal
 * handling for foreground commands) around `runCli`, then exit with its code.
 *
 * Unlike the cluster's components it does not use `runMain`: it is a command-line tool that talks
 * to a person in plain text (not pino JSON) and whose signal handling depends on the sub-command
 * (a foreground `up` stops its cluster in order; `status` just ends).
 */
import { realClock } from '../../shared/runtime/clock.js';
import { runCli } from './cli.js';
import { findRoot } from './components.js';
import { trapSignals } from './signals.js';

const code = await runCli(process.argv.slice(2), {
  root: findRoot(import.meta.url),
  clock: realClock,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  signals: () => trapSignals(realClock),
  stdoutIsTTY: process.stdout.isTTY === true,
});
process.exit(code);
