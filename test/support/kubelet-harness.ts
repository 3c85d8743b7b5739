/**
 * A kubelet for unit tests: the real `createKubelet` with the in-memory FakeApi, a FakeClock, the
 * SimulatedRuntime (zero delays unless told otherwise) and a bus that only records heartbeats.
 * The Node is created beforehand with a pod CIDR (the fake has no IPAM), so registration goes
 * through the "already exists" path a restarted kubelet takes.
 */
import type { Node, Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { Bus } from '../../shared/nats/connection.js';
import { InformerFactory } from '../../shared/informer/factory.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { createKubelet, type Kubelet } from '../../services/kubelet/kubelet.js';
import { SimulatedRuntime } from '../../services/kubelet/runtime/simulated.js';
import { DEFAULT_STAGES, type Stages } from '../../services/kubelet/runtime/stages.js';
import { succeedingProbes, type ProbeExecutor } from '../../services/kubelet/probe-executor.js';
import { FakeApi } from './fake-api.js';
import { advance, settle } from './settle.js';

export const PODS = resourceByPlural('pods');
export const NODES = resourceByPlural('nodes');
export const EVENTS = resourceByPlural('events');

export interface KubeletHarness {
  clock: FakeClock;
  api: FakeApi;
  runtime: SimulatedRuntime;
  kubelet: Kubelet;
  heartbeats: { subject: string; body: any }[];
  /** Creates a pod bound to the harness node (defaults: one kubia container). */
  createPod(pod: any): Promise<Pod>;
  pod(name: string): Promise<Pod | undefined>;
  /** Event reasons and messages recorded about a pod (in order). */
  events(name: string): Promise<{ reason: string; message: string; type: string; count: number }[]>;
  /** Moves fake time forward in steps, letting async work run. */
  tick(ms: number, stepMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const ZERO_STAGES: Stages = {
  ...DEFAULT_STAGES,
  pull: { delayMs: 0, jitterMs: 0 },
  start: { delayMs: 0, jitterMs: 0 },
  stop: { delayMs: 0, jitterMs: 0 },
};

export async function startKubeletHarness(opts: { stages?: Stages; probes?: ProbeExecutor; node?: string; podCIDR?: string } = {}): Promise<KubeletHarness> {
  const clock = new FakeClock();
  const api = new FakeApi(clock);
  const nodeName = opts.node ?? 'node-1';
  await api.create<Node>(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName }, spec: { podCIDR: opts.podCIDR ?? '127.128.1.0/24' } });
  const runtime = new SimulatedRuntime({ clock, stages: opts.stages ?? ZERO_STAGES, random: () => 0 });
  const heartbeats: { subject: string; body: any }[] = [];
  const bus = { publish: (subject: string, body: unknown) => heartbeats.push({ subject, body }) } as unknown as Bus;
  const log = silentLogger();
  const informers = new InformerFactory({ api, clock, log });
  const kubelet = createKubelet({
    node: { name: nodeName, ip: '127.1.0.1' },
    api,
    bus,
    clock,
    log,
    runtime,
    informers,
    probes: opts.probes ?? succeedingProbes,
    resources: { cpu: '2', memory: '4Gi', maxPods: 110, ephemeralStorageBytes: 100 * 2 ** 30 },
    labels: { disk: 'ssd' },
    machine: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.0', osImage: 'kubemu test' },
    timing: { heartbeatIntervalMs: 1000, nodeStatusReportMs: 10_000 },
    backoff: { initialMs: 1000, maxMs: 30_000 },
  });
  const abort = new AbortController();
  informers.start(abort.signal);
  const running = kubelet.run(abort.signal);
  for (let i = 0; i < 50 && !kubelet.health().ready; i++) await settle();
  await running;
  return {
    clock,
    api,
    runtime,
    kubelet,
    heartbeats,
    async createPod(p) {
      const pod = structuredClone(p);
      pod.spec.nodeName ??= nodeName;
      pod.metadata.namespace ??= 'default';
      pod.spec.restartPolicy ??= 'Always';
      pod.spec.terminationGracePeriodSeconds ??= 30;
      for (const c of pod.spec.containers) c.imagePullPolicy ??= 'IfNotPresent';
      const created = await api.create<Pod>(PODS, pod.metadata.namespace, pod);
      await settle();
      return created;
    },
    async pod(name) {
      try {
        return await api.get<Pod>(PODS, 'default', name);
      } catch {
        return undefined;
      }
    },
    async events(name) {
      await kubelet.recorder.flush();
      const list = await api.list<any>(EVENTS, undefined);
      return list.items
        .filter((e) => e.involvedObject?.name === name)
        .sort((a, b) => parseInt(a.metadata.name.split('.').pop(), 16) - parseInt(b.metadata.name.split('.').pop(), 16))
        .map((e) => ({ reason: e.reason, message: e.message, type: e.type, count: e.count }));
    },
    tick: (ms, stepMs = 50) => advance(clock, ms, stepMs),
    async stop() {
      abort.abort(new Error('test over'));
      await kubelet.stop();
    },
  };
}
