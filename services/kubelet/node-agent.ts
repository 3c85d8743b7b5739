/**
 * The node side of a kubelet: registers its Node, publishes heartbeats, and keeps the Node's
 * status true.
 *
 * - Registration: create the Node (labels, capacity, conditions, addresses, nodeInfo; the
 *   api-server allocates `spec.podCIDR`); if it exists already (a restarted kubelet), add our
 *   labels and write our status onto it. Retried every `registerRetryMs` until it works (the
 *   api-server may start after us). Events: `Starting kubelet.`, `NodeHasSufficientMemory`,
 *   `NodeHasNoDiskPressure`, `NodeHasSufficientPID`, `NodeAllocatableEnforced`, `NodeReady`.
 * - Heartbeats: `{ node, sentAt, seq }` on `subjects.node.heartbeat(node)` every
 *   `heartbeatIntervalMs` (the node lifecycle controller mirrors them into Leases and judges the
 *   node by them). This shape is the contract with the controller-manager: keep it.
 * - Status: written through the `status` subresource when it changes and at least every
 *   `nodeStatusReportMs`; and at once when the API shows Ready other than True while this kubelet
 *   is alive (the lifecycle controller marked it Unknown during a partition) — with a `NodeReady`
 *   event. A Node deleted under a live kubelet is registered again.
 * Writes are serialized; failures are logged and retried by the next tick.
 */
import type { Node } from '../../shared/api/core.js';
import { rvOf } from '../../shared/api/meta.js';
import { isStatusError } from '../../shared/api/errors.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { ApiClient } from '../../shared/client/api.js';
import type { SharedInformer } from '../../shared/informer/informer.js';
import type { Bus } from '../../shared/nats/connection.js';
import { subjects } from '../../shared/nats/subjects.js';
import { isoTime, type Clock, type TimerHandle } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Recorder } from './image-puller.js';
import { CONDITION_EVENTS, nodeLabels, nodeObject, nodeStatus, readyIsStale, type NodeSpecInput } from './node-status.js';

const NODES = resourceByPlural('nodes');

export interface Heartbeat {
  node: string;
  /** Epoch milliseconds on the kubelet's clock. */
  sentAt: number;
  seq: number;
}

export interface NodeAgentOptions {
  api: ApiClient;
  bus: Bus;
  clock: Clock;
  log: Logger;
  recorder: Recorder;
  input: NodeSpecInput;
  /** An informer on this Node only (`metadata.name=<node>`). */
  informer: SharedInformer<Node>;
  heartbeatIntervalMs: number;
  nodeStatusReportMs: number;
  registerRetryMs?: number;
}

export class NodeAgent {
  private node?: Node;
  private seq = 0;
  private timers: TimerHandle[] = [];
  private writing?: Promise<void>;
  private writeAgain = false;
  private stopped = false;

  constructor(private readonly opts: NodeAgentOptions) {}

  get name(): string {
    return this.opts.input.name;
  }

  get registered(): boolean {
    return this.node !== undefined;
  }

  get podCIDR(): string | undefined {
    return this.node?.spec?.podCIDR;
  }

  get heartbeatsSent(): number {
    return this.seq;
  }

