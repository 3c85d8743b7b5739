/**
 * One node's kubelet, assembled from its parts: the node agent (registration, heartbeats, node
 * status), the pod manager (a worker per pod) and the runtime it drives. Several kubelets may share
 * one process (`--simulated-nodes`): they share the bus, the API client and the informer factory
 * (so the Services informer for service links exists once), each with its own runtime, events
 * source (`kubelet` on `<node>`) and pod informer.
 *
 * `run(signal)` registers the Node, then starts pods once the node's pod CIDR is known and the pod
 * informer has synced; `health()` is ready from then on (the health convention's
 * `kubelet-<node>`). `stop()` halts the pod workers and stops every container at once (a node
 * shutting down; the API keeps showing what it last saw), then the timers.
 * The informer factory is started by the caller.
 */
import type { ConfigMap, Node, Pod, Secret, Service } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import { EventRecorder } from '../../shared/client/event-recorder.js';
import type { InformerFactory } from '../../shared/informer/factory.js';
import type { Bus } from '../../shared/nats/connection.js';
import type { Clock } from '../../shared/runtime/clock.js';
import type { HealthReport } from '../../shared/runtime/health.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { Backoff, type BackoffSettings } from './backoff.js';
import type { EnvSources } from './env.js';
import { ImagePuller } from './image-puller.js';
import { NodeAgent } from './node-agent.js';
import { nodeResources, type MachineInfo } from './node-status.js';
import type { ProbeExecutor } from './probe-executor.js';
import type { PodLookup } from './pod-lookup.js';
import { PodManager, PODS } from './pod-manager.js';
import type { Runtime } from './runtime/runtime.js';

const NODES = resourceByPlural('nodes');
const SERVICES = resourceByPlural('services');
const CONFIGMAPS = resourceByPlural('configmaps');
const SECRETS = resourceByPlural('secrets');

export interface KubeletDeps {
  node: { name: string; ip: string };
  api: ApiClient;
  bus: Bus;
  clock: Clock;
  log: Logger;
  runtime: Runtime;
  informers: InformerFactory;
  probes: ProbeExecutor;
  resources: { cpu: string; memory: string; maxPods: number; ephemeralStorageBytes: number };
  labels: Record<string, string>;
  machine: MachineInfo;
  timing: { heartbeatIntervalMs: number; nodeStatusReportMs: number };
  backoff: BackoffSettings;
  /** Extra Node annotations (e.g. why pods run without isolation). */
  annotations?: Record<string, string>;
}

export interface Kubelet {
  readonly nodeName: string;
  readonly runtime: Runtime;
  readonly pods: PodLookup;
  readonly manager: PodManager;
  readonly agent: NodeAgent;
  readonly recorder: EventRecorder;
  health(): HealthReport;
  run(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

async function getOrNothing<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return undefined;
    throw err;
  }
}

export function createKubelet(deps: KubeletDeps): Kubelet {
  const { node, api, clock, runtime, informers } = deps;
  const log = deps.log.child({ node: node.name });
  const recorder = new EventRecorder({ api, clock, log, source: { component: 'kubelet', host: node.name } });
  const input = {
    name: node.name,
    ip: node.ip,
    ...deps.resources,
    labels: deps.labels,
    runtimeVersion: runtime.version,
    machine: deps.machine,
    ...(deps.annotations ? { annotations: deps.annotations } : {}),
  };
  const nodeInformer = informers.informerFor<Node>(NODES, { fieldSelector: `metadata.name=${node.name}` });
  const podInformer = informers.informerFor<Pod>(PODS, { fieldSelector: `spec.nodeName=${node.name}` });
  const services = informers.informerFor<Service>(SERVICES);
  const agent = new NodeAgent({ api, bus: deps.bus, clock, log, recorder, input, informer: nodeInformer, ...deps.timing });
  const env: EnvSources = {
    services: (ns) => services.lister.listNamespace(ns),
    configMap: (ns, name) => getOrNothing(api.get<ConfigMap>(CONFIGMAPS, ns, name)),
    secret: (ns, name) => getOrNothing(api.get<Secret>(SECRETS, ns, name)),
  };
  const backoff = new Backoff(clock, deps.backoff);
  const manager = new PodManager({
    informer: podInformer,
    runtime,
    clock,
    log,
    workerDeps: {
      nodeName: node.name,
      hostIP: node.ip,
      runtime,
      api,
      recorder,
      clock,
      log,
      env,
      allocatable: nodeResources(input),
      probes: deps.probes,
      backoff,
      puller: new ImagePuller(runtime, backoff, recorder, clock),
    },
  });
  let stopped = false;

  return {
    nodeName: node.name,
    runtime,
    pods: manager,
    manager,
    agent,
    recorder,
    health(): HealthReport {
      if (!agent.registered) return { ready: false, reason: `node ${node.name} is not registered yet` };
      if (!manager.hasStarted) return { ready: false, reason: 'the pod informer has not synced yet' };
      return { ready: true, node: node.name, pods: manager.podCount, podCIDR: agent.podCIDR };
    },
    async run(signal) {
      const registered = await agent.register(signal);
      agent.start();
      const cidr = registered.spec?.podCIDR;
      if (!cidr) throw new Error(`node ${node.name} has no spec.podCIDR after registration`);
      await manager.start(cidr, signal);
      log.info('kubelet ready');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      agent.stop();
      manager.stop();
      await runtime.close();
      // Events still in flight get a moment, not the whole stop budget (the api-server may be gone).
      await Promise.race([recorder.flush(), clock.sleep(1000)]);
    },
  };
}
