/**
 * `kubemu agent --data-dir <dir> [--nats <url>]`: the always-running process that carries out
 * kill / start / restart / partition / heal requests arriving over NATS (./../agent.ts), so the
 * dashboard's buttons work. `kubemu up` starts it as the process `agent`; people do not need to.
 *
 * Unlike the other commands it logs pino JSON (its log is <data-dir>/logs/agent.log) and runs
 * until SIGTERM / Ctrl-C. The NATS URL defaults to the one in the data dir's state file.
 */
import { connectBus } from '../../../shared/nats/connection.js';
import { createLogger } from '../../../shared/runtime/logger.js';
import type { CliContext, Command } from '../cli.js';
import type { ParsedArgs } from '../args.js';
import { AGENT_NAME, startAgent } from '../agent.js';
import { DATA_DIR_FLAG, dataDirOf } from '../data-dir.js';
import { readState } from '../state.js';

export async function agent(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const l = dataDirOf(args, ctx.root);
  const url = (args.flags.nats as string | undefined) ?? readState(l.dir)?.natsUrl;
  if (!url) {
    ctx.err(`No kubemu cluster in ${l.dir} and no --nats given.`);
    return 1;
  }
  const log = createLogger(AGENT_NAME);
  const signals = ctx.signals();
  try {
    const bus = await connectBus({ servers: url, name: AGENT_NAME, log });
    const running = startAgent({ bus, clock: ctx.clock, log, root: ctx.root, dataDir: l.dir, env: ctx.env });
    log.info({ dataDir: l.dir, nats: url }, 'agent started');
    if (!signals.stop.aborted) await new Promise<void>((resolve) => signals.stop.addEventListener('abort', () => resolve(), { once: true }));
    log.info('agent stopping');
    await running.stop();
    await bus.close();
    log.info('stopped');
    return 0;
  } finally {
    signals.dispose();
  }
}

export const agentCommand: Command = {
  name: 'agent',
  summary: 'serve kill/start/partition/heal requests over NATS (started by up, for the dashboard)',
  description: [
    'Runs until stopped, answering NATS requests on kubemu.ctl.agent.<op> (kill, start, restart, partition,',
    'heal) with the same code as the CLI commands, each recorded in <data-dir>/chaos.jsonl. kubemu up starts',
    'it as the process "agent"; the dashboard reaches it through POST /ui/api/<op> on the api-server.',
  ].join('\n'),
  flags: [DATA_DIR_FLAG, { name: 'nats', kind: 'string', placeholder: 'URL', help: "the cluster's NATS (default: from the data dir's state file)" }],
  run: agent,
};