  /** Registers the Node (retrying until it works or `signal` aborts) and returns it. */
  async register(signal: AbortSignal): Promise<Node> {
    const { clock, log, recorder } = this.opts;
    for (;;) {
      try {
        this.node = await this.registerOnce();
        break;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        log.warn({ err }, 'could not register the node; retrying');
        await clock.sleep(this.opts.registerRetryMs ?? 1000, signal);
      }
    }
    const node = this.node;
    recorder.record(node, 'Normal', 'Starting', 'Starting kubelet.');
    for (const reason of [CONDITION_EVENTS.MemoryPressure, CONDITION_EVENTS.DiskPressure, CONDITION_EVENTS.PIDPressure]) {
      recorder.record(node, 'Normal', reason, `Node ${this.name} status is now: ${reason}`);
    }
    recorder.record(node, 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    recorder.record(node, 'Normal', 'NodeReady', `Node ${this.name} status is now: NodeReady`);
    log.info({ podCIDR: node.spec?.podCIDR }, 'node registered');
    return node;
  }

  /** Starts heartbeats, periodic status and watching the Node (after `register`). */
  start(): void {
    const { clock, informer } = this.opts;
    this.heartbeat();
    this.timers.push(clock.setInterval(() => this.heartbeat(), this.opts.heartbeatIntervalMs));
    this.timers.push(clock.setInterval(() => this.writeStatus(), this.opts.nodeStatusReportMs));
    informer.addEventHandler({
      onAdd: (n) => this.observe(n),
      onUpdate: (_o, n) => this.observe(n),
      onDelete: () => {
        if (this.stopped) return;
        this.opts.log.warn('our Node was deleted; registering it again');
        void this.registerOnce().then((n) => (this.node = n), (err: unknown) => this.opts.log.warn({ err }, 're-registering failed; the next status tick retries'));
      },
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  /** Writes the status now (serialized; a call during a write runs once more after it). */
  writeStatus(): Promise<void> {
    if (this.stopped || !this.node) return Promise.resolve();
    if (this.writing) {
      this.writeAgain = true;
      return this.writing;
    }
    this.writing = this.writeOnce().finally(() => {
      this.writing = undefined;
      if (this.writeAgain) {
        this.writeAgain = false;
        void this.writeStatus();
      }
    });
    return this.writing;
  }

  private heartbeat(): void {
    if (this.stopped) return;
    const hb: Heartbeat = { node: this.name, sentAt: this.opts.clock.now(), seq: ++this.seq };
    try {
      this.opts.bus.publish(subjects.node.heartbeat(this.name), hb);
    } catch (err) {
      this.opts.log.warn({ err }, 'could not publish a heartbeat');
    }
  }

  private observe(n: Node): void {
    if (this.node && n.metadata.uid === this.node.metadata.uid && rvOf(n) < rvOf(this.node)) return; // older than what we wrote
    this.node = n;
    if (readyIsStale(n)) void this.writeStatus();
  }

  /** The freshest Node we know: the informer's, unless our own last write is newer. */
  private current(): Node | undefined {
    const cached = this.opts.informer.lister.get(this.name);
    if (!cached) return this.node;
    if (!this.node || cached.metadata.uid !== this.node.metadata.uid) return cached;
    return rvOf(cached) >= rvOf(this.node) ? cached : this.node;
  }

  private async registerOnce(): Promise<Node> {
    const { api, clock, input } = this.opts;
    try {
      return await api.create<Node>(NODES, undefined, nodeObject(input, isoTime(clock)));
    } catch (err) {
      if (!isStatusError(err, 'AlreadyExists')) throw err;
    }
    const existing = await api.get<Node>(NODES, undefined, input.name);
    await api.patch(NODES, undefined, input.name, 'merge', { metadata: { labels: nodeLabels(input) } });
    const status = nodeStatus(input, existing.status?.conditions, isoTime(clock));
    return api.patch<Node>(NODES, undefined, input.name, 'merge', { status }, 'status');
  }

  private async writeOnce(): Promise<void> {
    const { api, clock, input, log, recorder } = this.opts;
    const current = this.current();
    const wasStale = readyIsStale(current);
    try {
      const status = nodeStatus(input, current?.status?.conditions, isoTime(clock));
      this.node = await api.patch<Node>(NODES, undefined, this.name, 'merge', { status }, 'status');
      if (wasStale && current) recorder.record(this.node, 'Normal', 'NodeReady', `Node ${this.name} status is now: NodeReady`);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) {
        this.node = await this.registerOnce().catch(() => this.node);
        return;
      }
      log.warn({ err }, 'could not write node status');
    }
  }
}
