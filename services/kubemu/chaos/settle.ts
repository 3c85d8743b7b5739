/**
 * "Is the cluster whole again?" for the end of `kubemu chaos`: every node Ready and every
 * ReplicationController, ReplicaSet and Deployment at its desired replicas, all of them Ready —
 * read over the api-server's HTTP API as kubectl would, polled with the injected clock until true
 * or the deadline. Never throws for an api-server that does not answer: that is "not yet".
 */
import type { Clock } from '../../../shared/runtime/clock.js';
import { notReadyYet, readNodes } from '../node-readiness.js';

const CONTROLLER_LISTS = ['/api/v1/replicationcontrollers', '/apis/apps/v1/replicasets', '/apis/apps/v1/deployments'];

interface ReplicaObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number };
}

/** Controllers short of their desired replicas (`rc default/kubia 7/8 Ready`), or why they cannot be read. */
export async function controllersShort(apiUrl: string, timeoutMs = 3000): Promise<string[]> {
  const short: string[] = [];
  for (const path of CONTROLLER_LISTS) {
    let items: ReplicaObject[];
    try {
      const res = await fetch(`${apiUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
      if (res.status !== 200) return [`GET ${path} answered ${res.status}`];
      items = ((await res.json()) as { items?: ReplicaObject[] }).items ?? [];
    } catch (err) {
      return [`GET ${path}: ${(err as Error).message}`];
    }
    const kind = path.split('/').pop()!.replace(/s$/, '');
    for (const o of items) {
      const desired = o.spec?.replicas ?? 1;
      const ready = o.status?.readyReplicas ?? 0;
      if (ready < desired || (o.status?.replicas ?? 0) !== desired) short.push(`${kind} ${o.metadata?.namespace}/${o.metadata?.name} ${ready}/${desired} Ready`);
    }
  }
  return short;
}

/** Waits until `nodes` are Ready and no controller is short; answers what is still wrong at the deadline (empty: whole). */
export async function waitWhole(apiUrl: string, nodes: string[], opts: { clock: Clock; deadlineMs: number; intervalMs?: number; signal?: AbortSignal }): Promise<string[]> {
  const deadline = opts.clock.now() + opts.deadlineMs;
  for (;;) {
    const notReady = notReadyYet(await readNodes(apiUrl), nodes);
    const wrong = [...(notReady ? [notReady] : []), ...(await controllersShort(apiUrl))];
    if (wrong.length === 0 || opts.clock.now() >= deadline || opts.signal?.aborted) return wrong;
    await opts.clock.sleep(opts.intervalMs ?? 1000, opts.signal).catch(() => undefined);
  }
}
