/**
 * The scheduler's writes to the API: binding a pod, and telling the world what happened.
 *
 * - `bind` POSTs a v1 Binding to `pods/<name>/binding` (what kube-scheduler's DefaultBinder does).
 *   The answer is an outcome, never a throw: `bound`; `conflict` (409: already bound — by an
 *   earlier leader, say — or being deleted; not an error, the informer will show the truth);
 *   `gone` (404); `error` (anything else: the caller retries with back-off).
 * - `scheduled` records the Normal `Scheduled` event, `Successfully assigned <ns>/<name> to <node>`.
 * - `unschedulable` records the Warning `FailedScheduling` event with the message, and sets the
 *   pod's `PodScheduled=False` condition (reason `Unschedulable`, same message) through the status
 *   subresource with a strategic merge patch — only when it differs from what the pod already
 *   shows, so retrying an unschedulable pod does not rewrite it each time (the event's count goes
 *   up instead, by EventRecorder's aggregation). A pod gone meanwhile is not an error.
 *
 * Events carry `source.component` = the scheduler name (`default-scheduler`), as kubectl shows it.
 */
import type { Pod, PodCondition } from '../../shared/api/core.js';
import { isStatusError } from '../../shared/api/errors.js';
import type { KubeObject } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import type { EventRecorder } from '../../shared/client/event-recorder.js';
import { isoTime, type Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';

const PODS = resourceByPlural('pods');

export type BindOutcome = { kind: 'bound' } | { kind: 'conflict' | 'gone' | 'error'; error: Error };

export interface BinderDeps {
  api: ApiClient;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
}

/** The reference events are about, whatever TypeMeta the cached object carries. */
function podRef(pod: Pod): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata };
}

export class Binder {
  constructor(private readonly deps: BinderDeps) {}

  async bind(pod: Pod, nodeName: string): Promise<BindOutcome> {
    const { namespace, name = '', uid } = pod.metadata;
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, ...(uid ? { uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    try {
      await this.deps.api.create(PODS, namespace, binding, 'binding', name);
      return { kind: 'bound' };
    } catch (err) {
      const error = err as Error;
      if (isStatusError(err, 'Conflict')) return { kind: 'conflict', error };
      if (isStatusError(err, 'NotFound')) return { kind: 'gone', error };
      return { kind: 'error', error };
    }
  }

  scheduled(pod: Pod, nodeName: string): void {
    const { namespace, name } = pod.metadata;
    this.deps.recorder.record(podRef(pod), 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
  }

  async unschedulable(pod: Pod, message: string): Promise<void> {
    this.deps.recorder.record(podRef(pod), 'Warning', 'FailedScheduling', message);
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : isoTime(this.deps.clock),
      reason: 'Unschedulable',
      message,
    };
    const { namespace, name = '' } = pod.metadata;
    try {
      await this.deps.api.patch(PODS, namespace, name, 'strategic', { status: { conditions: [condition] } }, 'status');
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return;
      this.deps.log.warn({ err: (err as Error).message, pod: `${namespace}/${name}` }, 'could not set the PodScheduled condition');
    }
  }
}
