/**
 * One lifecycle for every kubemu process: `runMain` builds the logger, calls the component's
 * `start`, and on SIGTERM / SIGINT calls the `stop` it returned, then exits 0. A second signal, or a
 * stop that hangs past `stopTimeoutMs`, exits at once. A failed start exits 1 with the reason logged.
 *
 * A bug that throws outside any handler is logged as fatal and exits 1 (the process state can no
 * longer be trusted); a stray rejected promise is logged and the process goes on.
 *
 * Also the flag reader every main.ts uses: `--name=value` / `--name value`, falling back to an
 * environment variable (`KUBEMU_<NAME>`), then to the default.
 */
import { createLogger, type Logger } from './logger.js';

export interface MainContext {
  log: Logger;
  /** Aborted when the process is asked to stop. */
  signal: AbortSignal;
}

export type Stop = () => Promise<void>;

export function runMain(component: string, start: (ctx: MainContext) => Promise<Stop>, opts: { stopTimeoutMs?: number } = {}): void {
  const log = createLogger(component);
  const abort = new AbortController();
  let stop: Stop | undefined;
  let stopping = false;

  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    log.error({ err }, 'unhandled promise rejection');
  });

  const shutdown = (sig: string): void => {
    if (stopping) {
      log.warn({ signal: sig }, 'second signal; exiting now');
      process.exit(1);
    }
    stopping = true;
    abort.abort(new Error(`received ${sig}`));
    log.info({ signal: sig }, 'stopping');
    const hard = setTimeout(() => {
      log.error('stop timed out; exiting');
      process.exit(1);
    }, opts.stopTimeoutMs ?? 10_000);
    hard.unref();
    void (async () => {
      try {
        await stop?.();
        log.info('stopped');
        log.flush?.();
        process.exit(0);
      } catch (err) {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  void (async () => {
    try {
      stop = await start({ log, signal: abort.signal });
      log.info('started');
    } catch (err) {
      log.fatal({ err }, 'failed to start');
      process.exit(1);
    }
  })();
}

/** Reads `--name=value` / `--name value` from argv, else env `KUBEMU_NAME_IN_CAPS`, else `fallback`. */
export function flag(name: string, fallback?: string, argv: string[] = process.argv.slice(2)): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === `--${name}`) {
      const next = argv[i + 1];
      return next === undefined || next.startsWith('--') ? 'true' : next;
    }
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  const env = process.env[`KUBEMU_${name.toUpperCase().replace(/-/g, '_')}`];
  return env ?? fallback;
}

export function numberFlag(name: string, fallback: number, argv?: string[]): number {
  const raw = flag(name, undefined, argv);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return n;
}

export function boolFlag(name: string, fallback: boolean, argv?: string[]): boolean {
  const raw = flag(name, undefined, argv);
  if (raw === undefined) return fallback;
  return raw === 'true' || raw === '1' || raw === 'yes';
}
