/**
 * Waiting in tests: poll a condition until it holds or a deadline passes — never a bare sleep.
 * The last failure is reported, so a timeout says what was still wrong.
 */

export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

/** Retries `fn` until it returns without throwing (and, if it returns a boolean, returns true). */
export async function eventually<T>(fn: () => T | Promise<T>, opts: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const interval = opts.intervalMs ?? 50;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== false) return v;
      lastErr = new Error('condition returned false');
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const why = lastErr instanceof Error ? lastErr.message : String(lastErr);
      throw new Error(`${opts.message ?? 'condition not met'} within ${opts.timeoutMs ?? 10_000}ms: ${why}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
