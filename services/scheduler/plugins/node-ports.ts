/**
 * NodePorts, as kube-scheduler's plugin of that name: a pod asking for host ports fits a node
 * only if none of them is taken there. Two uses clash when protocol and port are equal and the
 * host IPs overlap (equal, or either is 0.0.0.0 = every address). Resolvable (evicting the pod
 * that holds the port frees it): `node(s) didn't have free ports for the requested pod ports`.
 */
import { ANY_IP, type HostPort } from '../pod-info.js';
import type { NodeInfo } from '../snapshot.js';
import { unschedulable, type FilterPlugin } from './types.js';

export const PORTS_REASON = "node(s) didn't have free ports for the requested pod ports";

export function portTaken(node: NodeInfo, want: HostPort): boolean {
  const ips = node.usedPorts.get(`${want.protocol}/${want.port}`);
  if (!ips || ips.size === 0) return false;
  if (want.ip === ANY_IP) return true;
  return ips.has(ANY_IP) || ips.has(want.ip);
}

export const nodePortsFilter: FilterPlugin = {
  name: 'NodePorts',
  filter: (pod, node) => (pod.hostPorts.some((p) => portTaken(node, p)) ? unschedulable(PORTS_REASON) : undefined),
};
