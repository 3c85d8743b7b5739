/**
 * The kubemu CLI: the table of sub-commands, help text, and dispatch.
 *
 * Each sub-command is one module under ./commands exporting a `Command` (name, summary, flags,
 * positional arguments, `run`); adding one (`partition`, `events`, …) is a new module and one line
 * in `COMMANDS`. A command takes exactly the positional arguments it declares (all required).
 * `runCli` never throws: a `UsageError` (from parsing, or thrown by the command for an argument
 * it cannot use, such as an unknown kill target) prints the message and the command's usage and
 * answers 2, any other error prints its message and answers 1; otherwise the command's exit code.
 *
 * Commands print for people through `ctx.out` / `ctx.err` (tests capture them) and take time and
 * signals from the context, never from globals.
 */
import type { Clock } from '../../shared/runtime/clock.js';
import { flagHelp, parseArgs, UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import type { Signals } from './signals.js';
import { upCommand } from './commands/up.js';
import { downCommand } from './commands/down.js';
import { statusCommand } from './commands/status.js';
import { killCommand } from './commands/kill.js';
import { startCommand } from './commands/start.js';
import { restartCommand } from './commands/restart.js';
import { eventsCommand } from './commands/events.js';
import { nodeCommand } from './commands/node.js';
import { partitionCommand } from './commands/partition.js';
import { healCommand } from './commands/heal.js';
import { agentCommand } from './commands/agent.js';
import { reportCommand } from './commands/report.js';
import { chaosCommand } from './commands/chaos.js';

export interface CliContext {
  /** Repository root (entries, default data dir). */
  root: string;
  clock: Clock;
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Installs the Ctrl-C / SIGTERM handling of a command that stays in the foreground. */
  signals(): Signals;
  /** stdout is a terminal (colour is for terminals only). */
  stdoutIsTTY?: boolean;
  /** Who acts, for <data-dir>/chaos.jsonl: `cli` when absent; `agent`, `chaos`, `dashboard`, … */
  by?: string;
}

export interface Command {
  name: string;
  /** One line, for the command list. */
  summary: string;
  /** Paragraphs shown by `kubemu <name> --help`. */
  description: string;
  flags: FlagSpec[];
  /** Positional arguments, all required, in order (`kill <target>`); none when absent. */
  positionals?: { name: string; help: string }[];
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

export const COMMANDS: readonly Command[] = [upCommand, downCommand, statusCommand, killCommand, startCommand, restartCommand, partitionCommand, healCommand, agentCommand, reportCommand, chaosCommand, nodeCommand, eventsCommand];

export function commandHelp(cmd: Command): string {
  const positionals = (cmd.positionals ?? []).map((p) => ` <${p.name}>`).join('');
  const flags = cmd.flags.length ? `\n\nFlags:\n${flagHelp(cmd.flags)}` : '';
  return `Usage: kubemu ${cmd.name}${positionals}${cmd.flags.length ? ' [flags]' : ''}\n\n${cmd.description}${flags}`;
}

/** The command list; with `full`, every command's help after it (`kubemu --help`). */
export function mainHelp(commands: readonly Command[] = COMMANDS, full = true): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const list = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
  const details = commands.map((c) => `--- kubemu ${c.name} ---\n${commandHelp(c)}`).join('\n\n');
  return [
    'kubemu: a Kubernetes cluster emulator whose parts run as separate processes over NATS.',
    '',
    'Usage: kubemu <command> [flags]     (kubemu <command> --help for one command)',
    '',
    'Commands:',
    list,
    ...(full ? ['', details] : []),
  ].join('\n');
}

export async function runCli(argv: string[], ctx: CliContext, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    ctx.err(mainHelp(commands, false));
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    ctx.out(mainHelp(commands));
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    ctx.err(`kubemu: unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')} (kubemu --help)`);
    return 2;
  }
  let args: ParsedArgs;
  try {
    args = parseArgs(rest, cmd.flags, ctx.env);
    if (args.help) {
      ctx.out(commandHelp(cmd));
      return 0;
    }
    const wanted = cmd.positionals ?? [];
    if (args.positionals.length > wanted.length) throw new UsageError(`unexpected argument "${args.positionals[wanted.length]}"`);
    if (args.positionals.length < wanted.length) throw new UsageError(`missing <${wanted[args.positionals.length].name}>: ${wanted[args.positionals.length].help}`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    ctx.err(`kubemu ${name}: ${err.message}\n\n${commandHelp(cmd)}`);
    return 2;
  }
  try {
    return await cmd.run(args, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.err(`kubemu ${name}: ${err.message}\n\n${commandHelp(cmd)}`);
      return 2;
    }
    ctx.err(`kubemu ${name}: ${(err as Error).message}`);
    return 1;
  }
}
