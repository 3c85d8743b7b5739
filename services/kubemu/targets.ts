/**
 * What `kubemu kill|start|restart <target>` act on, resolved against the state file's records:
 *
 *   a node name       `node-2`: every process of that node (its kubelet and kube-proxy)
 *   a process name    `scheduler-2`, `kubelet-node-1`, `kubelet-sim`: that process
 *   a component name  `scheduler`, `kube-proxy`, `store`: every process of that component
 *   `nats`            nats-server
 *
 * In that order: a process name wins over the component of the same name, so with `--standby`
 * `kill scheduler` kills the process `scheduler`, and `kill scheduler-2` the other one. An unknown
 * target is a UsageError listing what there is. Pure: reads nothing but the state given.
 */
import { UsageError } from './args.js';
import type { ClusterState, ProcessRecord } from './state.js';

const ALIASES: Record<string, string> = { nats: 'nats-server' };

export function resolveTarget(state: ClusterState, target: string): ProcessRecord[] {
  const name = ALIASES[target] ?? target;
  const byProcess = state.processes.filter((p) => p.name === name);
  if (byProcess.length) return byProcess;
  const byNode = state.processes.filter((p) => p.node === name);
  if (byNode.length) return byNode;
  const byComponent = state.processes.filter((p) => p.component === name);
  if (byComponent.length) return byComponent;
  throw new UsageError(`"${target}" is not part of this cluster; targets: ${targetChoices(state).join(', ')}`);
}

/** Node names, then components, then the processes that are neither a node's nor a component's namesake. */
export function targetChoices(state: ClusterState): string[] {
  const nodes = [...new Set(state.processes.flatMap((p) => (p.node ? [p.node] : [])))];
  const components = [...new Set(state.processes.map((p) => (p.component === 'nats-server' ? 'nats' : p.component)))];
  const others = state.processes.filter((p) => !p.node && p.name !== p.component).map((p) => p.name);
  return [...nodes, ...components, ...others];
}
