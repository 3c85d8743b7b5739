/**
 * `kubemu partition` / `heal` below the cluster: the signal contract of a node's processes
 * (SIGUSR2 cuts, SIGCONT heals, a partition order heals by itself), the CLI side that signals
 * recorded processes (stand-ins with real pids) and journals what it did, durations on the
 * command line, and the chaos journal itself.
 */
import { EventEmitter } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock, realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import {
  HEAL_SIGNAL,
  listenForPartition,
  PARTITION_SIGNAL,
  partitionOrderPath,
  takePartitionOrder,
  writePartitionOrder,
  type Partitionable,
} from '../../shared/runtime/partition-signals.js';
import { UsageError } from '../../services/kubemu/args.js';
import { appendChaos, chaosJournalPath, readChaos } from '../../services/kubemu/chaos-journal.js';
import { runCli, type CliContext } from '../../services/kubemu/cli.js';
import type { Launch } from '../../services/kubemu/components.js';
import { parseDuration } from '../../services/kubemu/durations.js';
import { partitionRecords } from '../../services/kubemu/partitioning.js';
import { writeState, type ProcessRecord } from '../../services/kubemu/state.js';
import { spawnProcess } from '../../services/kubemu/supervisor.js';
import { eventually } from '../support/eventually.js';
import { scratch } from '../support/scratch.js';
import { testClusterState } from '../support/cluster-state.js';

const { dir, pids } = scratch('kubemu-partition-');
const env = { ...process.env, KUBEMU_PARTITION_DIR: join(dir, 'orders') };

class FakeBus implements Partitionable {
  partitioned = false;
  calls: string[] = [];
  async partition(): Promise<void> {
    this.calls.push('partition');
    this.partitioned = true;
  }
  async heal(): Promise<void> {
    this.calls.push('heal');
    this.partitioned = false;
  }
}

describe('a node process under partition signals', () => {
  const setup = () => {
    const clock = new FakeClock();
    const bus = new FakeBus();
    const signals = new EventEmitter();
    const listener = listenForPartition({ bus, clock, log: silentLogger(), signals, pid: 4242, env });
    return { clock, bus, signals, listener };
  };

  it('is cut by SIGUSR2 and stays cut until SIGCONT when no order says for how long', async () => {
    const { clock, bus, signals, listener } = setup();
    signals.emit(PARTITION_SIGNAL);
    expect(bus.calls).toEqual(['partition']);
    clock.advance(3_600_000);
    expect(bus.partitioned).toBe(true);
    signals.emit(HEAL_SIGNAL);
    expect(bus.calls).toEqual(['partition', 'heal']);
    listener.dispose();
  });

  it('heals by itself when its partition order says for how long, and takes the order away', async () => {
    const { clock, bus, signals, listener } = setup();
    writePartitionOrder(4242, { forMs: 10_000, writtenAt: clock.now() }, env);
    signals.emit(PARTITION_SIGNAL);
    expect(existsSync(partitionOrderPath(4242, env))).toBe(false);
    clock.advance(9_999);
    expect(bus.calls).toEqual(['partition']);
    clock.advance(1);
    expect(bus.calls).toEqual(['partition', 'heal']);
    listener.dispose();
  });

  it('heals early on SIGCONT and does not heal twice when the order runs out later', async () => {
    const { clock, bus, signals, listener } = setup();
    writePartitionOrder(4242, { forMs: 10_000, writtenAt: clock.now() }, env);
    signals.emit(PARTITION_SIGNAL);
    clock.advance(2_000);
    signals.emit(HEAL_SIGNAL);
    clock.advance(20_000);
    expect(bus.calls).toEqual(['partition', 'heal']);
    listener.dispose();
  });

  it('ignores an order left behind long ago (its signal never came) and a garbled one', () => {
    const now = Date.UTC(2026, 0, 1);
    writePartitionOrder(77, { forMs: 5000, writtenAt: now - 120_000 }, env);
    expect(takePartitionOrder(77, now, env)).toBeUndefined();
    expect(existsSync(partitionOrderPath(77, env))).toBe(false);
    writePartitionOrder(78, { forMs: 5000, writtenAt: now }, env);
    appendFileSync(partitionOrderPath(78, env), 'garbage');
    expect(takePartitionOrder(78, now, env)).toBeUndefined();
    expect(takePartitionOrder(79, now, env)).toBeUndefined();
  });

  it('stops listening once disposed', () => {
    const { bus, signals, listener } = setup();
    listener.dispose();
    signals.emit(PARTITION_SIGNAL);
    expect(bus.calls).toEqual([]);
  });
});

