/**
 * The healing timeline (shared/healing/timeline.ts) on stream messages built as the api-server
 * sends them: each failure's steps with their times, which pods count, how replacements are
 * matched to failures, failures nobody recorded, partitions that end by themselves, components,
 * a stream that starts with the current objects (the dashboard's), and the controllers' verdict.
 */
import { describe, expect, it } from 'vitest';
import { buildHealingReport, lastFailure, type Failure } from '../../shared/healing/timeline.js';
import { clockTime, formatDuration } from '../../shared/healing/durations.js';
import { at, chaos, killAndHeal, node, pod, rc, T0 } from '../support/healing-stream.js';

const offsets = (f: Failure) => Object.fromEntries(f.steps.map((s) => [s.key, s.offsetMs]));

describe('the healing timeline of a killed node', () => {
  const { messages, journal } = killAndHeal();
  const report = buildHealingReport(messages, journal);

  it('finds one failure, the node killed, from the journal', () => {
    expect(report.failures).toHaveLength(1);
    const f = report.failures[0]!;
    expect(f).toMatchObject({ target: 'node-2', node: 'node-2', cause: 'kill', by: 'cli', at: T0 + 10_000, restoredAt: T0 + 30_000 });
    expect(lastFailure(report)).toBe(f);
  });

  it('times every step from the kill, to the millisecond', () => {
    expect(offsets(report.failures[0]!)).toEqual({
      failed: 0,
      notReady: 4100,
      evicted: 4200,
      created: 4300,
      scheduled: 4350,
      running: 5000,
      ready: 6000,
      controllers: 6000,
      restored: 20_000,
      nodeReady: 22_000,
    });
  });

  it('counts the pods that were on the node, replaces the controller’s, and names the bare one as not replaced', () => {
    const f = report.failures[0]!;
    expect(f.podsAtFailure.map((p) => p.name).sort()).toEqual(['bare', 'kubia-b']);
    expect(f.evicted.map((p) => p.name).sort()).toEqual(['bare', 'kubia-b']);
    expect(f.replacements).toEqual([{ namespace: 'default', name: 'kubia-d', uid: 'uid-kubia-d', node: 'node-3', owner: 'ReplicationController/kubia' }]);
    expect(f.unowned.map((p) => p.name)).toEqual(['bare']);
    expect(f.steps.find((s) => s.key === 'evicted')).toMatchObject({ done: 2, of: 2 });
    expect(f.steps.find((s) => s.key === 'ready')).toMatchObject({ done: 1, of: 1 });
  });

  it('heals when the last replacement is Ready, and every controller is back at its desired replicas', () => {
    const f = report.failures[0]!;
    expect(f).toMatchObject({ healed: true, healingMs: 6000, healedBy: 'replacements Ready' });
    expect(report.controllers).toEqual([
      { kind: 'ReplicationController', namespace: 'default', name: 'kubia', desired: 3, ready: 3, ok: true, okSince: T0 + 16_000 },
    ]);
    expect(report.allControllersOk).toBe(true);
    expect([report.from, report.to]).toEqual([T0 - 60_000, T0 + 32_500]);
  });
});

