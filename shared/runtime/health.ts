/**
 * The health convention of kubemu components (the launcher's component table relies on it): every
 * component answers a NATS request on `subjects.control(<process name>, 'health')`. Ready → the
 * reply `{ ready: true, name, pid, ...details }`; not ready yet → a ServiceUnavailable Status saying
 * why (the launcher's probe counts only a successful reply as healthy). Process names: `scheduler`,
 * `controller-manager`, `kubelet-node-1`, `kube-proxy-node-1`, … The check is the component's own
 * (informers synced, node registered, …).
 */
import { serviceUnavailable } from '../api/errors.js';
import type { Bus, BusSubscription } from '../nats/connection.js';
import { subjects } from '../nats/subjects.js';

export interface HealthReport {
  ready: boolean;
  /** Why not ready (shown by the launcher while it waits). */
  reason?: string;
  [detail: string]: unknown;
}

export function serveHealth(bus: Bus, processName: string, check: () => HealthReport | Promise<HealthReport>): BusSubscription {
  return bus.serve(subjects.control(processName, 'health'), async () => {
    const report = await check();
    if (!report.ready) throw serviceUnavailable(`${processName} is not ready${report.reason ? `: ${report.reason}` : ''}`);
    return { name: processName, pid: process.pid, ...report };
  });
}
