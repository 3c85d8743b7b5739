/**
 * `kubemu events [--kinds …] [-n ns] [-l selector] [--json] [--since RV] [--verbose]`: tails the
 * api-server's event stream (`/stream`) in the terminal until Ctrl-C.
 *
 * Readable by default: one line per change (../event-format.ts), coloured on a terminal (not when
 * stdout is not a TTY or `NO_COLOR` is set). `--json` prints every message as it arrives, one JSON
 * object per line (changes, bookmarks, errors), for scripts. The api-server comes from the
 * cluster's state file, or `--server URL` (a cluster under docker compose).
 *
 * Where it starts: by default at the current state, which it reads first without printing it
 * (`resourceVersion=0` up to the `caughtUp` bookmark), so the first change of an object already
 * says what it changed from (`Ready → NotReady`). `--since 0` prints that current state too;
 * `--since RV` replays every change after RV.
 *
 * The tail survives the api-server going away (killed, restarted): it reconnects with back-off
 * (0.5 s doubling to 5 s) and resumes after the last resourceVersion it saw, so nothing is missed
 * and nothing repeats. When its history no longer reaches that far (ERROR 410) it says so and goes
 * on from now; a `SLOW` drop resumes where the server says. Answers 0 on Ctrl-C; 1 when the
 * api-server cannot be reached at the start or refuses the request (a bad kind or selector), or
 * when an explicit `--since` is too old.
 */
import type { CliContext, Command } from '../cli.js';
import type { ParsedArgs } from '../args.js';
import { isStreamChange, type StreamMessage } from '../../../shared/api/stream.js';
import { DATA_DIR_FLAG, dataDirOf } from '../data-dir.js';
import { readState } from '../state.js';
import { EventFormatter } from '../event-format.js';
import { runStreamSession, streamUrl, type SessionEnd } from '../stream-session.js';

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 5000;

function apiUrlOf(args: ParsedArgs, ctx: CliContext): string | undefined {
  const given = args.flags.server as string | undefined;
  if (given) return given;
  const l = dataDirOf(args, ctx.root);
  const state = readState(l.dir);
  if (!state) ctx.err(`No kubemu cluster in ${l.dir} (start one with kubemu up, or name an api-server with --server URL).`);
  return state?.apiUrl;
}

function describeEnd(end: SessionEnd): string {
  switch (end.kind) {
    case 'closed':
      return `the stream closed (${end.code}${end.reason ? ` ${end.reason}` : ''})`;
    case 'unreachable':
      return `the api-server is unreachable (${end.message})`;
    case 'refused':
      return `the api-server answered ${end.status}: ${end.message}`;
    case 'stopped':
      return 'stopped';
  }
}