describe('failures that are not over, or not the usual kind', () => {
  it('shows how far a failure got: replacements created but not Ready yet, not healed', () => {
    const { messages, journal } = killAndHeal();
    const cut = messages.filter((m) => Date.parse(m.time) < T0 + 15_500);
    const f = buildHealingReport(cut, journal).failures[0]!;
    expect(f.healed).toBe(false);
    expect(f.healingMs).toBeUndefined();
    expect(f.steps.find((s) => s.key === 'running')).toMatchObject({ done: 1, of: 1, offsetMs: 5000 });
    expect(f.steps.find((s) => s.key === 'ready')).toEqual({ key: 'ready', label: 'replacements Ready', done: 0, of: 1 });
    expect(f.steps.find((s) => s.key === 'nodeReady')?.at).toBeUndefined();
  });

  it('finds a node that went NotReady with nothing in the journal, beginning when NotReady was seen', () => {
    const { messages } = killAndHeal();
    const r = buildHealingReport(messages, []);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ target: 'node-2', cause: 'unplanned', at: T0 + 14_100, healed: true, healingMs: 1900 });
    expect(r.failures[0]!.by).toBeUndefined();
    expect(r.failures[0]!.steps[0]!.label).toBe('failed (no kubemu action recorded)');
  });

  it('does not take a node that was never Ready yet (starting up) for a failure', () => {
    const r = buildHealingReport([node(0, 'node-9', 'False', 'ADDED'), node(1, 'node-9', 'True'), node(2, 'node-9', 'True')], []);
    expect(r.failures).toEqual([]);
  });

  it('ends a partition when its duration runs out, or at an earlier heal', () => {
    const msgs = [node(0, 'node-2', 'True', 'ADDED'), node(5, 'node-2', 'Unknown'), node(14, 'node-2', 'True')];
    const timed = buildHealingReport(msgs, [chaos(1, 'partition', 'node-2', { nodes: ['node-2'], forMs: 12_000 })]).failures[0]!;
    expect(timed).toMatchObject({ cause: 'partition', restoredAt: T0 + 13_000, healed: true, healingMs: 13_000, healedBy: 'node Ready again' });
    expect(timed.steps.find((s) => s.key === 'restored')?.label).toBe('partition healed');
    const early = buildHealingReport(msgs, [chaos(1, 'partition', 'node-2', { nodes: ['node-2'], forMs: 12_000 }), chaos(8, 'heal', 'node-2', { nodes: ['node-2'] })]);
    expect(early.failures[0]!.restoredAt).toBe(T0 + 8000);
  });

  it('reports a killed component from kill to started again', () => {
    const r = buildHealingReport([rc(0, 'kubia', 1, 1, 1, 'ADDED')], [chaos(1, 'kill', 'scheduler'), chaos(4.5, 'start', 'scheduler')]);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ target: 'scheduler', cause: 'kill', healed: true, healingMs: 3500, healedBy: 'started again' });
    expect(r.failures[0]!.node).toBeUndefined();
    expect(offsets(r.failures[0]!)).toEqual({ failed: 0, restored: 3500, controllers: 3500 });
  });

  it('gives each failure its own replacements when two nodes of one controller fail one after the other', () => {
    const msgs = [
      node(-10, 'node-1', 'True', 'ADDED'),
      node(-10, 'node-2', 'True', 'ADDED'),
      pod(-9, 'ADDED', { name: 'x1', rc: 'web', node: 'node-1', phase: 'Running', ready: true }),
      pod(-9, 'ADDED', { name: 'x2', rc: 'web', node: 'node-2', phase: 'Running', ready: true }),
      node(4, 'node-1', 'Unknown'),
      pod(4.1, 'MODIFIED', { name: 'x1', rc: 'web', node: 'node-1', phase: 'Running', deleting: 4.1, created: -9 }),
      pod(4.2, 'ADDED', { name: 'x3', rc: 'web' }),
      pod(4.3, 'MODIFIED', { name: 'x3', rc: 'web', node: 'node-2', phase: 'Running', ready: true, created: 4.2 }),
      node(9, 'node-2', 'Unknown'),
      pod(9.1, 'MODIFIED', { name: 'x2', rc: 'web', node: 'node-2', phase: 'Running', deleting: 9.1, created: -9 }),
      pod(9.1, 'MODIFIED', { name: 'x3', rc: 'web', node: 'node-2', phase: 'Running', deleting: 9.1, created: 4.2 }),
      pod(9.2, 'ADDED', { name: 'x4', rc: 'web' }),
      pod(9.2, 'ADDED', { name: 'x5', rc: 'web' }),
    ];
    const r = buildHealingReport(msgs, [chaos(0, 'kill', 'node-1', { nodes: ['node-1'] }), chaos(5, 'kill', 'node-2', { nodes: ['node-2'] })]);
    expect(r.failures.map((f) => [f.target, f.replacements.map((p) => p.name)])).toEqual([
      ['node-1', ['x3']],
      ['node-2', ['x4', 'x5']],
    ]);
    expect(r.failures[1]!.evicted.map((p) => p.name).sort()).toEqual(['x2', 'x3']);
    expect(r.failures[1]!.steps.find((s) => s.key === 'scheduled')).toMatchObject({ done: 0, of: 2 });
  });

  it('makes one failure per node when one action reaches several', () => {
    const msgs = [node(0, 'node-1', 'True', 'ADDED'), node(0, 'node-2', 'True', 'ADDED')];
    const r = buildHealingReport(msgs, [chaos(1, 'kill', 'kubelet', { nodes: ['node-1', 'node-2'] })]);
    expect(r.failures.map((f) => f.target)).toEqual(['node-1', 'node-2']);
  });
});

