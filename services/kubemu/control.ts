/**
 * The operations that change a running cluster on purpose — kill, start, restart, partition and
 * heal of a node or a component — for callers that are not a person at a terminal: the agent
 * (which carries them out for the dashboard) and `kubemu chaos`. They run the very command
 * modules the CLI runs (same target rules, same state-file marks, same chaos journal, with `by`
 * saying who acted), with their output captured as lines instead of printed.
 *
 * Never throws: a bad target is code 2 with the command's message (a UsageError), any failure
 * code 1 with what the command said. `signal` aborts what waits (a start waiting for Ready).
 */
import { parseArgs, UsageError, type ParsedArgs } from './args.js';
import type { CliContext, Command } from './cli.js';
import type { Clock } from '../../shared/runtime/clock.js';
import { healCommand } from './commands/heal.js';
import { killCommand } from './commands/kill.js';
import { partitionCommand } from './commands/partition.js';
import { restartCommand } from './commands/restart.js';
import { startCommand } from './commands/start.js';

export const CONTROL_OPS = ['kill', 'start', 'restart', 'partition', 'heal'] as const;
export type ControlOp = (typeof CONTROL_OPS)[number];

const COMMAND_OF: Record<ControlOp, Command> = {
  kill: killCommand,
  start: startCommand,
  restart: restartCommand,
  partition: partitionCommand,
  heal: healCommand,
};

export interface ControlRequest {
  target: string;
  /** Partition only: heal by itself after this long. */
  forMs?: number;
}

export interface ControlResult {
  code: number;
  /** What the command printed (stdout then stderr lines, in order). */
  lines: string[];
}

export interface ControlDeps {
  root: string;
  dataDir: string;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  /** Who acts, for the chaos journal (`agent`, `chaos`, `dashboard`). */
  by: string;
  signal?: AbortSignal;
}

export function isControlOp(op: string): op is ControlOp {
  return (CONTROL_OPS as readonly string[]).includes(op);
}

export async function runControl(op: ControlOp, req: ControlRequest, deps: ControlDeps): Promise<ControlResult> {
  const cmd = COMMAND_OF[op];
  const lines: string[] = [];
  const never = new AbortController().signal;
  const ctx: CliContext = {
    root: deps.root,
    clock: deps.clock,
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    env: deps.env,
    signals: () => ({ stop: deps.signal ?? never, hurry: never, dispose: () => undefined }),
    by: deps.by,
  };
  const argv = [req.target, '--data-dir', deps.dataDir, ...(op === 'partition' && req.forMs ? ['--for', `${Math.round(req.forMs)}ms`] : [])];
  try {
    const args: ParsedArgs = parseArgs(argv, cmd.flags, deps.env);
    if (args.positionals.length !== 1) throw new UsageError(`${op} takes exactly one target`);
    return { code: await cmd.run(args, ctx), lines };
  } catch (err) {
    lines.push((err as Error).message);
    return { code: err instanceof UsageError ? 2 : 1, lines };
  }
}