export async function events(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const apiUrl = apiUrlOf(args, ctx);
  if (!apiUrl) return 1;
  const json = args.flags.json === true;
  const colour = !json && ctx.stdoutIsTTY === true && !ctx.env.NO_COLOR;
  const formatter = new EventFormatter({ colour, verbose: args.flags.verbose === true });
  const since = args.flags.since as number | undefined;
  let resume: string | undefined = since === undefined ? undefined : String(since);
  /** Reading the current state to know what later changes change from (not printed). */
  let priming = false;
  let explicitSince = since !== undefined;
  let connected = false;
  let interrupted = false;
  let backoff = FIRST_BACKOFF_MS;
  let expired = false;
  const signals = ctx.signals();
  try {
    for (;;) {
      const url = streamUrl(apiUrl, {
        kinds: args.flags.kinds as string | undefined,
        namespace: args.flags.namespace as string | undefined,
        labelSelector: args.flags.selector as string | undefined,
        resourceVersion: resume ?? '0',
      });
      priming = resume === undefined;
      expired = false;
      const end = await runStreamSession(
        url,
        {
          onOpen() {
            backoff = FIRST_BACKOFF_MS;
            if (interrupted) ctx.err(`kubemu events: reconnected${resume ? ` (resuming after resourceVersion ${resume})` : ''}`);
            connected = true;
            interrupted = false;
          },
          onMessage(text, m: StreamMessage) {
            if (priming) {
              if (isStreamChange(m)) formatter.format(m);
              else if (m.type === 'BOOKMARK' && m.caughtUp) priming = false;
              if (priming) return;
            }
            if (json) ctx.out(text);
            if (isStreamChange(m) || m.type === 'BOOKMARK') {
              resume = m.resourceVersion;
              explicitSince = false;
            } else if (m.type === 'ERROR') {
              expired = m.code === 410;
              ctx.err(`kubemu events: ${m.reason ?? 'Error'} (${m.code}): ${m.message}`);
            } else if (m.type === 'SLOW') {
              if (m.resourceVersion) resume = m.resourceVersion;
              ctx.err(`kubemu events: the api-server dropped this tail for reading too slowly; resuming after ${resume ?? 'now'}`);
            }
            if (!json) {
              const line = formatter.format(m);
              if (line !== undefined) ctx.out(line);
            }
          },
        },
        signals.stop,
      );
      if (end.kind === 'stopped') return 0;
      if (end.kind === 'refused' && end.status >= 400 && end.status < 500) {
        ctx.err(`kubemu events: ${describeEnd(end)}`);
        return 1;
      }
      if (!connected && end.kind === 'unreachable') {
        ctx.err(`kubemu events: cannot reach the api-server at ${apiUrl}: ${end.message}`);
        return 1;
      }
      if (expired) {
        if (explicitSince) return 1;
        ctx.err(`kubemu events: the api-server's history no longer reaches resourceVersion ${resume}; going on from now (changes in between are not shown)`);
        resume = undefined;
      }
      if (!interrupted) ctx.err(`kubemu events: ${describeEnd(end)}; reconnecting…`);
      interrupted = true;
      try {
        await ctx.clock.sleep(backoff, signals.stop);
      } catch {
        return 0;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  } finally {
    signals.dispose();
  }
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'tail the cluster’s event stream: one line per change (pods, nodes, Events, …) until Ctrl-C',
  description: [
    'Follows the api-server’s WebSocket event stream (/stream) and prints one line per change: time,',
    'kind, namespace/name and what changed — a pod’s phase, node, readiness and restarts, a node',
    'turning Ready or NotReady, the reason and message of Kubernetes Events, replica counts. Changes',
    'that leave that summary as it was (a node’s periodic status write) are left out unless --verbose.',
    'Node Leases (heartbeats) are not streamed unless --kinds names leases.',
    '',
    'It reconnects by itself when the api-server restarts, and resumes without gaps. --json prints',
    'the stream’s messages as they come, one JSON object per line.',
  ].join('\n'),
  flags: [
    DATA_DIR_FLAG,
    { name: 'kinds', kind: 'string', placeholder: 'LIST', help: 'only these kinds, comma-separated: plural, short name or Kind (pods,nodes,events; po,no,ev)' },
    { name: 'namespace', short: 'n', kind: 'string', placeholder: 'NS', help: 'only objects of this namespace (nodes still show)' },
    { name: 'selector', short: 'l', kind: 'string', placeholder: 'SELECTOR', help: 'label selector, as kubectl takes it (app=kubia,tier!=db)' },
    { name: 'json', kind: 'boolean', help: 'print the raw messages, one JSON object per line' },
    { name: 'since', kind: 'number', min: 0, placeholder: 'RV', help: 'replay the changes after this resourceVersion (0: print the current objects first); default: from now' },
    { name: 'verbose', kind: 'boolean', help: 'also print changes that leave the summary as it was (node status writes, lease renewals, expired Events)' },
    { name: 'server', kind: 'string', placeholder: 'URL', help: 'the api-server (http://host:port) instead of the one in the cluster’s state file' },
  ],
  run: events,
};
