import { afterEach, describe, expect, it } from 'vitest';
import type { Event, Node, Pod } from '../../shared/api/core.js';
import { serviceUnavailable } from '../../shared/api/errors.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { PROFILES } from '../../shared/runtime/profile.js';
import { schedulerConfig } from '../../services/scheduler/config.js';
import { createScheduler, type Scheduler } from '../../services/scheduler/scheduler.js';
import { FakeApi } from '../support/fake-api.js';
import { advance, settle } from '../support/settle.js';
import { testNode, testPod } from '../support/scheduler-objects.js';

const PODS = resourceByPlural('pods');
const NODES = resourceByPlural('nodes');
const EVENTS = resourceByPlural('events');

const aborts: AbortController[] = [];
afterEach(() => aborts.splice(0).forEach((a) => a.abort()));

interface Started {
  scheduler: Scheduler;
  abort: AbortController;
  done: Promise<void>;
}

function start(api: ApiClient, clock: FakeClock, opts: { identity?: string; leaderElection?: boolean; random?: () => number } = {}): Started {
  const cfg = schedulerConfig(PROFILES.default, {
    identity: opts.identity ?? 'test-scheduler',
    ...(opts.leaderElection ? {} : { leaderElection: false as const }),
  });
  const scheduler = createScheduler(cfg, { api, clock, log: silentLogger(), random: opts.random ?? (() => 0.5) });
  const abort = new AbortController();
  aborts.push(abort);
  return { scheduler, abort, done: scheduler.run(abort.signal) };
}

/** Lets async work run until `cond` holds (bounded; fake time does not move). */
async function until(cond: () => boolean | Promise<boolean>, turns = 300): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await cond()) return;
    await settle(1);
  }
  throw new Error('condition not reached');
}

async function nodeOf(fake: FakeApi, name: string): Promise<string | undefined> {
  return (await fake.get<Pod>(PODS, 'default', name)).spec.nodeName;
}

async function events(fake: FakeApi, reason?: string): Promise<Event[]> {
  const list = await fake.list<Event>(EVENTS, 'default');
  return list.items.filter((e) => !reason || e.reason === reason);
}

async function setup(...nodes: Node[]): Promise<{ clock: FakeClock; fake: FakeApi }> {
  const clock = new FakeClock();
  const fake = new FakeApi(clock);
  for (const n of nodes) await fake.create(NODES, undefined, n);
  return { clock, fake };
}

