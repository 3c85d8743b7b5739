/**
 * Stages of the simulated runtime, as data (KWOK's idea: a lifecycle is configuration, not code).
 * A stages document (YAML or JSON) says how long each step of a container's life takes and which
 * images do what:
 *
 *   pull:  { delayMs: 0, jitterMs: 10 }     # image pull
 *   start: { delayMs: 0, jitterMs: 10 }     # create + start → running
 *   stop:  { delayMs: 0, jitterMs: 5 }      # SIGTERM → terminated (unless the image ignores it)
 *   known: ['@catalog', 'myorg/*']  # images that exist: '@catalog' = the built-in catalog, '*' = every image; others fail to pull
 *   images:                                 # first matching rule wins
 *     - { image: 'kubemu/crasher*', exitAfterMs: 1000, jitterMs: 200, exitCode: 1 }
 *     - { image: 'busybox*', exitWithoutCommand: true }   # `sh` with no command exits 0 at once
 *
 * Every delay is `delayMs + uniform[0, jitterMs)`. A rule without `exitAfterMs` runs until stopped.
 * Per container, env `KUBEMU_SIM_EXIT_AFTER_MS` / `KUBEMU_SIM_EXIT_CODE` override the rule, and the
 * crasher's own env (`CRASH_AFTER_SECONDS`, `EXIT_CODE`) is honoured, so one manifest behaves alike
 * on both runtimes. Defaults are fast (the goal is p99 create → Running under 100 ms end to end).
 *
 * Pure data and parsing; `parseStages` throws a plain Error naming the bad field.
 */
import { resolveImage } from './process/catalog.js';
import yaml from 'js-yaml';

export interface Delay {
  delayMs: number;
  jitterMs: number;
}

export interface ImageRule {
  /** Glob on the image reference (`*` matches anything). */
  image: string;
  /** Terminate this long after start (plus `jitterMs`); absent = run until stopped. */
  exitAfterMs?: number;
  jitterMs?: number;
  exitCode?: number;
  /** The workload ignores SIGTERM: a stop only ends at the grace period's SIGKILL. */
  ignoreTerm?: boolean;
  /** Without `command` and `args` the container exits 0 at once (a shell image's `sh` with no stdin). */
  exitWithoutCommand?: boolean;
}

export interface Stages {
  pull: Delay;
  start: Delay;
  stop: Delay;
  known: string[];
  images: ImageRule[];
}

/** In `known`: every image of the process runtime's built-in catalog (the same images exist in both runtimes). */
export const CATALOG = '@catalog';

export const DEFAULT_STAGES: Stages = {
  pull: { delayMs: 0, jitterMs: 10 },
  start: { delayMs: 0, jitterMs: 10 },
  stop: { delayMs: 0, jitterMs: 5 },
  known: [CATALOG],
  images: [
    { image: 'kubemu/crasher*', exitAfterMs: 1000, jitterMs: 0, exitCode: 1 },
    ...['busybox*', 'docker.io/library/busybox*', 'alpine*', 'ubuntu*', 'debian*'].map((image) => ({ image, exitWithoutCommand: true })),
  ],
};

