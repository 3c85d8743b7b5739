/**
 * The three computed cells of a pod row — READY, STATUS, RESTARTS — with kubectl's exact rules:
 *
 * - STATUS starts as `status.reason` or else the phase (`SchedulingGated` when the PodScheduled
 *   condition says so). Init containers are walked in order: the first one neither finished with
 *   exit 0 nor a started sidecar (`restartPolicy: Always`) decides — `Init:<reason>` for a failed
 *   or waiting one (`Init:ExitCode:1`, `Init:Signal:9`, `Init:CrashLoopBackOff`), else
 *   `Init:<i>/<n>`. Once initialised, app containers are walked from the last to the first, so
 *   the first one with a waiting or terminated reason wins (`ContainerCreating`,
 *   `CrashLoopBackOff`, `ErrImagePull`, `Completed`, `Error`, `ExitCode:2`, `Signal:9`); a
 *   `Completed` pod that still has a running container reads `Running` (or `NotReady` without the
 *   Ready condition). A deletion timestamp makes it `Terminating` (unless the phase is terminal),
 *   or `Unknown` when the node controller marked it `NodeLost`.
 * - READY counts ready running app containers and started ready sidecars over app containers
 *   plus sidecars.
 * - RESTARTS sums restart counts (init containers only while initialising, sidecars always) and
 *   appends `(<age> ago)` of the newest `lastState.terminated.finishedAt` when non-zero.
 *
 * Pure; "now" comes from the caller's Clock.
 */
import type { Container, ContainerStatus, Pod, PodCondition } from '../../../../shared/api/core.js';
import type { Clock } from '../../../../shared/runtime/clock.js';
import { humanDuration, parseTime } from '../duration.js';

export interface PodCells {
  ready: string;
  status: string;
  restarts: string;
}

/** The reason the node lifecycle controller sets on pods of an unreachable node. */
const NODE_LOST = 'NodeLost';

function isSidecar(c: Container | undefined): boolean {
  return (c as { restartPolicy?: string } | undefined)?.restartPolicy === 'Always';
}

function conditionTrue(conditions: PodCondition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** finishedAt of the last termination, when there was one with a time. */
function lastTermination(s: ContainerStatus): number | undefined {
  return parseTime(s.lastState?.terminated?.finishedAt);
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

function terminatedReason(t: { reason?: string; signal?: number; exitCode?: number }, prefix: string): string {
  if (t.reason) return `${prefix}${t.reason}`;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

export function podCells(pod: Pod, clock: Clock): PodCells {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  const initSpecs = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  const total = (spec.containers ?? []).length + (spec.initContainers ?? []).filter(isSidecar).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;

  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    const sidecar = isSidecar(initSpecs.get(c.name));
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, lastTermination(c));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, lastTermination(c));
    }
    const term = c.state?.terminated;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    initializing = true;
    const waiting = c.state?.waiting?.reason;
    if (term) reason = terminatedReason(term, 'Init:');
    else if (waiting && waiting !== 'PodInitializing') reason = `Init:${waiting}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const apps = status.containerStatuses ?? [];
    for (let i = apps.length - 1; i >= 0; i--) {
      const c = apps[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, lastTermination(c));
      const waiting = c.state?.waiting?.reason;
      const term = c.state?.terminated;
      if (waiting) reason = waiting;
      else if (term) reason = terminatedReason(term, '');
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === NODE_LOST) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) restartCell = `${restarts} (${humanDuration(clock.now() - lastRestart)} ago)`;
  return { ready: `${ready}/${total}`, status: reason, restarts: restartCell };
}
