/**
 * A stand-in for the ReplicaSet controller, inside the healing benchmark (`--owner standin`): how
 * healing was measured before kubemu had its own ReplicationController / ReplicaSet controllers,
 * kept for such commits and to compare with the real one (`--owner rc`, ./replica-owners.ts).
 *
 * It does what those controllers do for healing, level-based: it watches the pods of its label
 * (its own watch through the api-server, as a controller's informer would) and, whenever fewer
 * than `replicas` of them are active, creates the missing ones. Active, as Kubernetes counts it:
 * not being deleted (no deletionTimestamp — an evicted pod on a dead node is no longer counted,
 * though it stays Terminating until its kubelet returns) and not finished (Succeeded / Failed).
 * A create in flight counts as active (the controller's "expectations"), so it never creates twice
 * for one gap. A failed create is retried a second later. It never deletes surplus pods (healing
 * never makes any) and sets no ownerReferences: there is no owner object for a garbage collector
 * to find, and the scheduler then spreads the pods by their resource requests instead of by owner.
 *
 * Differences from the real controllers that affect the timing: it runs in the benchmark's
 * process, and it creates at once (no work-queue rate limiting, no batching of 1, 2, 4, … creates).
 */
import type { Pod } from '../../shared/api/core.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient, ApiWatch } from '../../shared/client/api.js';
import type { ReplicaOwner } from './replica-owners.js';

const PODS = resourceByPlural('pods');

function active(p: Pod): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

export class StandInReplicaSet implements ReplicaOwner {
  readonly describe = 'a stand-in ReplicaSet in the benchmark process (--owner standin)';
  private readonly pods = new Map<string, Pod | 'creating'>();
  private watch?: ApiWatch;
  private working = false;
  private dirty = false;
  private stopped = false;
  private created = 0;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly api: ApiClient,
    private readonly namespace: string,
    private readonly replicas: number,
    private readonly template: (name: string) => Pod,
    private readonly labelSelector: string,
    private readonly namePrefix: string,
  ) {}

  async start(): Promise<void> {
    this.watch = await this.api.watch<Pod>(PODS, this.namespace, { labelSelector: this.labelSelector }, {
      onEvent: (e) => {
        const name = e.object.metadata.name ?? '';
        if (e.type === 'DELETED') this.pods.delete(name);
        else if (e.type === 'ADDED' || e.type === 'MODIFIED') this.pods.set(name, e.object);
        else return;
        this.kick();
      },
      onError: () => undefined,
    });
    this.kick();
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.working) {
      this.dirty = true;
      return;
    }
    this.working = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    do {
      this.dirty = false;
      await this.reconcile();
    } while (this.dirty && !this.stopped);
    this.working = false;
  }

  private async reconcile(): Promise<void> {
    const count = [...this.pods.values()].filter((p) => p === 'creating' || active(p)).length;
    const missing = Math.max(0, this.replicas - count);
    const names = Array.from({ length: missing }, () => `${this.namePrefix}-${++this.created}`);
    for (const n of names) this.pods.set(n, 'creating');
    await Promise.all(
      names.map(async (name) => {
        try {
          const pod = await this.api.create<Pod>(PODS, this.namespace, this.template(name));
          if (this.pods.get(name) === 'creating') this.pods.set(name, pod);
        } catch {
          this.pods.delete(name);
          this.retry ??= setTimeout(() => {
            this.retry = undefined;
            this.kick();
          }, 1000);
        }
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.watch?.stop();
    await Promise.all([...this.pods.keys()].map((name) => this.api.delete(PODS, this.namespace, name).catch(() => undefined)));
  }
}
