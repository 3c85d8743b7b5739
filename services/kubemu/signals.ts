/**
 * Ctrl-C and SIGTERM for a launcher that stays in the foreground.
 *
 * The first SIGINT or SIGTERM aborts `stop`: the launcher stops the cluster in order, with grace
 * periods. Another signal at least `escalateAfterMs` later (default 1 s) aborts `hurry`: the
 * launcher SIGKILLs what is left at once. Signals closer together than that are duplicates of the
 * first (a terminal delivers Ctrl-C to `npm` and to the launcher, and `npm` forwards its copy), not
 * a person pressing Ctrl-C again.
 *
 * Only a command that stays in the foreground installs this; `dispose` removes the handlers.
 */
import type { Clock } from '../../shared/runtime/clock.js';

export interface Signals {
  stop: AbortSignal;
  hurry: AbortSignal;
  dispose(): void;
}

export function trapSignals(clock: Clock, opts: { escalateAfterMs?: number; target?: NodeJS.EventEmitter } = {}): Signals {
  const target = opts.target ?? process;
  const stop = new AbortController();
  const hurry = new AbortController();
  let firstAt = 0;
  const onSignal = (sig: string): void => {
    if (!stop.signal.aborted) {
      firstAt = clock.now();
      stop.abort(new Error(`received ${sig}`));
    } else if (clock.now() - firstAt >= (opts.escalateAfterMs ?? 1000)) {
      hurry.abort(new Error(`received ${sig} again`));
    }
  };
  target.on('SIGINT', onSignal);
  target.on('SIGTERM', onSignal);
  return {
    stop: stop.signal,
    hurry: hurry.signal,
    dispose() {
      target.off('SIGINT', onSignal);
      target.off('SIGTERM', onSignal);
    },
  };
}
