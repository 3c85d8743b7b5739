/**
 * `kubemu chaos` below the cluster: the seeded choices (which node, which failure), the loop on a
 * fake clock with fake operations — when it fails nodes and brings them back, one operation at a
 * time, never the last Ready node, everything back on an early stop — and the command's flags.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { parseArgs } from '../../services/kubemu/args.js';
import { runCli, type CliContext } from '../../services/kubemu/cli.js';
import { chaosCommand } from '../../services/kubemu/commands/chaos.js';
import { runChaos, type ChaosOptions } from '../../services/kubemu/chaos/monkey.js';
import { pickAction, pickVictim, seededRandom, type ReadyMap } from '../../services/kubemu/chaos/plan.js';
import type { ControlOp, ControlRequest } from '../../services/kubemu/control.js';
import { advance, settle } from '../support/settle.js';

describe('chaos choices', () => {
  it('are the same for the same seed, and spread over [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.filter((x) => x < 0.5).length).toBeGreaterThan(400);
    expect(seededRandom(43)()).not.toBe(seededRandom(42)());
  });

  it('fail only a Ready candidate that is not down already, and never the last Ready node', () => {
    const ready: ReadyMap = new Map([
      ['node-1', 'True'],
      ['node-2', 'True'],
      ['node-3', 'Unknown'],
    ]);
    const rng = seededRandom(1);
    for (let i = 0; i < 50; i++) {
      const p = pickVictim(['node-1', 'node-2', 'node-3'], ready, new Set(['node-1']), rng);
      expect(p).toEqual({ node: 'node-2' });
    }
    expect(pickVictim(['node-3'], ready, new Set(), rng)).toEqual({ none: 'no candidate node is Ready' });
    const lastOne: ReadyMap = new Map([
      ['node-1', 'True'],
      ['node-2', 'Unknown'],
    ]);
    expect(pickVictim(['node-1', 'node-2'], lastOne, new Set(), rng)).toMatchObject({ none: expect.stringContaining('only one node is Ready') });
  });

  it('pick the failure by mode; mixed gives both', () => {
    const rng = seededRandom(7);
    expect(pickAction('kill', rng)).toBe('kill');
    expect(pickAction('partition', rng)).toBe('partition');
    expect(new Set(Array.from({ length: 40 }, () => pickAction('mixed', rng)))).toEqual(new Set(['kill', 'partition']));
  });
});

/** A cluster of fake nodes: kill/partition makes a node NotReady, start/heal Ready again; every call logged with the fake time. */
function fakeCluster(clock: FakeClock, nodes: string[], opts: { opMs?: number } = {}) {
  const ready = new Map<string, 'True' | 'Unknown'>(nodes.map((n) => [n, 'True']));
  const log: string[] = [];
  let running = 0;
  let overlapped = false;
  const t0 = clock.now();
  const act = async (op: ControlOp, req: ControlRequest) => {
    running++;
    if (running > 1) overlapped = true;
    log.push(`${Math.floor((clock.now() - t0) / 1000)}s ${op} ${req.target}${req.forMs ? ` for ${req.forMs}` : ''}`);
    if (opts.opMs) await clock.sleep(opts.opMs);
    ready.set(req.target, op === 'kill' || op === 'partition' ? 'Unknown' : 'True');
    running--;
    return { code: 0, lines: [] };
  };
  return { ready, log, act, overlapped: () => overlapped, readNodes: async () => new Map(ready) as ReadyMap };
}

async function runFor(clock: FakeClock, o: ChaosOptions, cluster: ReturnType<typeof fakeCluster>, signal = new AbortController().signal, seed = 3) {
  const said: string[] = [];
  const done = runChaos(o, { clock, rng: seededRandom(seed), readNodes: cluster.readNodes, act: cluster.act, say: (l) => said.push(l), signal });
  return { done, said };
}

