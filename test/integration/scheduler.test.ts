import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Pod } from '../../shared/api/core.js';
import type { Lease } from '../../shared/api/apps.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { subjects } from '../../shared/nats/subjects.js';
import { realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { PROFILES } from '../../shared/runtime/profile.js';
import { schedulerConfig } from '../../services/scheduler/config.js';
import { createScheduler, type Scheduler } from '../../services/scheduler/scheduler.js';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { testNode, testPod, type NodeOptions, type PodOptions } from '../support/scheduler-objects.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PODS = resourceByPlural('pods');
const NODES = resourceByPlural('nodes');
const EVENTS = resourceByPlural('events');
const LEASES = resourceByPlural('leases');

interface InProcess {
  scheduler: Scheduler;
  stop(): Promise<void>;
}

describe('scheduler against a real api-server', () => {
  let c: ApiCluster;
  const inProcess: InProcess[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    c = await startApiCluster();
  }, 60_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const s of inProcess) await s.stop().catch(() => undefined);
    await c?.dispose();
  }, 60_000);

  function startInProcess(identity: string): InProcess {
    const api = c.client(`scheduler/${identity}`);
    const scheduler = createScheduler(schedulerConfig(PROFILES.default, { identity }), { api, clock: realClock, log: silentLogger() });
    const abort = new AbortController();
    const done = scheduler.run(abort.signal);
    const handle = {
      scheduler,
      async stop() {
        abort.abort();
        await done;
      },
    };
    inProcess.push(handle);
    return handle;
  }

  async function addNode(name: string, o: NodeOptions = {}): Promise<void> {
    const node = testNode(name, o);
    await c.client().create(NODES, undefined, { ...node, status: undefined });
    await c.client().patch(NODES, undefined, name, 'merge', { status: node.status }, 'status');
  }

  async function addPod(name: string, o: PodOptions = {}): Promise<void> {
    await c.client().create(PODS, 'default', testPod(name, o));
  }

  async function podNode(name: string): Promise<string | undefined> {
    return (await c.client().get<Pod>(PODS, 'default', name)).spec.nodeName;
  }

  async function eventsFor(name: string, reason: string): Promise<Event[]> {
    const list = await c.client().list<Event>(EVENTS, 'default', { fieldSelector: `involvedObject.name=${name}` });
    return list.items.filter((e) => e.reason === reason);
  }

  async function holder(): Promise<string | undefined> {
    const lease = await c.client().get<Lease>(LEASES, 'kube-system', 'kube-scheduler').catch(() => undefined);
    return lease?.spec.holderIdentity ?? undefined;
  }

  it('binds pending pods to Ready nodes, spreading the replicas of a controller, never onto a node that is down', async () => {
    await addNode('node-1');
    await addNode('node-2');
    await addNode('node-3');
    await addNode('node-4', { ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] });
    startInProcess('scheduler-a');
    await eventually(async () => expect(await holder()).toBe('scheduler-a'), { timeoutMs: 10_000 });
    for (let i = 0; i < 6; i++) await addPod(`kubia-${i}`, { owner: { uid: 'rc-kubia', name: 'kubia' }, labels: { app: 'kubia' } });
    const placed = await eventually(
      async () => {
        const nodes = await Promise.all(Array.from({ length: 6 }, (_, i) => podNode(`kubia-${i}`)));
        expect(nodes.every(Boolean)).toBe(true);
        return nodes as string[];
      },
      { timeoutMs: 10_000 },
    );
    expect(placed.filter((n) => n === 'node-4')).toHaveLength(0);
    for (const n of ['node-1', 'node-2', 'node-3']) expect(placed.filter((p) => p === n)).toHaveLength(2);
    await eventually(async () => {
      const [e] = await eventsFor('kubia-0', 'Scheduled');
      expect(e).toMatchObject({ type: 'Normal', source: { component: 'default-scheduler' }, message: `Successfully assigned default/kubia-0 to ${placed[0]}` });
    });
    const pod = await c.client().get<Pod>(PODS, 'default', 'kubia-0');
    expect(pod.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]));
  }, 30_000);

  it('puts a pod with a nodeSelector on the labelled node', async () => {
    await c.client().patch(NODES, undefined, 'node-2', 'merge', { metadata: { labels: { gpu: 'true' } } });
    await addPod('kubia-gpu', { nodeSelector: { gpu: 'true' } });
    await eventually(async () => expect(await podNode('kubia-gpu')).toBe('node-2'), { timeoutMs: 10_000 });
  }, 20_000);

  it('refuses a pod asking for more cpu than any node has, with Kubernetes\' event and condition', async () => {
    await addPod('kubia-huge', { cpu: '100' });
    const expected =
      '0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 3 Insufficient cpu. ' +
      'preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.';
    await eventually(async () => {
      const [e] = await eventsFor('kubia-huge', 'FailedScheduling');
      expect(e).toMatchObject({ type: 'Warning', source: { component: 'default-scheduler' }, message: expected });
    }, { timeoutMs: 10_000 });
    await eventually(async () => {
      const pod = await c.client().get<Pod>(PODS, 'default', 'kubia-huge');
      expect(pod.spec.nodeName).toBeUndefined();
      expect(pod.status?.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: expected })]);
    });
  }, 20_000);

  it('schedules a waiting pod as soon as a node that fits it joins', async () => {
    await addNode('node-big', { cpu: '128' });
    await eventually(async () => expect(await podNode('kubia-huge')).toBe('node-big'), { timeoutMs: 10_000 });
  }, 20_000);

  it('hands over to a standby when the leader stops', async () => {
    const [a] = inProcess;
    const b = startInProcess('scheduler-b');
    await eventually(() => expect(b.scheduler.hasSynced()).toBe(true));
    expect(b.scheduler.isLeader()).toBe(false);
    await a.stop();
    await eventually(async () => expect(await holder()).toBe('scheduler-b'), { timeoutMs: 8000 });
    await addPod('after-handover');
    await eventually(async () => expect(await podNode('after-handover')).toBeDefined(), { timeoutMs: 10_000 });
    expect(b.scheduler.loop.counts.scheduled).toBe(1);
  }, 30_000);

  it('runs as its own process, answers health, and a standby takes over within the lease when it is SIGKILLed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services/scheduler/main.ts'), '--nats', c.nats.url, '--name', 'scheduler-proc'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const health = async (): Promise<Record<string, unknown>> => c.bus.request(subjects.control('scheduler-proc', 'health'), {}, { timeoutMs: 1000 });
    await eventually(async () => expect(await health()).toMatchObject({ ready: true, name: 'scheduler-proc', leading: false }), {
      timeoutMs: 30_000,
      message: `scheduler process did not become healthy:\n${out}`,
    });

    // The in-process leader steps down; the process takes over and schedules.
    await inProcess[1].stop();
    await eventually(async () => expect(await holder()).toBe('scheduler-proc'), { timeoutMs: 8000 });
    await addPod('by-process');
    await eventually(async () => expect(await podNode('by-process')).toBeDefined(), { timeoutMs: 10_000 });
    expect(await health()).toMatchObject({ leading: true, scheduled: 1 });

    // A standby waits; the process dies without releasing its lease.
    const standby = startInProcess('scheduler-c');
    await eventually(() => expect(standby.scheduler.hasSynced()).toBe(true));
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => child.once('exit', resolve));
    await addPod('after-kill');
    await eventually(async () => expect(await podNode('after-kill')).toBeDefined(), { timeoutMs: 15_000 });
    const takeoverMs = Date.now() - killedAt;
    expect(await holder()).toBe('scheduler-c');
    // lease 4 s + one retry period (1 s, with jitter) + the scheduling itself
    expect(takeoverMs).toBeLessThan(8000);
  }, 90_000);
});
