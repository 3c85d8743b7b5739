/**
 * The FailedScheduling message, worded exactly as kube-scheduler words it (its FitError and
 * the default preemption plugin's PostFilter message), because users and tools read it:
 *
 *   0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.
 *   preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.
 *
 * (one line; wrapped here). Every reason of every node is counted (a node short of cpu and memory
 * adds to both), each count is written `<n> <reason>`, and the strings are sorted as Go's
 * `sort.Strings` does (byte order, so "10 …" sorts before "2 …"). With no nodes at all the message
 * is `no nodes available to schedule pods`, and no preemption part is added.
 *
 * Preemption: kubemu does not preempt. The preemption part is what kube-scheduler reports when it
 * finds no victims: nodes that failed unresolvably → `Preemption is not helpful for scheduling`;
 * the others → `No preemption victims found for incoming pod` (exact in a cluster where no pod has
 * a lower priority than another, i.e. every kubemu cluster unless priorities are set by hand); a
 * pod with `preemptionPolicy: Never` → `preemption: not eligible due to preemptionPolicy=Never.`.
 */
import type { PodInfo } from './pod-info.js';
import type { FilterFailure } from './plugins/types.js';

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

/** `<count> <reason>` for every distinct reason, sorted as Go sorts strings. */
export function reasonHistogram(failures: Iterable<FilterFailure>): string[] {
  const counts = new Map<string, number>();
  for (const f of failures) for (const r of f.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** kube-scheduler's FitError.Error(): the count of nodes, the histogram, then the post-filter message. */
export function fitErrorMessage(numAllNodes: number, failures: Iterable<FilterFailure>, postFilter?: string): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  const histogram = reasonHistogram(failures);
  if (histogram.length) msg += ` ${histogram.join(', ')}.`;
  if (postFilter) msg += ` ${postFilter}`;
  return msg;
}

/** The default preemption plugin's verdict when it finds no victims (kubemu never preempts). */
export function preemptionMessage(pod: PodInfo, failures: readonly FilterFailure[]): string {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  const verdicts = failures.map(
    (f): FilterFailure => ({ code: 'UnschedulableAndUnresolvable', reasons: [f.code === 'UnschedulableAndUnresolvable' ? NOT_HELPFUL : NO_VICTIMS] }),
  );
  return `preemption: ${fitErrorMessage(failures.length, verdicts)}`;
}

/** The whole FailedScheduling message for a pod that fits none of `numAllNodes` nodes. */
export function failedSchedulingMessage(pod: PodInfo, numAllNodes: number, failures: readonly FilterFailure[]): string {
  if (numAllNodes === 0) return NO_NODES_MESSAGE;
  return fitErrorMessage(numAllNodes, failures, preemptionMessage(pod, failures));
}