describe('the chaos loop', () => {
  const nodes = ['node-1', 'node-2', 'node-3', 'node-4'];

  it('fails a node every interval and brings each back after the downtime', async () => {
    const clock = new FakeClock();
    const c = fakeCluster(clock, nodes);
    const { done } = await runFor(clock, { everyMs: 20_000, forMs: 60_000, downtimeMs: 10_000, nodes, mode: 'kill' }, c);
    await advance(clock, 70_000, 100);
    const actions = await done;
    expect(actions.map((a) => [a.action, a.ok, a.restoreOk])).toEqual([
      ['kill', true, true],
      ['kill', true, true],
      ['kill', true, true],
    ]);
    expect(c.log.map((l) => l.replace(/ node-\d/, ' N'))).toEqual(['0s kill N', '10s start N', '20s kill N', '30s start N', '40s kill N', '50s start N']);
    for (const a of actions) expect(a.restoredAt! - a.at).toBe(10_000);
    expect([...c.ready.values()].every((r) => r === 'True')).toBe(true);
  });

  it('cuts nodes off for the downtime (the partition heals itself after it too) and heals them', async () => {
    const clock = new FakeClock();
    const c = fakeCluster(clock, nodes);
    const { done } = await runFor(clock, { everyMs: 20_000, forMs: 20_000, downtimeMs: 5000, nodes, mode: 'partition' }, c);
    await advance(clock, 10_000, 100);
    await done;
    expect(c.log.map((l) => l.replace(/ node-\d/, ' N'))).toEqual(['0s partition N for 5000', '5s heal N']);
  });

  it('carries out one operation at a time, so a slow start delays the next failure instead of racing it', async () => {
    const clock = new FakeClock();
    const c = fakeCluster(clock, nodes, { opMs: 8000 });
    const { done } = await runFor(clock, { everyMs: 12_000, forMs: 24_000, downtimeMs: 5000, nodes, mode: 'kill' }, c);
    await advance(clock, 80_000, 100);
    await done;
    expect(c.overlapped()).toBe(false);
    // The kill takes 0–8 s, the start waits for it (8–16 s), the kill of the 12 s tick for the start.
    expect(c.log.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['0s kill', '8s start', '16s kill', '24s start']);
  });

  it('skips a tick when no node may fail, and says why', async () => {
    const clock = new FakeClock();
    const c = fakeCluster(clock, ['node-1', 'node-2']);
    const { done, said } = await runFor(clock, { everyMs: 5000, forMs: 10_000, downtimeMs: 20_000, nodes: ['node-1', 'node-2'], mode: 'kill' }, c);
    await advance(clock, 30_000, 100);
    const actions = await done;
    expect(actions).toHaveLength(1);
    expect(said).toContain('skipped: only one node is Ready; failing it would leave nothing to heal onto');
  });

  it('brings every failed node back at once when stopped early, and fails no more', async () => {
    const clock = new FakeClock();
    const c = fakeCluster(clock, nodes);
    const stop = new AbortController();
    const { done } = await runFor(clock, { everyMs: 20_000, forMs: 300_000, downtimeMs: 15_000, nodes, mode: 'kill' }, c, stop.signal);
    await advance(clock, 3000, 100);
    const abortedAt = clock.now();
    stop.abort();
    await settle();
    const actions = await done;
    expect(actions).toHaveLength(1);
    expect(actions[0]!.restoredAt).toBe(abortedAt);
    expect(c.log.map((l) => l.replace(/ node-\d/, ' N'))).toEqual(['0s kill N', '3s start N']);
  });

  it('chooses the same victims for the same seed', async () => {
    const victims = async () => {
      const clock = new FakeClock();
      const c = fakeCluster(clock, nodes);
      const { done } = await runFor(clock, { everyMs: 20_000, forMs: 100_000, downtimeMs: 10_000, nodes, mode: 'mixed' }, c, undefined, 99);
      await advance(clock, 120_000, 1000);
      return (await done).map((a) => `${a.action} ${a.node}`);
    };
    const first = await victims();
    expect(first).toHaveLength(5);
    expect(await victims()).toEqual(first);
  });
});

describe('kubemu chaos flags', () => {
  it('default to a kill every 20s for 5 minutes, 10s down, and refuse bad durations or nodes', async () => {
    const a = parseArgs([], chaosCommand.flags, {});
    expect(a.flags).toMatchObject({ every: '20s', for: '5m', downtime: '10s', mode: 'kill', 'settle-timeout': '3m' });
    const err: string[] = [];
    const ctx: CliContext = {
      root: '/nonexistent',
      clock: new FakeClock(),
      out: () => undefined,
      err: (l) => err.push(l),
      env: {},
      signals: () => ({ stop: new AbortController().signal, hurry: new AbortController().signal, dispose: () => undefined }),
    };
    expect(await runCli(['chaos', '--every', 'often'], ctx)).toBe(2);
    expect(err.join('\n')).toContain('--every takes a duration');
    expect(await runCli(['chaos', '--mode', 'explode'], ctx)).toBe(2);
    expect(await runCli(['chaos', '--data-dir', '/nonexistent/kubemu'], ctx)).toBe(1);
    expect(err.join('\n')).toContain('No kubemu cluster');
  });
});
