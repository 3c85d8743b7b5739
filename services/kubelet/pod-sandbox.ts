/**
 * Creating a pod's sandbox (the kubelet's RunPodSandbox step): the pod's IP — the node's address
 * for `hostNetwork` pods, the one the API already shows if it is still free (a restarted kubelet
 * keeps its pods' addresses), else a new one from the node's pod CIDR — its hostname
 * (`spec.hostname`, else the pod name) and its volumes, handed to the runtime.
 *
 * Failures are answers, not exceptions: a full CIDR or a runtime that cannot create the sandbox
 * records `FailedCreatePodSandBox` and says when to try again. A process runtime that could not
 * give the pod its own Linux namespaces says so in a `NoIsolation` warning on the pod.
 */
import type { Pod } from '../../shared/api/core.js';
import type { Recorder } from './image-puller.js';
import { IpExhausted, type IpAllocator } from './ip-allocator.js';
import type { Runtime, Sandbox, SandboxConfig } from './runtime/runtime.js';

export interface SandboxDeps {
  ips: IpAllocator;
  runtime: Runtime;
  hostIP: string;
  recorder: Recorder;
}

export type SandboxOutcome = { sandbox: Sandbox } | { retryInMs: number };

function volumesOf(pod: Pod): SandboxConfig['volumes'] {
  return (pod.spec.volumes ?? []).map((v) => ({
    name: v.name,
    kind: v.emptyDir ? ('emptyDir' as const) : v.hostPath ? ('hostPath' as const) : ('other' as const),
    ...(v.hostPath ? { hostPath: v.hostPath.path } : {}),
  }));
}

export async function createSandbox(d: SandboxDeps, pod: Pod): Promise<SandboxOutcome> {
  const uid = pod.metadata.uid ?? '';
  const name = pod.metadata.name ?? '';
  let ip: string;
  if (pod.spec.hostNetwork) ip = d.hostIP;
  else {
    const had = pod.status?.podIP;
    try {
      ip = had && d.ips.reserve(uid, had) ? had : d.ips.allocate(uid);
    } catch (err) {
      if (!(err instanceof IpExhausted)) throw err;
      d.recorder.record(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${err.message}`);
      return { retryInMs: 5000 };
    }
  }
  let sandbox: Sandbox;
  try {
    sandbox = await d.runtime.runPodSandbox({ podUid: uid, namespace: pod.metadata.namespace ?? 'default', name, ip, hostname: pod.spec.hostname ?? name, volumes: volumesOf(pod) });
  } catch (err) {
    d.recorder.record(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
    return { retryInMs: 2000 };
  }
  if (d.runtime.kind === 'process' && sandbox.isolation === 'none' && sandbox.isolationNote) {
    d.recorder.record(pod, 'Warning', 'NoIsolation', `Pod runs without Linux namespaces: ${sandbox.isolationNote}`);
  }
  return { sandbox };
}
