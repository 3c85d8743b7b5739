/**
 * The network plan a process runs in: `--network-slot N` (env KUBEMU_NETWORK_SLOT, default 0), the
 * slot the launcher picked so several clusters can share one machine (see shared/api/network.ts).
 */
import { networkPlan, type NetworkPlan } from '../api/network.js';
import { numberFlag } from './process.js';

export function networkFromFlags(argv?: string[]): NetworkPlan {
  return networkPlan(numberFlag('network-slot', 0, argv));
}