describe('scheduler loop', () => {
  it('binds a pending pod to a Ready node and records Scheduled', async () => {
    const { clock, fake } = await setup(testNode('node-1'));
    await fake.create(PODS, 'default', testPod('kubia-manual'));
    start(fake, clock);
    await until(async () => (await nodeOf(fake, 'kubia-manual')) === 'node-1');
    await until(async () => (await events(fake, 'Scheduled')).length === 1);
    const [e] = await events(fake, 'Scheduled');
    expect(e).toMatchObject({
      type: 'Normal',
      message: 'Successfully assigned default/kubia-manual to node-1',
      source: { component: 'default-scheduler' },
      involvedObject: { kind: 'Pod', name: 'kubia-manual', namespace: 'default', apiVersion: 'v1' },
    });
  });

  it('leaves alone pods of another scheduler, bound pods and pods being deleted', async () => {
    const { clock, fake } = await setup(testNode('node-1'), testNode('node-2'));
    await fake.create(PODS, 'default', testPod('other', { schedulerName: 'my-scheduler' }));
    await fake.create(PODS, 'default', testPod('bound', { nodeName: 'node-2' }));
    await fake.create(PODS, 'default', testPod('mine'));
    const s = start(fake, clock);
    await until(async () => (await nodeOf(fake, 'mine')) !== undefined);
    await settle();
    expect(await nodeOf(fake, 'other')).toBeUndefined();
    expect(await nodeOf(fake, 'bound')).toBe('node-2');
    expect(s.scheduler.snapshot.nodeOf('default/bound')).toBe('node-2');
    expect(s.scheduler.queue.has('default/other')).toBe(false);
  });

  it('reports a pod that fits nowhere, then schedules it when a fitting node arrives', async () => {
    const { clock, fake } = await setup(testNode('node-1', { cpu: '1' }), testNode('node-2'), testNode('node-3'));
    await fake.create(PODS, 'default', testPod('big', { cpu: '2', nodeSelector: { disk: 'ssd' } }));
    const s = start(fake, clock);
    const message =
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    await until(async () => (await events(fake, 'FailedScheduling')).length === 1);
    expect((await events(fake, 'FailedScheduling'))[0]).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' } });
    await until(async () => (await fake.get<Pod>(PODS, 'default', 'big')).status?.conditions !== undefined);
    expect((await fake.get<Pod>(PODS, 'default', 'big')).status?.conditions).toEqual([
      expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }),
    ]);
    expect(s.scheduler.queue.isUnschedulable('default/big')).toBe(true);

    await fake.create(NODES, undefined, testNode('node-4', { labels: { disk: 'ssd' } }));
    await advance(clock, 200); // the pod's back-off after one failed attempt
    await until(async () => (await nodeOf(fake, 'big')) === 'node-4');
  });

  it('retries an unschedulable pod when a node changes (labelled, becomes Ready, untainted)', async () => {
    const { clock, fake } = await setup(testNode('node-1', { ready: false, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }));
    await fake.create(PODS, 'default', testPod('p', { nodeSelector: { team: 'a' } }));
    const s = start(fake, clock);
    await until(() => s.scheduler.queue.isUnschedulable('default/p'));
    const patch = async (body: unknown, sub?: string): Promise<void> => void (await fake.patch(NODES, undefined, 'node-1', 'merge', body, sub));
    await patch({ metadata: { labels: { team: 'a' } } });
    await advance(clock, 200);
    await until(() => s.scheduler.queue.isUnschedulable('default/p'));
    await patch({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'status');
    await advance(clock, 200);
    await until(() => s.scheduler.queue.isUnschedulable('default/p'));
    expect(await nodeOf(fake, 'p')).toBeUndefined();
    await patch({ spec: { taints: null } });
    await advance(clock, 500);
    await until(async () => (await nodeOf(fake, 'p')) === 'node-1');
  });

  it('says so when there are no nodes at all', async () => {
    const { clock, fake } = await setup();
    await fake.create(PODS, 'default', testPod('p'));
    start(fake, clock);
    await until(async () => (await events(fake, 'FailedScheduling')).length === 1);
    expect((await events(fake, 'FailedScheduling'))[0].message).toBe('no nodes available to schedule pods');
  });

  it('spreads the replicas of one controller over the nodes', async () => {
    const { clock, fake } = await setup(testNode('node-1'), testNode('node-2'), testNode('node-3'));
    for (let i = 0; i < 6; i++) await fake.create(PODS, 'default', testPod(`kubia-${i}`, { owner: { uid: 'rc-uid' } }));
    start(fake, clock, { random: () => 0 });
    await until(async () => (await fake.list<Pod>(PODS, 'default')).items.every((p) => p.spec.nodeName));
    const perNode = new Map<string, number>();
    for (const p of (await fake.list<Pod>(PODS, 'default')).items) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([2, 2, 2]);
  });

  it('never overcommits a node while bindings are still in flight (assume, then confirm)', async () => {
    const { clock, fake } = await setup(testNode('node-1', { cpu: '4' }), testNode('node-2', { cpu: '4' }));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    fake.reactor(async (call) => {
      if (call.subresource === 'binding') {
        held++;
        await gate;
      }
    });
    for (let i = 0; i < 5; i++) await fake.create(PODS, 'default', testPod(`p${i}`, { cpu: '2' }));
    const s = start(fake, clock);
    await until(() => held === 4 && s.scheduler.queue.isUnschedulable('default/p4'));
    release();
    await until(async () => (await fake.list<Pod>(PODS, 'default')).items.filter((p) => p.spec.nodeName).length === 4);
    const pods = (await fake.list<Pod>(PODS, 'default')).items;
    expect(pods.filter((p) => p.spec.nodeName === 'node-1')).toHaveLength(2);
    expect(pods.filter((p) => p.spec.nodeName === 'node-2')).toHaveLength(2);
    await until(async () => (await events(fake, 'FailedScheduling')).length === 1);
    expect((await events(fake, 'FailedScheduling'))[0].message).toBe(
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    );
  });

  it('schedules a waiting pod when a pod on a node goes away', async () => {
    const { clock, fake } = await setup(testNode('node-1', { cpu: '4' }));
    await fake.create(PODS, 'default', testPod('hog', { cpu: '3', nodeName: 'node-1' }));
    await fake.create(PODS, 'default', testPod('waiting', { cpu: '2' }));
    const s = start(fake, clock);
    await until(() => s.scheduler.queue.isUnschedulable('default/waiting'));
    await fake.delete(PODS, 'default', 'hog', { gracePeriodSeconds: 0 });
    await advance(clock, 200);
    await until(async () => (await nodeOf(fake, 'waiting')) === 'node-1');
  });

  it('schedules a waiting pod when a pod on a node finishes', async () => {
    const { clock, fake } = await setup(testNode('node-1', { pods: 1 }));
    const job = await fake.create<Pod>(PODS, 'default', testPod('job', { nodeName: 'node-1' }));
    await fake.create(PODS, 'default', testPod('next'));
    const s = start(fake, clock);
    await until(() => s.scheduler.queue.isUnschedulable('default/next'));
    await fake.update(PODS, { ...job, status: { phase: 'Succeeded' } }, 'status');
    await advance(clock, 200);
    await until(async () => (await nodeOf(fake, 'next')) === 'node-1');
  });

  it('retries a binding that failed, after its back-off', async () => {
    const { clock, fake } = await setup(testNode('node-1'));
    let failures = 1;
    fake.reactor((call) => {
      if (call.subresource === 'binding' && failures-- > 0) throw serviceUnavailable('api-server is restarting');
    });
    await fake.create(PODS, 'default', testPod('p'));
    const s = start(fake, clock);
    await until(() => failures < 0 || s.scheduler.queue.stats().backoff === 1);
    expect(await nodeOf(fake, 'p')).toBeUndefined();
    expect(s.scheduler.snapshot.nodeOf('default/p')).toBeUndefined();
    await advance(clock, 100);
    await until(async () => (await nodeOf(fake, 'p')) === 'node-1');
  });

  it('takes a 409 (bound meanwhile by someone else) calmly and counts the pod where it really is', async () => {
    const { clock, fake } = await setup(testNode('node-1'), testNode('node-2'));
    let raced = false;
    fake.reactor(async (call) => {
      if (call.subresource !== 'binding' || raced) return;
      raced = true;
      await fake.create(PODS, 'default', { target: { name: 'node-2' } }, 'binding', call.name);
    });
    await fake.create(PODS, 'default', testPod('p', { nodeSelector: { 'kubernetes.io/hostname': 'node-1' } }));
    const s = start(fake, clock);
    await until(() => s.scheduler.snapshot.nodeOf('default/p') === 'node-2' && !s.scheduler.snapshot.isAssumed('default/p'));
    await advance(clock, 500);
    expect(await nodeOf(fake, 'p')).toBe('node-2');
    expect(await events(fake, 'Scheduled')).toHaveLength(0);
    expect(s.scheduler.queue.has('default/p')).toBe(false);
    expect(s.scheduler.snapshot.nodeInfo('node-1')?.pods.size).toBe(0);
  });

  it('is healthy once its informers have synced, and reports its queue', async () => {
    const { clock, fake } = await setup(testNode('node-1', { cpu: '1' }));
    await fake.create(PODS, 'default', testPod('big', { cpu: '2' }));
    const cfg = schedulerConfig(PROFILES.default, { identity: 'x', leaderElection: false });
    const scheduler = createScheduler(cfg, { api: fake, clock, log: silentLogger() });
    expect(scheduler.health()).toMatchObject({ ready: false });
    const abort = new AbortController();
    aborts.push(abort);
    void scheduler.run(abort.signal);
    await until(() => scheduler.queue.isUnschedulable('default/big'));
    expect(scheduler.health()).toMatchObject({ ready: true, leading: true, queue: { unschedulable: 1 }, unschedulableAttempts: 1 });
  });
});

