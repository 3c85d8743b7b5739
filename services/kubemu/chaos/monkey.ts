/**
 * The chaos loop of `kubemu chaos`: every `everyMs`, for `forMs`, fail a random Ready node (kill
 * it, or cut it from the bus) and bring it back `downtimeMs` later (start it, or heal it); when the
 * time is up — or when stopped early — every node still down is brought back before it returns.
 *
 * Operations go through `act` (the CLI's own commands, ./../control.ts) one at a time, in order:
 * they change the same state file. A tick that finds no node to fail (./plan.ts) is skipped and
 * said. Ticks are fixed from the start (start, start+every, …), so a slow operation delays one
 * tick, never the whole schedule. Time comes from the injected clock; nothing sleeps otherwise.
 */
import type { Clock } from '../../../shared/runtime/clock.js';
import type { ControlOp, ControlRequest, ControlResult } from '../control.js';
import { pickAction, pickVictim, type ChaosMode, type ReadyMap } from './plan.js';

export interface ChaosOptions {
  everyMs: number;
  forMs: number;
  downtimeMs: number;
  nodes: string[];
  mode: ChaosMode;
}

export interface ChaosDeps {
  clock: Clock;
  rng: () => number;
  /** Each node's Ready status in the API; undefined when the API does not answer. */
  readNodes(): Promise<ReadyMap | undefined>;
  act(op: ControlOp, req: ControlRequest): Promise<ControlResult>;
  say(line: string): void;
  /** Aborted: stop failing nodes, bring back those down, return. */
  signal: AbortSignal;
}

export interface ChaosAction {
  node: string;
  action: 'kill' | 'partition';
  at: number;
  ok: boolean;
  restoredAt?: number;
  restoreOk?: boolean;
}

const RESTORE: Record<ChaosAction['action'], ControlOp> = { kill: 'start', partition: 'heal' };

export async function runChaos(o: ChaosOptions, deps: ChaosDeps): Promise<ChaosAction[]> {
  const { clock } = deps;
  const start = clock.now();
  const done: ChaosAction[] = [];
  const down = new Set<string>();
  const restores: Promise<void>[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  const inOrder = (op: ControlOp, req: ControlRequest): Promise<ControlResult> => {
    const next = queue.then(() => deps.act(op, req));
    queue = next.catch(() => undefined);
    return next;
  };
  const sleepUntil = (t: number): Promise<boolean> =>
    clock.sleep(Math.max(0, t - clock.now()), deps.signal).then(
      () => true,
      () => false,
    );

  const restoreLater = async (a: ChaosAction): Promise<void> => {
    await sleepUntil(a.at + o.downtimeMs);
    const op = RESTORE[a.action];
    const r = await inOrder(op, { target: a.node });
    a.restoredAt = clock.now();
    a.restoreOk = r.code === 0;
    down.delete(a.node);
    deps.say(`${op} ${a.node}: ${r.code === 0 ? 'Ready again' : `failed: ${r.lines.slice(-1)[0] ?? `exit ${r.code}`}`}`);
  };

  for (let k = 0; ; k++) {
    const tick = start + k * o.everyMs;
    if (tick >= start + o.forMs) break;
    if (!(await sleepUntil(tick))) break;
    const ready = await deps.readNodes();
    if (!ready) {
      deps.say('skipped: the API does not answer');
      continue;
    }
    const pick = pickVictim(o.nodes, ready, down, deps.rng);
    if ('none' in pick) {
      deps.say(`skipped: ${pick.none}`);
      continue;
    }
    const action = pickAction(o.mode, deps.rng);
    down.add(pick.node);
    const at = clock.now();
    const r = await inOrder(action, { target: pick.node, ...(action === 'partition' ? { forMs: o.downtimeMs } : {}) });
    const a: ChaosAction = { node: pick.node, action, at, ok: r.code === 0 };
    done.push(a);
    deps.say(`${action} ${pick.node}: ${a.ok ? (action === 'kill' ? 'killed' : 'cut from the bus') : `failed: ${r.lines.slice(-1)[0] ?? `exit ${r.code}`}`}`);
    if (a.ok) restores.push(restoreLater(a));
    else down.delete(pick.node);
  }
  await Promise.all(restores);
  return done;
}
