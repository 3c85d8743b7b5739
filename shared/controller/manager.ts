/**
 * The manager: one lifecycle for everything a component runs (informer factory, controllers,
 * servers), as controller-runtime's manager.
 *
 * A `Runnable` has a name and `run(signal)`, which works until the signal aborts and then resolves.
 * `start(signal)` runs every runnable added (before or after it starts):
 * - runnables that do not need leadership (caches, servers) run at once, for the whole lifetime;
 * - runnables that need it (`needLeaderElection`, e.g. controllers) run only while this process
 *   holds the lease when `leaderElection` is configured, each term with its own signal that aborts
 *   when leadership is lost (they are all stopped before the lease is released or contested again);
 *   without leader election they simply run at once.
 * `start` resolves when the signal has aborted and every runnable has returned. A runnable that
 * fails (rejects while its signal is live) stops the whole manager, and `start` rejects with that
 * error: a component in an unknown state should restart rather than limp on.
 */
import { silentLogger, type Logger } from '../runtime/logger.js';
import { LeaderElector, type LeaderElectionConfig } from './leader-election.js';

export interface Runnable {
  readonly name: string;
  /** Default false for plain runnables; controllers set it true. */
  readonly needLeaderElection?: boolean;
  run(signal: AbortSignal): Promise<void>;
}

export interface ManagerOptions {
  log?: Logger;
  leaderElection?: LeaderElectionConfig;
  /** Told when this process starts or stops leading (for logs, metrics, readiness). */
  onLeadershipChange?(leading: boolean): void;
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

export class Manager {
  private readonly log: Logger;
  private readonly runnables: Runnable[] = [];
  private readonly runs = new Set<Promise<void>>();
  private readonly internal = new AbortController();
  private readonly elector?: LeaderElector;
  private started = false;
  private term?: { signal: AbortSignal; runs: Promise<void>[] };
  private failure?: unknown;

  constructor(private readonly opts: ManagerOptions = {}) {
    this.log = (opts.log ?? silentLogger()).child({ manager: true });
    if (opts.leaderElection) {
      this.elector = new LeaderElector(opts.leaderElection, {
        onStartedLeading: (signal) => this.lead(signal),
        onStoppedLeading: () => opts.onLeadershipChange?.(false),
      });
    }
  }

  add(r: Runnable): this {
    this.runnables.push(r);
    if (!this.started) return this;
    if (!r.needLeaderElection) this.launch(r, this.internal.signal);
    else if (this.term && !this.term.signal.aborted) this.term.runs.push(this.launch(r, this.term.signal));
    return this;
  }

  /** True while leader runnables may run: elected, or always when there is no leader election. */
  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.started;
  }

  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error('manager already started');
    this.started = true;
    const forward = (): void => this.internal.abort(signal.reason);
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    const live = this.internal.signal;

    for (const r of this.runnables) if (!r.needLeaderElection) this.launch(r, live);
    const leadership = this.elector ? this.elector.run(live) : this.lead(live);

    await aborted(live);
    await leadership.catch((err: unknown) => this.log.error({ err }, 'leader election failed'));
    while (this.runs.size) await Promise.all([...this.runs]);
    signal.removeEventListener('abort', forward);
    if (this.failure !== undefined) throw this.failure;
  }

  /** One leadership term: run every leader runnable until the term's signal aborts. */
  private async lead(signal: AbortSignal): Promise<void> {
    const term = { signal, runs: [] as Promise<void>[] };
    this.term = term;
    if (this.elector) this.opts.onLeadershipChange?.(true);
    for (const r of this.runnables) if (r.needLeaderElection) term.runs.push(this.launch(r, signal));
    await aborted(signal);
    while (term.runs.length) await Promise.all(term.runs.splice(0));
  }

  private launch(r: Runnable, signal: AbortSignal): Promise<void> {
    const log = this.log.child({ runnable: r.name });
    const run = Promise.resolve()
      .then(() => r.run(signal))
      .then(
        () => {
          if (!signal.aborted) log.info('runnable returned before being stopped');
        },
        (err: unknown) => {
          if (signal.aborted) return log.warn({ err }, 'runnable failed while stopping');
          log.error({ err }, 'runnable failed; stopping the manager');
          this.failure ??= err;
          this.internal.abort(err);
        },
      );
    this.runs.add(run);
    void run.finally(() => this.runs.delete(run));
    return run;
  }
}