describe('scheduler leader election', () => {
  it('schedules only on the leader; the standby takes over when the leader stops', async () => {
    const { clock, fake } = await setup(testNode('node-1'));
    const a = start(fake.connect(), clock, { identity: 'a', leaderElection: true });
    await advance(clock, 50);
    const b = start(fake.connect(), clock, { identity: 'b', leaderElection: true });
    await advance(clock, 1500);
    expect(a.scheduler.isLeader()).toBe(true);
    expect(b.scheduler.isLeader()).toBe(false);
    await fake.create(PODS, 'default', testPod('first'));
    await until(async () => (await nodeOf(fake, 'first')) === 'node-1');
    expect(b.scheduler.loop.counts.scheduled).toBe(0);
    await until(() => b.scheduler.snapshot.nodeOf('default/first') === 'node-1');

    a.abort.abort();
    await a.done;
    await fake.create(PODS, 'default', testPod('second'));
    await advance(clock, 3000);
    expect(b.scheduler.isLeader()).toBe(true);
    await until(async () => (await nodeOf(fake, 'second')) === 'node-1');
    expect(b.scheduler.loop.counts.scheduled).toBe(1);
    expect(await events(fake, 'Scheduled')).toHaveLength(2);
  });

  it('lets the standby take over within the lease duration when the leader vanishes', async () => {
    const { clock, fake } = await setup(testNode('node-1'));
    const connA = fake.connect();
    const a = start(connA, clock, { identity: 'a', leaderElection: true });
    await advance(clock, 50);
    const b = start(fake.connect(), clock, { identity: 'b', leaderElection: true });
    await advance(clock, 1500);
    expect(a.scheduler.isLeader()).toBe(true);
    connA.down = true; // a is cut off: it can neither renew nor release
    await fake.create(PODS, 'default', testPod('orphan'));
    await advance(clock, 6000);
    expect(b.scheduler.isLeader()).toBe(true);
    await until(async () => (await nodeOf(fake, 'orphan')) === 'node-1');
  });
});
