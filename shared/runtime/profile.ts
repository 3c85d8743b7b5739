/**
 * Timing profiles: kubemu is fast by default (made for watching healing happen) and faithful on
 * request (`--profile kubernetes` uses Kubernetes' real defaults). Every component reads the same
 * profile, and any single timing can be overridden by its own flag.
 *
 *                                   default    kubernetes
 *   heartbeat (kubelet → bus)        1 s        10 s   (node lease renew interval)
 *   node status report (kubelet)     10 s       60 s   (written on change, and at least this often)
 *   node monitor grace               4 s        50 s   (no heartbeat this long → Ready=Unknown)
 *   node monitor period              0.5 s      5 s
 *   node startup grace               4 s        60 s   (a node never heard from since the controller started)
 *   NoExecute tainting rate          unlimited  0.1 nodes/s (how fast unhealthy nodes get evicted; 0 = unlimited)
 *   node lease duration              4 s        40 s
 *   default not-ready / unreachable
 *     toleration (admission)         0 s        300 s  (0 = evicted at once)
 *   leader election lease / renew /
 *     retry                          4/3/1 s    15/10/2 s
 */
import { flag, numberFlag } from './process.js';

export type ProfileName = 'default' | 'kubernetes';

export interface Profile {
  name: ProfileName;
  heartbeatIntervalMs: number;
  nodeStatusReportMs: number;
  nodeMonitorGraceMs: number;
  nodeMonitorPeriodMs: number;
  /** Grace for a node not heard from since the node lifecycle controller (re)started leading. */
  nodeStartupGraceMs: number;
  /** Nodes per second that may get a NoExecute (eviction) taint; 0 = unlimited. */
  nodeEvictionRate: number;
  nodeLeaseDurationSeconds: number;
  defaultTolerationSeconds: number;
  leaderElection: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
}

export const PROFILES: Record<ProfileName, Profile> = {
  default: {
    name: 'default',
    heartbeatIntervalMs: 1000,
    nodeStatusReportMs: 10_000,
    nodeMonitorGraceMs: 4000,
    nodeMonitorPeriodMs: 500,
    nodeStartupGraceMs: 4000,
    nodeEvictionRate: 0,
    nodeLeaseDurationSeconds: 4,
    defaultTolerationSeconds: 0,
    leaderElection: { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 1000 },
  },
  kubernetes: {
    name: 'kubernetes',
    heartbeatIntervalMs: 10_000,
    nodeStatusReportMs: 60_000,
    nodeMonitorGraceMs: 50_000,
    nodeMonitorPeriodMs: 5000,
    nodeStartupGraceMs: 60_000,
    nodeEvictionRate: 0.1,
    nodeLeaseDurationSeconds: 40,
    defaultTolerationSeconds: 300,
    leaderElection: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 },
  },
};

/** `--profile` (env KUBEMU_PROFILE), then per-timing overrides such as `--node-monitor-grace-ms`. */
export function profileFromFlags(argv?: string[]): Profile {
  const name = (flag('profile', 'default', argv) ?? 'default') as ProfileName;
  const base = PROFILES[name];
  if (!base) throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, got "${name}"`);
  return {
    ...base,
    heartbeatIntervalMs: numberFlag('heartbeat-interval-ms', base.heartbeatIntervalMs, argv),
    nodeStatusReportMs: numberFlag('node-status-report-ms', base.nodeStatusReportMs, argv),
    nodeMonitorGraceMs: numberFlag('node-monitor-grace-ms', base.nodeMonitorGraceMs, argv),
    nodeMonitorPeriodMs: numberFlag('node-monitor-period-ms', base.nodeMonitorPeriodMs, argv),
    nodeStartupGraceMs: numberFlag('node-startup-grace-ms', base.nodeStartupGraceMs, argv),
    nodeEvictionRate: numberFlag('node-eviction-rate', base.nodeEvictionRate, argv),
    nodeLeaseDurationSeconds: numberFlag('node-lease-duration-seconds', base.nodeLeaseDurationSeconds, argv),
    defaultTolerationSeconds: numberFlag('default-toleration-seconds', base.defaultTolerationSeconds, argv),
  };
}
