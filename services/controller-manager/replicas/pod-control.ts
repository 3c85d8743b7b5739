/**
 * Creating and deleting an owner's pods through the API, with the Events Kubernetes records on the
 * owner:
 *
 * - A new pod comes from the owner's template: `generateName: <owner>-`, the template's labels,
 *   annotations and finalizers, a copy of its spec, and the owner's controller reference
 *   (`controller: true, blockOwnerDeletion: true`). Success → `SuccessfulCreate` "Created pod:
 *   <name>"; failure → Warning `FailedCreate` "Error creating: <message>". A namespace that is
 *   being terminated refuses every create: that is not reported as a failure (the owner is about
 *   to go too).
 * - Creates run in **slow-start batches** (1, 2, 4, 8, … at once): a create that fails stops the
 *   batches after the current one, so a quota or admission refusal costs a few calls, not
 *   hundreds, while a healthy burst of 500 takes 9 round trips.
 * - Deletion carries the pod's uid as a precondition (a new pod of the same name is never hit).
 *   Success → `SuccessfulDelete` "Deleted pod: <name>"; a pod already gone counts as deleted
 *   without an Event; other failures → Warning `FailedDelete` "Error deleting: <message>".
 * - Events pass the owner's budget first (./event-budget.ts), as client-go's spam filter does.
 */
import type { Pod } from '../../../shared/api/core.js';
import { invalid, isStatusError } from '../../../shared/api/errors.js';
import { resourceByPlural } from '../../../shared/api/resources.js';
import type { ApiClient } from '../../../shared/client/api.js';
import type { EventRecorder } from '../../../shared/client/event-recorder.js';
import type { EventBudget } from './event-budget.js';
import { controllerRefTo, type ReplicaAdapter, type ReplicaOwner } from './replica-owner.js';

const PODS = resourceByPlural('pods');

export type CreateOutcome = 'created' | 'skipped';

/** The pod an owner's template describes, ready to be created. */
export function podFromTemplate(adapter: ReplicaAdapter, owner: ReplicaOwner): Pod {
  const tpl = owner.spec?.template;
  if (!tpl?.spec) throw invalid(adapter.resource.kind, owner.metadata.name ?? '', [{ field: 'spec.template', message: 'Required value: a pod template is needed to create pods' }], adapter.resource.group);
  const meta = tpl.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers?.length ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRefTo(adapter, owner)],
    },
    spec: structuredClone(tpl.spec),
  };
}

function namespaceTerminating(err: unknown): boolean {
  return isStatusError(err, 'Forbidden') && /because it is being terminated/.test(err.message);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class PodControl {
  constructor(
    private readonly api: ApiClient,
    private readonly recorder: EventRecorder,
    private readonly budget: EventBudget,
  ) {}

  private record(owner: ReplicaOwner, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.budget.take(`${owner.metadata.uid}/${type}`)) this.recorder.record(owner, type, reason, message);
  }

  /** Creates one pod for `owner`; `skipped` when the namespace is terminating. Throws on other failures. */
  async create(adapter: ReplicaAdapter, owner: ReplicaOwner): Promise<CreateOutcome> {
    try {
      const pod = await this.api.create<Pod>(PODS, owner.metadata.namespace, podFromTemplate(adapter, owner));
      this.record(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      return 'created';
    } catch (err) {
      if (namespaceTerminating(err)) return 'skipped';
      this.record(owner, 'Warning', 'FailedCreate', `Error creating: ${messageOf(err)}`);
      throw err;
    }
  }

  /** Deletes `pod`; true when it is gone or going, false when it was already gone. Throws on other failures. */
  async delete(owner: ReplicaOwner, pod: Pod): Promise<boolean> {
    const { namespace, name = '', uid } = pod.metadata;
    try {
      await this.api.delete(PODS, namespace, name, { preconditions: { uid } });
      this.record(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      return true;
    } catch (err) {
      if (isStatusError(err, 'NotFound') || (isStatusError(err, 'Conflict') && /UID in precondition/.test(err.message))) return false;
      this.record(owner, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(err)}`);
      throw err;
    }
  }
}

/**
 * Calls `fn` `count` times in batches of 1, 2, 4, … (each batch concurrently); stops after a batch
 * with a failure. Answers how many calls succeeded (skipped ones count as not done) and the first error.
 */
export async function slowStartBatch(count: number, fn: () => Promise<CreateOutcome>, initialBatch = 1): Promise<{ done: number; error?: unknown }> {
  let remaining = count;
  let done = 0;
  for (let size = Math.min(remaining, initialBatch); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    done += results.filter((r) => r.status === 'fulfilled' && r.value === 'created').length;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) return { done, error: failed.reason };
    remaining -= size;
  }
  return { done };
}
