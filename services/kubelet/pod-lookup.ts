/**
 * What the kubelet's streaming handlers (logs, exec, port-forward: services/kubelet/streaming/)
 * may ask about the pods this node runs, and nothing more: a pod by namespace/name, its uid (the
 * runtime's key for `readLogs`), its IP (port-forward dials it) and its containers with the id of
 * each one's current instance (`exec` needs a running one). Answers come from memory, no I/O.
 */

export interface PodContainerRef {
  name: string;
  /** An init container. */
  init: boolean;
  /** Runtime id of the current instance; absent while it was never started (ContainerCreating). */
  containerId?: string;
  running: boolean;
}

export interface PodRef {
  uid: string;
  namespace: string;
  name: string;
  /** Absent until the pod's sandbox exists. */
  podIP?: string;
  /** Init containers first, then containers, in spec order. */
  containers: PodContainerRef[];
}

export interface PodLookup {
  /** The pod as this node runs it; undefined when this node does not run a pod of that name. */
  find(namespace: string, name: string): PodRef | undefined;
}
