/**
 * The controller-manager against a real api-server (real nats-server, store process, api-server):
 * heartbeats are published on the real bus by the test, as kubelets would. In-process managers for
 * the node lifecycle; real `controller-manager` processes for leader election under SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../shared/api/apps.js';
import type { Event, Node, Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { subjects } from '../../shared/nats/subjects.js';
import { isoTime, realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { PROFILES } from '../../shared/runtime/profile.js';
import { createControllerManager, type ControllerManager } from '../../services/controller-manager/controller-manager.js';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { pod } from '../support/builders.js';
import { readyNode } from '../support/controller-harness.js';
import { eventually } from '../support/eventually.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODES = resourceByPlural('nodes');
const PODS = resourceByPlural('pods');
const LEASES = resourceByPlural('leases');
const EVENTS = resourceByPlural('events');

let c: ApiCluster;
let api: NatsApiClient;
const stops: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  c = await startApiCluster({ defaultTolerationSeconds: 0 });
  api = c.client('test');
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await c?.dispose();
});

/** Heartbeats on the real bus for the nodes in `alive`, every 250 ms (a real timer: it is the feed, not a wait). */
function heartbeats(alive: Set<string>): void {
  let seq = 0;
  const timer = setInterval(() => {
    seq++;
    for (const node of alive) c.bus.publish(subjects.node.heartbeat(node), { node, sentAt: Date.now(), seq });
  }, 250);
  stops.push(() => clearInterval(timer));
}

function startManager(identity: string, name = 'controller-manager'): { cm: ControllerManager; stop: () => Promise<void> } {
  const cm = createControllerManager({ name, identity, profile: PROFILES.default }, { bus: c.bus, api: c.client(identity), clock: realClock, log: silentLogger() });
  const abort = new AbortController();
  const done = cm.run(abort.signal);
  const stop = async (): Promise<void> => {
    abort.abort();
    await done;
  };
  stops.push(stop);
  return { cm, stop };
}

async function registerNode(name: string): Promise<void> {
  await api.create(NODES, undefined, readyNode(name, realClock));
}

async function runningPod(name: string, node: string): Promise<void> {
  await api.create(PODS, 'default', pod(name));
  await api.create(PODS, 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } }, 'binding', name);
  const p = await api.get<Pod>(PODS, 'default', name);
  const now = isoTime(realClock);
  const conditions = [...(p.status?.conditions ?? []), ...['Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True' as const, lastTransitionTime: now }))];
  await api.update(PODS, { ...p, status: { ...p.status, phase: 'Running', conditions } }, 'status');
}

const ready = async (node: string) => (await api.get<Node>(NODES, undefined, node)).status?.conditions?.find((x) => x.type === 'Ready')?.status;

