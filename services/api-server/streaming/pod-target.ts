/**
 * What a logs / exec / port-forward request is about, with the answers Kubernetes gives when it
 * cannot be served (kubectl prints them verbatim):
 *
 * - the pod must exist (`pods "x" not found`);
 * - the container: named and present in the spec (`container x is not valid for pod y`), or
 *   omitted when the pod has exactly one (`a container name must be specified for pod y, choose
 *   one of: [a b]` otherwise) — kube-apiserver's rules;
 * - exec and port-forward need a node (`pod y does not have a host assigned`); logs of a pod with
 *   no node are empty, as kube-apiserver answers;
 * - logs need a container that ran (the kubelet's rules, applied here from the pod status the
 *   kubelet wrote, to spare a hop): `container "x" in pod "y" is waiting to start:
 *   ContainerCreating`, `…: image can't be pulled`, `…: trying and failing to pull image`,
 *   `previous terminated container "x" in pod "y" not found`, `container "x" in pod "y" is not
 *   available`. Unlike the kubelet, a last termination without a container id still counts (the
 *   runtime knows the instance by name and attempt).
 *
 * Pure functions over a Pod, plus `loadPod` through the registry.
 */
import { badRequest } from '../../../shared/api/errors.js';
import type { ContainerStatus, Pod } from '../../../shared/api/core.js';
import { resourceFor } from '../../../shared/api/resources.js';
import type { StreamTarget } from '../../../shared/client/byte-stream-open.js';
import type { Registry } from '../registry/registry.js';

const PODS = resourceFor('', 'v1', 'pods')!;

export async function loadPod(registry: Registry, namespace: string | undefined, name: string): Promise<Pod> {
  return (await registry.get(PODS, namespace, name)) as Pod;
}

function containerNames(pod: Pod): string[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
}

/** The container a request means (kube-apiserver's validateContainer). */
export function chooseContainer(pod: Pod, requested: string | undefined): string {
  const name = pod.metadata.name ?? '';
  if (!requested) {
    if (pod.spec.containers.length === 1) return pod.spec.containers[0]!.name;
    if (pod.spec.containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containerNames(pod).join(' ')}]`);
  }
  if (!containerNames(pod).includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** The node running the pod, for exec and port-forward. */
export function requireNode(pod: Pod): string {
  const node = pod.spec.nodeName;
  if (!node) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  return node;
}

function statusOf(pod: Pod, container: string): ContainerStatus | undefined {
  const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return all.find((s) => s.name === container);
}

/** Whether `container` has logs to read (the kubelet's validateContainerLogStatus). */
export function checkLogsAvailable(pod: Pod, container: string, previous: boolean): void {
  const podName = pod.metadata.name ?? '';
  const s = statusOf(pod, container);
  const q = (v: string): string => JSON.stringify(v);
  if (!s) {
    // Scheduled but not yet reported by the kubelet: what kubectl users see at that moment.
    if (pod.status?.containerStatuses === undefined) throw badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start: ContainerCreating`);
    throw badRequest(`container ${q(container)} in pod ${q(podName)} is not available`);
  }
  const last = s.lastState?.terminated;
  const { waiting, running, terminated } = s.state ?? {};
  if (previous) {
    if (!last) throw badRequest(`previous terminated container ${q(container)} in pod ${q(podName)} not found`);
    return;
  }
  if (running || terminated || last) return;
  if (waiting) {
    const reason = waiting.reason ?? '';
    if (reason === 'ErrImagePull') throw badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') throw badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start: trying and failing to pull image`);
    throw badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start: ${reason}`);
  }
  throw badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start - no logs yet`);
}

export function streamTarget(pod: Pod, container?: string): StreamTarget {
  return {
    namespace: pod.metadata.namespace ?? 'default',
    pod: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? '',
    podIP: pod.status?.podIP,
    container,
  };
}
