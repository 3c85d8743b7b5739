/**
 * Image pulls of one node, with the kubelet's pull policies, back-off and events:
 *
 * - `IfNotPresent` with the image already on the node → `Pulled: Container image "x" already
 *   present on machine`; `Never` without it → ErrImageNeverPull; `Always` (the default for
 *   `:latest` and untagged images) → always asks the runtime.
 * - A pull records `Pulling: Pulling image "x"`, then `Pulled: Successfully pulled image "x" in
 *   12ms (12ms including waiting)`; a failure records `Failed: Failed to pull image "x": <why>` and
 *   `Failed: Error: ErrImagePull`, and starts a back-off per (pod, image): until it runs out the
 *   container waits in ImagePullBackOff (`BackOff: Back-off pulling image "x"`,
 *   `Failed: Error: ImagePullBackOff`), then the pull is tried again (ErrImagePull ⇄ ImagePullBackOff,
 *   with growing waits, as `kubectl get pods` shows in Kubernetes). After a failed pull the worker
 *   looks again halfway through the back-off, so each state is visible for a while.
 * The answer says what to show and when to try again; nothing here throws for a bad image.
 */
import type { Container, Pod } from '../../shared/api/core.js';
import type { KubeObject } from '../../shared/api/meta.js';
import type { Clock } from '../../shared/runtime/clock.js';
import { Backoff } from './backoff.js';
import { ImagePullError, type Runtime } from './runtime/runtime.js';

export interface Recorder {
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, extra?: { fieldPath?: string }): void;
}

export type PullOutcome =
  | { ok: true; imageID: string }
  | { ok: false; waiting: { reason: string; message: string }; retryInMs: number };

function durationText(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

export class ImagePuller {
  /** Images on this node: image reference → imageID. */
  private readonly present = new Map<string, string>();

  constructor(
    private readonly runtime: Runtime,
    private readonly backoff: Backoff,
    private readonly recorder: Recorder,
    private readonly clock: Clock,
  ) {}

  get images(): string[] {
    return [...this.present.keys()];
  }

  async ensure(pod: Pod, c: Container, fieldPath: string): Promise<PullOutcome> {
    const image = c.image ?? '';
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    const event = (type: 'Normal' | 'Warning', reason: string, message: string): void => this.recorder.record(pod, type, reason, message, { fieldPath });
    const known = this.present.get(image);
    if (known !== undefined && policy !== 'Always') {
      event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return { ok: true, imageID: known };
    }
    if (policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      event('Warning', 'ErrImageNeverPull', message);
      return { ok: false, waiting: { reason: 'ErrImageNeverPull', message }, retryInMs: this.backoff.settings.initialMs };
    }
    const key = `${pod.metadata.uid}_${image}`;
    const wait = this.backoff.remainingSinceUpdate(key);
    if (wait > 0) {
      const message = `Back-off pulling image "${image}"`;
      event('Normal', 'BackOff', message);
      event('Warning', 'Failed', 'Error: ImagePullBackOff');
      return { ok: false, waiting: { reason: 'ImagePullBackOff', message }, retryInMs: wait };
    }
    event('Normal', 'Pulling', `Pulling image "${image}"`);
    const t0 = this.clock.now();
    try {
      const { imageID } = await this.runtime.pullImage(image);
      const took = durationText(this.clock.now() - t0);
      event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting)`);
      this.present.set(image, imageID);
      this.backoff.reset(key);
      return { ok: true, imageID };
    } catch (err) {
      const why = err instanceof ImagePullError ? err.message : `failed to pull image "${image}": ${(err as Error).message}`;
      const next = this.backoff.next(key);
      event('Warning', 'Failed', `Failed to pull image "${image}": ${why}`);
      event('Warning', 'Failed', 'Error: ErrImagePull');
      // Look again halfway through the back-off, so the container shows ImagePullBackOff before the next try.
      return { ok: false, waiting: { reason: 'ErrImagePull', message: why }, retryInMs: Math.max(1, Math.floor(next / 2)) };
    }
  }
}
