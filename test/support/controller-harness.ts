/**
 * Unit-test harness for the controller-manager's controllers: a FakeClock, the in-memory FakeApi,
 * the real ControllerContext (shared informers over the fake) and a fake heartbeat feed (the
 * tracker is fed directly, as the bus subscription would). Builders for Ready nodes and bound pods
 * in the shapes the kubelet writes.
 */
import type { Event, Node, Pod, PodPhase, Toleration } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { Runnable } from '../../shared/controller/manager.js';
import { FakeClock, isoTime, type Clock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { PROFILES, type Profile } from '../../shared/runtime/profile.js';
import { createContext, type ControllerContext, type ControllerSettings } from '../../services/controller-manager/context.js';
import { HeartbeatTracker } from '../../services/controller-manager/heartbeats.js';
import { FakeApi } from './fake-api.js';
import { advance, settle } from './settle.js';

export const NODES = resourceByPlural('nodes');
export const PODS = resourceByPlural('pods');
export const EVENTS = resourceByPlural('events');
export const LEASES = resourceByPlural('leases');

export interface Harness {
  clock: FakeClock;
  api: FakeApi;
  ctx: ControllerContext;
  heartbeats: HeartbeatTracker;
  /** Starts a runnable (and the informers) until the test ends. */
  run(r: Runnable): void;
  /** One heartbeat from each node, now. */
  beat(...nodes: string[]): void;
  /** Advances `ms` while `nodes` send a heartbeat every `everyMs`. */
  beating(nodes: string[], ms: number, everyMs?: number): Promise<void>;
  advance(ms: number, stepMs?: number): Promise<void>;
  node(name: string): Promise<Node>;
  pod(name: string, namespace?: string): Promise<Pod>;
  events(reason?: string): Promise<Event[]>;
  stop(): void;
}

export async function startHarness(opts: { profile?: Partial<Profile>; settings?: Partial<ControllerSettings> } = {}): Promise<Harness> {
  const clock = new FakeClock();
  const api = new FakeApi(clock);
  const heartbeats = new HeartbeatTracker(clock);
  const profile = { ...PROFILES.default, ...opts.profile };
  const ctx = createContext({ api, clock, log: silentLogger(), profile, heartbeats, settings: opts.settings });
  const abort = new AbortController();
  const seq = new Map<string, number>();
  const h: Harness = {
    clock,
    api,
    ctx,
    heartbeats,
    run(r) {
      void r.run(abort.signal);
      ctx.informers.start(abort.signal);
    },
    beat(...nodes) {
      for (const node of nodes) {
        const n = (seq.get(node) ?? 0) + 1;
        seq.set(node, n);
        heartbeats.record({ node, sentAt: clock.now(), seq: n });
      }
    },
    async beating(nodes, ms, everyMs = 1000) {
      for (let done = 0; done < ms; done += everyMs) {
        h.beat(...nodes);
        await advance(clock, Math.min(everyMs, ms - done), 50);
      }
    },
    advance: (ms, stepMs = 50) => advance(clock, ms, stepMs),
    node: (name) => api.get<Node>(NODES, undefined, name),
    pod: (name, namespace = 'default') => api.get<Pod>(PODS, namespace, name),
    async events(reason) {
      await settle();
      await ctx.flushEvents();
      const list = await api.list<Event>(EVENTS, undefined);
      return list.items.filter((e) => !reason || e.reason === reason);
    },
    stop: () => abort.abort(),
  };
  return h;
}

export function readyNode(name: string, clock: Clock, extra: Partial<Node['spec']> = {}): Node {
  const now = isoTime(clock);
  const cond = (type: string, status: 'True' | 'False', reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { ...extra },
    status: {
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
    },
  };
}

export function boundPod(name: string, node: string, clock: Clock, opts: { tolerations?: Toleration[]; phase?: PodPhase } = {}): Pod {
  const now = isoTime(clock);
  const cond = (type: string) => ({ type, status: 'True' as const, lastProbeTime: null, lastTransitionTime: now });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, containers: [{ name: 'kubia', image: 'luksa/kubia' }], ...(opts.tolerations ? { tolerations: opts.tolerations } : {}) },
    status: { phase: opts.phase ?? 'Running', conditions: [cond('PodScheduled'), cond('Initialized'), cond('ContainersReady'), cond('Ready')] },
  };
}

/** The tolerations the api-server's admission gives every pod, with `seconds`. */
export function defaultTolerations(seconds: number): Toleration[] {
  return ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds }));
}