describe('controller-manager against a real api-server', () => {
  it('a node whose heartbeats stop turns NotReady, gets the unreachable taints and loses its pods; its Lease mirrors heartbeats', async () => {
    const alive = new Set(['node-1', 'node-2']);
    heartbeats(alive);
    await registerNode('node-1');
    await registerNode('node-2');
    await runningPod('kubia-1', 'node-1');
    await runningPod('kubia-2', 'node-2');
    const { cm } = startManager('cm-solo');
    await eventually(() => cm.health().ready && cm.isLeader(), { timeoutMs: 10_000, message: 'the manager leads' });
    await eventually(async () => (await api.get<Lease>(LEASES, 'kube-node-lease', 'node-1')).spec.holderIdentity === 'node-1', { timeoutMs: 5000 });

    alive.delete('node-2');
    const killedAt = Date.now();
    await eventually(async () => (await ready('node-2')) === 'Unknown', { timeoutMs: 10_000, message: 'node-2 is Unknown' });
    const notReadyAfter = Date.now() - killedAt;
    expect(notReadyAfter).toBeGreaterThanOrEqual(3500);
    expect(notReadyAfter).toBeLessThan(7000);
    const victim = await eventually(async () => {
      const p = await api.get<Pod>(PODS, 'default', 'kubia-2');
      if (!p.metadata.deletionTimestamp) throw new Error('kubia-2 not evicted yet');
      return p;
    });
    expect(victim.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('False');
    expect(victim.status?.conditions?.find((x) => x.type === 'DisruptionTarget')?.reason).toBe('DeletionByTaintManager');
    const node2 = await api.get<Node>(NODES, undefined, 'node-2');
    expect((node2.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort()).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    expect(await ready('node-1')).toBe('True');
    expect((await api.get<Pod>(PODS, 'default', 'kubia-1')).metadata.deletionTimestamp).toBeUndefined();
    const lease = await api.get<Lease>(LEASES, 'kube-node-lease', 'node-1');
    expect(Date.now() - Date.parse(lease.spec.renewTime!)).toBeLessThan(3000);
    expect(lease.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'node-1' });
    const events = await eventually(async () => {
      const list = (await api.list<Event>(EVENTS, 'default')).items;
      const want = ['NodeNotReady', 'TaintManagerEviction'];
      if (!want.every((r) => list.some((e) => e.reason === r))) throw new Error('events not recorded yet');
      return list;
    });
    expect(events.find((e) => e.reason === 'NodeNotReady' && e.involvedObject.kind === 'Node')?.message).toBe('Node node-2 status is now: NodeNotReady');
    expect(events.find((e) => e.reason === 'TaintManagerEviction')?.message).toBe('Marking for deletion Pod default/kubia-2');
    // Events reference their objects fully, so `kubectl describe node|pod` finds them.
    const registered = events.find((e) => e.reason === 'RegisteredNode' && e.involvedObject.name === 'node-1');
    expect(registered?.involvedObject).toMatchObject({ kind: 'Node', apiVersion: 'v1', name: 'node-1' });
    expect(events.find((e) => e.reason === 'TaintManagerEviction')?.involvedObject).toMatchObject({ kind: 'Pod', namespace: 'default', name: 'kubia-2' });

    // The node comes back: its kubelet reports Ready again, and the controller lifts the taints.
    alive.add('node-2');
    const back = await api.get<Node>(NODES, undefined, 'node-2');
    const now = isoTime(realClock);
    const conditions = back.status!.conditions!.map((x) => ({ ...x, status: x.type === 'Ready' ? ('True' as const) : ('False' as const), lastHeartbeatTime: now, lastTransitionTime: now }));
    await api.update(NODES, { ...back, status: { ...back.status, conditions } }, 'status');
    await eventually(async () => ((await api.get<Node>(NODES, undefined, 'node-2')).spec?.taints ?? []).length === 0, { timeoutMs: 5000, message: 'taints lifted' });
    expect(await ready('node-2')).toBe('True');
  });

  it('force-deletes the pods of a deleted node, Terminating ones included', async () => {
    await registerNode('node-9');
    await runningPod('doomed', 'node-9');
    await api.delete(PODS, 'default', 'doomed'); // Terminating: its kubelet would have to confirm
    await api.delete(NODES, undefined, 'node-9');
    await eventually(async () => {
      const names = (await api.list<Pod>(PODS, 'default')).items.map((p) => p.metadata.name);
      if (names.includes('doomed')) throw new Error('still there');
    }, { timeoutMs: 5000 });
  });
});

describe('controller-manager processes: leader election', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
  });

  function spawnCm(name: string): ChildProcess {
    const ch = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services/controller-manager/main.ts'), '--nats', c.nats.url, '--name', name], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    children.push(ch);
    return ch;
  }

  const health = async (name: string): Promise<{ ready: boolean; leading: boolean; pid: number }> =>
    c.bus.request(subjects.control(name, 'health'), {}, { timeoutMs: 1000 });

  it('one leads, the standby takes over within the lease duration when the leader is SIGKILLed, and exits cleanly on SIGTERM', async () => {
    // The in-process manager of the suite above holds the lease; stop it so the processes compete.
    for (const stop of stops.splice(0).reverse()) await stop();
    const a = spawnCm('cm-a');
    const b = spawnCm('cm-b');
    const both = await eventually(async () => {
      const [ha, hb] = await Promise.all([health('cm-a'), health('cm-b')]);
      if (!ha.ready || !hb.ready || ha.leading === hb.leading) throw new Error(`not settled: a=${ha.leading} b=${hb.leading}`);
      return { ha, hb };
    }, { timeoutMs: 30_000, intervalMs: 200 });
    const [leader, standby, standbyName] = both.ha.leading ? [a, b, 'cm-b'] : [b, a, 'cm-a'];
    leader.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually(async () => (await health(standbyName)).leading, { timeoutMs: 10_000, intervalMs: 100, message: 'the standby leads' });
    expect(Date.now() - killedAt).toBeLessThan(4000 + 1500); // lease 4 s + one retry period
    const exit = new Promise<number | null>((resolve) => standby.once('exit', (code) => resolve(code)));
    standby.kill('SIGTERM');
    expect(await exit).toBe(0);
    const lease = await api.get<Lease>(LEASES, 'kube-system', 'kube-controller-manager');
    expect(lease.spec.holderIdentity).toBe(''); // released on a graceful stop
  }, 60_000);
});
