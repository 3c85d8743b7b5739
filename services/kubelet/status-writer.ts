/**
 * Writes one pod's status through the `status` subresource, only when it changed (the kubelet's
 * status manager).
 *
 * - `set(status, apiPod)`: the status wanted now; compared (key order ignored) with the freshest
 *   status known — what we last wrote, or the API's if it moved on since (another component such as
 *   the node lifecycle controller may have written Ready=False; we then write ours again).
 * - Writes are serialized and coalesced: while one is in flight, later `set`s replace each other
 *   and only the last is written.
 * - The write is a JSON patch that first tests `metadata.uid`, so a status never lands on a new
 *   pod that took the old one's name. NotFound / a failed uid test end the writer's job quietly
 *   (the pod is gone); other failures are retried after `retryMs` on the injected clock.
 * - `idle()` resolves when nothing is pending or in flight (tests, termination).
 */
import { isStatusError } from '../../shared/api/errors.js';
import type { Pod, PodStatus } from '../../shared/api/core.js';
import { rvOf } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import type { Clock, TimerHandle } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { canonicalJson } from './status.js';

const PODS = resourceByPlural('pods');

export interface StatusWriterOptions {
  api: ApiClient;
  clock: Clock;
  log: Logger;
  namespace: string;
  name: string;
  uid: string;
  retryMs?: number;
}

export class StatusWriter {
  private lastWritten?: { canonical: string; rv: number };
  private pending?: PodStatus;
  private inFlight?: Promise<void>;
  private retryTimer?: TimerHandle;
  private gone = false;
  private idleWaiters: (() => void)[] = [];
  /** Number of status writes sent (for tests and metrics). */
  writes = 0;

  constructor(private readonly opts: StatusWriterOptions) {}

  /** Asks for `status` to be the pod's status; `apiPod` is the latest object seen from the API. */
  set(status: PodStatus, apiPod: Pod | undefined): void {
    if (this.gone) return;
    const canonical = canonicalJson(status);
    const fresherApi = apiPod && (!this.lastWritten || rvOf(apiPod) > this.lastWritten.rv);
    const known = fresherApi ? canonicalJson(apiPod.status ?? {}) : this.lastWritten?.canonical;
    if (!this.inFlight && !this.pending && known === canonical) return;
    this.pending = status;
    this.kick();
  }

  idle(): Promise<void> {
    if (!this.inFlight && !this.pending && !this.retryTimer) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops writing (the pod is gone or the worker ends). */
  stop(): void {
    this.gone = true;
    this.pending = undefined;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    if (!this.inFlight) this.settle();
  }

  private kick(): void {
    if (this.inFlight || this.retryTimer || !this.pending) return;
    const status = this.pending;
    this.pending = undefined;
    this.inFlight = this.write(status).finally(() => {
      this.inFlight = undefined;
      if (this.pending && !this.gone) this.kick();
      else this.settle();
    });
  }

  private async write(status: PodStatus): Promise<void> {
    const { api, namespace, name, uid, log } = this.opts;
    const canonical = canonicalJson(status);
    try {
      this.writes++;
      const patch = [
        { op: 'test', path: '/metadata/uid', value: uid },
        { op: 'add', path: '/status', value: status },
      ];
      const pod = await api.patch<Pod>(PODS, namespace, name, 'json', patch, 'status');
      this.lastWritten = { canonical, rv: rvOf(pod) };
    } catch (err) {
      if (isStatusError(err, 'NotFound') || (isStatusError(err, 'Invalid') && /test failed/.test(err.message))) {
        this.gone = true; // the pod (with this uid) is gone
        return;
      }
      if (isStatusError(err, 'Invalid')) {
        log.error({ err, pod: `${namespace}/${name}` }, 'the api-server refused a pod status; dropping it');
        return;
      }
      log.warn({ err, pod: `${namespace}/${name}` }, 'could not write pod status; retrying');
      if (!this.pending) this.pending = status;
      this.retryTimer = this.opts.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, this.opts.retryMs ?? 500);
    }
  }

  private settle(): void {
    if (this.inFlight || this.retryTimer || (this.pending && !this.gone)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