function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${body}$`);
}

export function matchesGlob(glob: string, value: string): boolean {
  return globRegExp(glob).test(value);
}

function delayOf(v: unknown, field: string, fallback: Delay): Delay {
  if (v === undefined) return fallback;
  if (typeof v !== 'object' || v === null) throw new Error(`stages: ${field} must be an object with delayMs / jitterMs`);
  const o = v as Record<string, unknown>;
  const num = (k: string, d: number): number => {
    const x = o[k] ?? d;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new Error(`stages: ${field}.${k} must be a number >= 0`);
    return x;
  };
  return { delayMs: num('delayMs', fallback.delayMs), jitterMs: num('jitterMs', fallback.jitterMs) };
}

function ruleOf(v: unknown, i: number): ImageRule {
  if (typeof v !== 'object' || v === null) throw new Error(`stages: images[${i}] must be an object`);
  const o = v as Record<string, unknown>;
  if (typeof o.image !== 'string' || !o.image) throw new Error(`stages: images[${i}].image must be a non-empty string`);
  const rule: ImageRule = { image: o.image };
  for (const k of ['exitAfterMs', 'jitterMs', 'exitCode'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k] as number)) throw new Error(`stages: images[${i}].${k} must be a number`);
    rule[k] = o[k] as number;
  }
  if (o.ignoreTerm !== undefined) rule.ignoreTerm = o.ignoreTerm === true;
  if (o.exitWithoutCommand !== undefined) rule.exitWithoutCommand = o.exitWithoutCommand === true;
  return rule;
}

/** Parses a stages document (YAML or JSON); fields left out keep their defaults. */
export function parseStages(text: string): Stages {
  const doc = (yaml.load(text) ?? {}) as unknown;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('stages: the document must be a mapping');
  const o = doc as Record<string, unknown>;
  const known = o.known === undefined ? DEFAULT_STAGES.known : o.known;
  if (!Array.isArray(known) || known.some((k) => typeof k !== 'string')) throw new Error('stages: known must be a list of image globs');
  const images = o.images === undefined ? DEFAULT_STAGES.images : o.images;
  if (!Array.isArray(images)) throw new Error('stages: images must be a list of rules');
  return {
    pull: delayOf(o.pull, 'pull', DEFAULT_STAGES.pull),
    start: delayOf(o.start, 'start', DEFAULT_STAGES.start),
    stop: delayOf(o.stop, 'stop', DEFAULT_STAGES.stop),
    known: known as string[],
    images: images.map(ruleOf),
  };
}

/** `delayMs + uniform[0, jitterMs)`, with the random source injected for tests. */
export function pickDelay(d: { delayMs?: number; jitterMs?: number }, random: () => number): number {
  return Math.round((d.delayMs ?? 0) + (d.jitterMs ?? 0) * random());
}

/**
 * What a container of `image` with `env` does once running: exit after some time, or run on.
 * `hasCommand`: the container sets `command` or `args`.
 */
export function behaviourOf(
  stages: Stages,
  image: string,
  env: Record<string, string>,
  random: () => number,
  hasCommand = false,
): { exitAfterMs?: number; exitCode: number; ignoreTerm: boolean } {
  const rule = stages.images.find((r) => matchesGlob(r.image, image));
  let exitAfterMs = rule?.exitAfterMs === undefined ? undefined : pickDelay({ delayMs: rule.exitAfterMs, jitterMs: rule.jitterMs }, random);
  if (rule?.exitWithoutCommand && !hasCommand) exitAfterMs ??= 0;
  let exitCode = rule?.exitCode ?? 0;
  if (rule && matchesGlob('kubemu/crasher*', rule.image)) {
    if (env.CRASH_AFTER_SECONDS !== undefined && Number.isFinite(Number(env.CRASH_AFTER_SECONDS))) exitAfterMs = Number(env.CRASH_AFTER_SECONDS) * 1000;
    if (env.EXIT_CODE !== undefined && Number.isInteger(Number(env.EXIT_CODE))) exitCode = Number(env.EXIT_CODE);
  }
  if (env.KUBEMU_SIM_EXIT_AFTER_MS !== undefined && Number.isFinite(Number(env.KUBEMU_SIM_EXIT_AFTER_MS))) exitAfterMs = Number(env.KUBEMU_SIM_EXIT_AFTER_MS);
  if (env.KUBEMU_SIM_EXIT_CODE !== undefined && Number.isInteger(Number(env.KUBEMU_SIM_EXIT_CODE))) exitCode = Number(env.KUBEMU_SIM_EXIT_CODE);
  return { ...(exitAfterMs === undefined ? {} : { exitAfterMs }), exitCode, ignoreTerm: rule?.ignoreTerm ?? false };
}

function inCatalog(image: string): boolean {
  try {
    resolveImage(image);
    return true;
  } catch {
    return false;
  }
}

export function isKnownImage(stages: Stages, image: string): boolean {
  return stages.known.some((g) => (g === CATALOG ? inCatalog(image) : matchesGlob(g, image)));
}
