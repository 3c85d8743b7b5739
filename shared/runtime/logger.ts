/**
 * The logger of every kubemu process: pino, JSON lines on stdout (the launcher sends them to the
 * component's log file; `npx pino-pretty` makes them readable in a terminal).
 *
 * One root logger per process, named after the component; modules take a child logger
 * (`log.child({ controller: 'replicaset' })`) so every line says where it came from.
 * Level: `LOG_LEVEL` (default `info`).
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout by default. Tests pass a sink to assert on lines. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

export function createLogger(component: string, opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  const options = {
    level,
    base: { component, pid: process.pid, ...(opts.base ?? {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything: for unit tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
