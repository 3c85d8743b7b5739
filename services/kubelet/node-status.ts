/**
 * The Node object a kubelet registers and the status it reports, shaped as a real kubelet v1.32
 * writes them (pure: the node agent does the I/O).
 *
 * - labels: `kubernetes.io/hostname`, `kubernetes.io/os=linux`, `kubernetes.io/arch=amd64`, their
 *   `beta.` forms, `node.kubernetes.io/instance-type=kubemu`, plus the operator's `--labels`;
 * - capacity = allocatable (kubemu reserves nothing): cpu, memory in Ki, pods, ephemeral-storage,
 *   hugepages 0;
 * - conditions MemoryPressure / DiskPressure / PIDPressure False and Ready True with the kubelet's
 *   reasons and messages (`KubeletReady`, `kubelet is posting ready status`); lastHeartbeatTime is
 *   now, lastTransitionTime moves only when the status changes;
 * - addresses InternalIP + Hostname, daemonEndpoints (kubelet port 10250), nodeInfo.
 */
import type { Node, NodeCondition } from '../../shared/api/core.js';
import { intValueOrZero } from '../../shared/api/quantity.js';

export const KUBELET_VERSION = 'v1.32.0';

export interface MachineInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
}

export interface NodeSpecInput {
  name: string;
  ip: string;
  cpu: string;
  memory: string;
  maxPods: number;
  ephemeralStorageBytes: number;
  labels: Record<string, string>;
  runtimeVersion: string;
  machine: MachineInfo;
  annotations?: Record<string, string>;
}

const CONDITIONS: { type: string; reason: string; message: string; healthy: 'True' | 'False' }[] = [
  { type: 'MemoryPressure', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', healthy: 'False' },
  { type: 'DiskPressure', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', healthy: 'False' },
  { type: 'PIDPressure', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', healthy: 'False' },
  { type: 'Ready', reason: 'KubeletReady', message: 'kubelet is posting ready status', healthy: 'True' },
];

/** The reason each condition's event carries (`Node node-1 status is now: NodeHasSufficientMemory`). */
export const CONDITION_EVENTS: Record<string, string> = {
  MemoryPressure: 'NodeHasSufficientMemory',
  DiskPressure: 'NodeHasNoDiskPressure',
  PIDPressure: 'NodeHasSufficientPID',
  Ready: 'NodeReady',
};

export function nodeLabels(input: NodeSpecInput): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': input.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'kubemu',
    ...input.labels,
  };
}

/** Bytes as the kubelet prints capacity: whole KiB (`4194304Ki`). */
export function kibibytes(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}

export function nodeResources(input: NodeSpecInput): Record<string, string> {
  return {
    cpu: String(input.cpu),
    'ephemeral-storage': kibibytes(input.ephemeralStorageBytes),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: kibibytes(intValueOrZero(input.memory)),
    pods: String(input.maxPods),
  };
}

/** The conditions to report now, keeping transition times of unchanged ones from `prev`. */
export function nodeConditions(prev: NodeCondition[] | undefined, now: string): NodeCondition[] {
  return CONDITIONS.map((c) => {
    const before = prev?.find((p) => p.type === c.type);
    const lastTransitionTime = before && before.status === c.healthy && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { type: c.type, status: c.healthy, lastHeartbeatTime: now, lastTransitionTime, reason: c.reason, message: c.message };
  });
}

export function nodeStatus(input: NodeSpecInput, prev: NodeCondition[] | undefined, now: string): NonNullable<Node['status']> {
  const resources = nodeResources(input);
  return {
    capacity: resources,
    allocatable: { ...resources },
    conditions: nodeConditions(prev, now),
    addresses: [
      { type: 'InternalIP', address: input.ip },
      { type: 'Hostname', address: input.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: input.machine.machineID,
      systemUUID: input.machine.systemUUID,
      bootID: input.machine.bootID,
      kernelVersion: input.machine.kernelVersion,
      osImage: input.machine.osImage,
      containerRuntimeVersion: input.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The Node to create at registration. */
export function nodeObject(input: NodeSpecInput, now: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: input.name,
      labels: nodeLabels(input),
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        ...(input.annotations ?? {}),
      },
    },
    spec: {},
    status: nodeStatus(input, undefined, now),
  };
}

/** True when the Ready condition the API shows is not the kubelet's `True`. */
export function readyIsStale(node: Node | undefined): boolean {
  const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
  return !ready || ready.status !== 'True';
}