describe('durations on the command line', () => {
  it('reads seconds, minutes, hours, milliseconds, combinations and bare seconds', () => {
    expect(parseDuration('30s', 'for')).toBe(30_000);
    expect(parseDuration('5m', 'for')).toBe(300_000);
    expect(parseDuration('1h', 'for')).toBe(3_600_000);
    expect(parseDuration('1500ms', 'for')).toBe(1500);
    expect(parseDuration('1m30s', 'for')).toBe(90_000);
    expect(parseDuration('20', 'every')).toBe(20_000);
    expect(parseDuration('0.5s', 'every')).toBe(500);
  });

  it('refuses anything else, naming the flag', () => {
    expect(() => parseDuration('soon', 'for')).toThrow(UsageError);
    expect(() => parseDuration('10x', 'every')).toThrow(/--every takes a duration/);
    expect(() => parseDuration('5m garbage', 'for')).toThrow(UsageError);
  });
});

describe('the chaos journal', () => {
  it('appends one line per record and reads them back, oldest first, from a given time', () => {
    const d = mkdtempSync(join(dir, 'journal-'));
    appendChaos(d, { time: '2026-01-01T00:00:00.000Z', action: 'kill', target: 'node-2', by: 'cli', nodes: ['node-2'] });
    appendChaos(d, { time: '2026-01-01T00:01:00.000Z', action: 'partition', target: 'node-3', by: 'chaos', nodes: ['node-3'], forMs: 10_000 });
    expect(readChaos(d).map((r) => [r.action, r.target, r.by])).toEqual([
      ['kill', 'node-2', 'cli'],
      ['partition', 'node-3', 'chaos'],
    ]);
    expect(readChaos(d, Date.parse('2026-01-01T00:00:30Z'))).toEqual([
      { time: '2026-01-01T00:01:00.000Z', action: 'partition', target: 'node-3', by: 'chaos', nodes: ['node-3'], forMs: 10_000 },
    ]);
  });

  it('skips a torn last line and lines that are not records, and reads no journal as empty', () => {
    const d = mkdtempSync(join(dir, 'journal-'));
    expect(readChaos(d)).toEqual([]);
    appendChaos(d, { time: '2026-01-01T00:00:00.000Z', action: 'start', target: 'node-2', by: 'agent' });
    appendFileSync(chaosJournalPath(d), '{"time":"2026-01-01T00:00:01.000Z","action":"explode","target":"x"}\n{"time":"2026-01-01T00:00:0');
    expect(readChaos(d).map((r) => r.action)).toEqual(['start']);
  });
});

const IDLE_LOGGING_SIGNALS = `
  for (const s of ['SIGUSR2', 'SIGCONT']) process.on(s, () => console.log('got ' + s));
  console.log('ready');
  setInterval(() => {}, 1000);`;

async function standIn(name: string, component: string, node?: string): Promise<ProcessRecord & { pid: number }> {
  const launch: Launch = {
    name,
    component,
    ...(node ? { node } : {}),
    tier: 4,
    file: process.execPath,
    args: ['-e', IDLE_LOGGING_SIGNALS],
    health: { kind: 'http', url: 'http://127.0.0.1:1/' },
  };
  const logFile = join(dir, `${name}-${Date.now()}.log`);
  const s = await spawnProcess(launch, { clock: realClock, logFile, cwd: dir, detach: false });
  pids.push(s.record.pid);
  await eventually(() => expect(readFileSync(logFile, 'utf8')).toContain('ready'));
  return { ...s.record, logFile };
}

