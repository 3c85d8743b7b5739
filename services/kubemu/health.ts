/**
 * Health checks of cluster processes, as data (so the component table and the state file can hold
 * them) and the probes that run them.
 *
 * - `http`: GET the URL; healthy on 200 (nats-server `/healthz`, api-server `/readyz`).
 * - `nats`: a NATS request on the subject; healthy when it is answered without error (the store's
 *   status RPC, `subjects.control(<instance>, 'health')` for every later component).
 *
 * A probe never throws: it answers `{ ok, detail }`, with the reason when it is not ok. A `nats`
 * probe without a bus connection is not ok ("bus not connected"). `waitHealthy` polls a probe until
 * it passes, the process has failed (the `failed` callback says why) or the deadline passes.
 */
import type { Bus } from '../../shared/nats/connection.js';
import type { Clock } from '../../shared/runtime/clock.js';

export type HealthCheck = { kind: 'http'; url: string } | { kind: 'nats'; subject: string };

export interface HealthResult {
  ok: boolean;
  detail: string;
}

export interface ProbeDeps {
  bus?: Bus;
  /** Per attempt (ms); default 1000. */
  timeoutMs?: number;
}

export function describeCheck(check: HealthCheck): string {
  return check.kind === 'http' ? `GET ${check.url}` : `NATS request ${check.subject}`;
}

export async function probe(check: HealthCheck, deps: ProbeDeps = {}): Promise<HealthResult> {
  const timeoutMs = deps.timeoutMs ?? 1000;
  try {
    if (check.kind === 'http') {
      const res = await fetch(check.url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await res.text().catch(() => '');
      if (res.status === 200) return { ok: true, detail: 'ok' };
      return { ok: false, detail: `${res.status} ${body.slice(0, 200)}`.trim() };
    }
    if (!deps.bus || deps.bus.isClosed) return { ok: false, detail: 'bus not connected' };
    await deps.bus.request(check.subject, {}, { timeoutMs });
    return { ok: true, detail: 'ok' };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, detail: e.cause?.code ?? e.message };
  }
}

export class Unhealthy extends Error {
  override name = 'Unhealthy';
}

export interface WaitOptions extends ProbeDeps {
  clock: Clock;
  deadlineMs: number;
  intervalMs?: number;
  /** Returns why waiting is pointless (the process exited), or undefined to go on. */
  failed?: () => string | undefined;
  signal?: AbortSignal;
}

/** Resolves once the check passes; throws Unhealthy with the last reason otherwise. */
export async function waitHealthy(check: HealthCheck, opts: WaitOptions): Promise<void> {
  const deadline = opts.clock.now() + opts.deadlineMs;
  let last = 'not probed yet';
  for (;;) {
    const why = opts.failed?.();
    if (why) throw new Unhealthy(why);
    if (opts.signal?.aborted) throw new Unhealthy('interrupted');
    const r = await probe(check, opts);
    if (r.ok) return;
    last = r.detail;
    const afterProbe = opts.failed?.();
    if (afterProbe) throw new Unhealthy(afterProbe);
    if (opts.clock.now() >= deadline) {
      throw new Unhealthy(`not healthy after ${Math.round(opts.deadlineMs / 1000)}s (${describeCheck(check)}: ${last})`);
    }
    await opts.clock.sleep(opts.intervalMs ?? 100, opts.signal).catch(() => undefined);
  }
}