describe('a stream that begins with the current objects (resourceVersion=0, the dashboard)', () => {
  it('dates what had already happened by the objects’ own timestamps, and what happens next by receive time', () => {
    const msgs = [
      node(20, 'node-2', 'Unknown', 'ADDED', 14),
      node(20, 'node-3', 'True', 'ADDED', -60),
      pod(20, 'ADDED', { name: 'old', rc: 'kubia', node: 'node-2', phase: 'Running', ready: false, deleting: 14, created: -29 }),
      pod(20, 'ADDED', { name: 'new', rc: 'kubia', node: 'node-3', phase: 'Running', ready: false, created: 14 }),
      pod(21.5, 'MODIFIED', { name: 'new', rc: 'kubia', node: 'node-3', phase: 'Running', ready: true, created: 14 }),
    ];
    const f = buildHealingReport(msgs, [chaos(10, 'kill', 'node-2', { nodes: ['node-2'] })]).failures[0]!;
    expect(offsets(f)).toMatchObject({ notReady: 4000, evicted: 4000, created: 4000, scheduled: 4000, ready: 11_500 });
    expect(f.healingMs).toBe(11_500);
  });
});

describe('controllers at the end', () => {
  it('says which controller is short of its desired replicas', () => {
    const r = buildHealingReport([rc(0, 'a', 3, 3, 3, 'ADDED'), rc(0, 'b', 2, 2, 2, 'ADDED'), rc(5, 'b', 2, 1, 2)], []);
    expect(r.controllers.map((c) => [c.name, c.ok, c.ready, c.desired])).toEqual([
      ['a', true, 3, 3],
      ['b', false, 1, 2],
    ]);
    expect(r.allControllersOk).toBe(false);
  });

  it('forgets deleted controllers and reads a missing replicas field as 1', () => {
    const gone = rc(3, 'a', 3, 0, 0, 'DELETED');
    const one = rc(0, 'b', 1, 1, 1, 'ADDED');
    delete (one.object!.spec as Record<string, unknown>).replicas;
    const r = buildHealingReport([rc(0, 'a', 3, 3, 3, 'ADDED'), gone, one], []);
    expect(r.controllers.map((c) => [c.name, c.desired, c.ok])).toEqual([['b', 1, true]]);
  });

  it('skips messages that are not changes and those without a readable time', () => {
    const r = buildHealingReport(
      [{ type: 'BOOKMARK', resourceVersion: '5', time: at(0) }, { type: 'SLOW', message: 'x' }, { ...rc(0, 'a', 1, 1), time: 'never' }],
      [],
    );
    expect(r).toEqual({ failures: [], controllers: [], allControllersOk: true });
  });
});

describe('durations as the report writes them', () => {
  it('reads at a glance', () => {
    expect([850, 4200, 65_000, 3_780_000].map(formatDuration)).toEqual(['850ms', '4.2s', '1m05s', '1h03m']);
    expect(clockTime(T0 + 5123)).toBe('12:00:05.123');
  });
});