function cli(dataDir: string, by?: string): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    root: dir,
    clock: realClock,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { ...env, KUBEMU_DATA_DIR: dataDir },
    signals: () => ({ stop: new AbortController().signal, hurry: new AbortController().signal, dispose: () => undefined }),
    ...(by ? { by } : {}),
  };
  return { ctx, out, err };
}

describe('kubemu partition', () => {
  it('cuts a node by signalling its kubelet and kube-proxy, leaves each an order to heal, and journals it', async () => {
    const dataDir = mkdtempSync(join(dir, 'cluster-'));
    const kubelet = await standIn('kubelet-node-2', 'kubelet', 'node-2');
    const proxy = await standIn('kube-proxy-node-2', 'kube-proxy', 'node-2');
    const scheduler = await standIn('scheduler', 'scheduler');
    writeState(dataDir, testClusterState(dataDir, [scheduler, kubelet, proxy]));

    const { ctx, out, err } = cli(dataDir, 'chaos');
    const code = await runCli(['partition', 'node-2', '--for', '30s'], ctx);
    expect(code, err.join('\n')).toBe(0);
    expect(out[0]).toMatch(new RegExp(`kubelet-node-2\\s+cut from the bus \\(pid ${kubelet.pid}\\)`));
    expect(out[1]).toMatch(new RegExp(`kube-proxy-node-2\\s+cut from the bus \\(pid ${proxy.pid}\\)`));
    expect(out.join('\n')).toContain('It heals itself in 30.0s');
    for (const p of [kubelet, proxy]) {
      await eventually(() => expect(readFileSync(p.logFile, 'utf8')).toContain('got SIGUSR2'));
      expect(JSON.parse(readFileSync(partitionOrderPath(p.pid, env), 'utf8'))).toMatchObject({ forMs: 30_000 });
    }
    expect(readFileSync(scheduler.logFile, 'utf8')).not.toContain('got SIGUSR2');
    expect(readChaos(dataDir)).toEqual([
      { time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), action: 'partition', target: 'node-2', by: 'chaos', nodes: ['node-2'], forMs: 30_000 },
    ]);
  });

  it('refuses a target that is not a node, and the agent as a kill target', async () => {
    const dataDir = mkdtempSync(join(dir, 'cluster-'));
    const agent: ProcessRecord = { name: 'agent', component: 'agent', tier: 3, cmdline: ['node', 'kubemu', 'agent'], logFile: '/x', health: { kind: 'nats', subject: 'x' } };
    const scheduler: ProcessRecord = { ...agent, name: 'scheduler', component: 'scheduler' };
    writeState(dataDir, testClusterState(dataDir, [agent, scheduler]));
    expect(() => partitionRecords(testClusterState(dataDir, [agent, scheduler]), 'scheduler')).toThrow(/"scheduler" is not a node/);
    const { ctx, err } = cli(dataDir);
    expect(await runCli(['partition', 'scheduler'], ctx)).toBe(2);
    expect(err.join('\n')).toContain('is not a node');
    expect(await runCli(['kill', 'agent'], ctx)).toBe(2);
    expect(err.join('\n')).toContain('the agent is not a target of kill');
    expect(await runCli(['partition', 'node-2', '--for', 'a while'], ctx)).toBe(2);
    expect(readChaos(dataDir)).toEqual([]);
  });

  it('heal sends SIGCONT to the node’s processes and journals it', async () => {
    const dataDir = mkdtempSync(join(dir, 'cluster-'));
    const kubelet = await standIn('kubelet-node-1', 'kubelet', 'node-1');
    writeState(dataDir, testClusterState(dataDir, [kubelet]));
    const { ctx } = cli(dataDir);
    // The stand-in never answers its health check: heal reports that after its timeout.
    const code = await runCli(['heal', 'node-1', '--start-timeout', '1'], ctx);
    expect(code).toBe(1);
    await eventually(() => expect(readFileSync(kubelet.logFile, 'utf8')).toContain('got SIGCONT'));
    expect(readChaos(dataDir).map((r) => [r.action, r.target, r.by, r.nodes])).toEqual([['heal', 'node-1', 'cli', ['node-1']]]);
  }, 30_000);
});
