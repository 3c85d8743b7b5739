/**
 * Where a cluster process spent its CPU, read from V8 `.cpuprofile` files (the sampling profiler,
 * 1 ms interval; one file per process, written when it exits normally — `kubemu down` stops
 * components with SIGTERM, which they answer with `process.exit`).
 *
 * `profileEnv` gives the environment that makes every Node process started from it profile itself
 * into a directory (./profile-preload.cjs, preloaded through NODE_OPTIONS: Node 20 does not take
 * `--cpu-prof` there); `readProfiles` finds each file's process by its name (`<pid>.cpuprofile`)
 * and summarises the samples that fall in a
 * window of the machine's monotonic clock: V8 stamps samples in µs of the same CLOCK_MONOTONIC that
 * `process.hrtime.bigint()` reads, so a phase timed in the benchmark picks out its own samples.
 *
 * Samples are taken on a wall-clock timer: a process that is runnable but waiting for a CPU (a
 * loaded machine) keeps being charged to what it was doing, so shares are of the time the process
 * was not idle, not of CPU seconds (those come from /proc, ./cpu.ts).
 *
 * Self time is charged to an area: `(idle)`, `(garbage collector)`, `(program)` (V8 and native
 * work outside JavaScript), a package under node_modules, Node's own library (`node:`), or the
 * source directory of kubemu's compiled code (`services/api-server`, `shared/nats`, …). Never
 * throws for a file it cannot read; such a file is skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  fn: string;
  where: string;
  ms: number;
}

export interface ProfileSummary {
  /** ms of samples in the window that were not idle. */
  busyMs: number;
  idleMs: number;
  /** busy ms by area, largest first. */
  areas: { area: string; ms: number }[];
  /** busy ms by function (self time), largest first. */
  functions: FunctionTime[];
  /** busy ms spent in kubemu's own functions and what they called (total time), largest first. */
  ownTotals: FunctionTime[];
}

const PRELOAD = fileURLToPath(new URL('./profile-preload.cjs', import.meta.url));

/** The variables that make a Node process profile itself into `dir` (merged into `env`'s NODE_OPTIONS). */
export function profileEnv(dir: string, env: NodeJS.ProcessEnv = process.env): { NODE_OPTIONS: string; KUBEMU_BENCH_PROFILE_DIR: string } {
  return { NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --require ${PRELOAD}`.trim(), KUBEMU_BENCH_PROFILE_DIR: dir };
}

function areaOf(f: CallFrame): string {
  if (f.url === '') return f.functionName.startsWith('(') ? f.functionName : '(native)';
  if (f.url.startsWith('node:')) return 'node:';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.url);
  if (nm) return nm[1];
  const own = /\/dist\/((?:services|shared)\/[^/]+)/.exec(f.url);
  return own ? own[1] : f.url;
}

const isOwn = (f: CallFrame): boolean => /\/dist\/(services|shared)\//.test(f.url);

function whereOf(f: CallFrame): string {
  const path = f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
  return path ? `${path}:${f.lineNumber + 1}` : '';
}

/** Summarises one profile's samples between `fromNs` and `toNs` (monotonic ns; omit for all). */
export function summariseProfile(profile: Profile, fromNs?: bigint, toNs?: bigint, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The distinct own functions on a node's stack, memoised per node (stacks share their roots).
  const ownStacks = new Map<number, string[]>();
  const ownStack = (id: number): string[] => {
    let keys = ownStacks.get(id);
    if (keys) return keys;
    const f = byId.get(id);
    const up = parent.get(id);
    keys = up === undefined ? [] : ownStack(up);
    if (f && isOwn(f)) {
      const key = `${f.functionName || '(anonymous)'}@${whereOf(f)}`;
      if (!keys.includes(key)) keys = [...keys, key];
    }
    ownStacks.set(id, keys);
    return keys;
  };
  const own = new Map<string, number>();
  const from = fromNs === undefined ? -Infinity : Number(fromNs / 1000n);
  const to = toNs === undefined ? Infinity : Number(toNs / 1000n);
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; ms: number }>();
  let idleMs = 0;
  let busyMs = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < from || t > to) continue;
    // A sample's delta is the time since the previous one: charge it to this sample's frame.
    const frame = byId.get(profile.samples[i]);
    if (!frame) continue;
    const ms = delta / 1000;
    const area = areaOf(frame);
    if (area === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const where = whereOf(frame);
    const key = `${frame.functionName}@${where}`;
    const e = fns.get(key) ?? { fn: frame.functionName || '(anonymous)', where, ms: 0 };
    e.ms += ms;
    fns.set(key, e);
    for (const k of ownStack(profile.samples[i])) own.set(k, (own.get(k) ?? 0) + ms);
  }
  return {
    busyMs,
    idleMs,
    areas: [...areas].map(([area, ms]) => ({ area, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
    ownTotals: [...own]
      .map(([k, ms]) => ({ fn: k.slice(0, k.indexOf('@')), where: k.slice(k.indexOf('@') + 1), ms }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 2 * top),
  };
}

/** Every profile in `dir` whose pid is one of `names`' keys, summarised over the window, by process name. */
export function readProfiles(dir: string, names: Map<number, string>, fromNs?: bigint, toNs?: bigint): Map<string, ProfileSummary> {
  const out = new Map<string, ProfileSummary>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return out;
  }
  for (const file of files) {
    const pid = Number(file.split('.')[0]);
    const name = names.get(pid);
    if (!name) continue;
    try {
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
      out.set(name, summariseProfile(profile, fromNs, toNs));
    } catch {
      // a profile cut short (the process was killed mid-write) has nothing to tell
    }
  }
  return out;
}

/**
 * One block per process: how much of the window it was not idle, its largest areas, functions by
 * self time and kubemu's own functions by total time — as shares of its busy samples.
 */
export function profileText(summaries: Map<string, ProfileSummary>, wallSeconds: number): string {
  const blocks: string[] = [];
  const byBusy = [...summaries].sort((a, b) => b[1].busyMs - a[1].busyMs);
  for (const [name, s] of byBusy) {
    const pct = (ms: number): string => `${((100 * ms) / Math.max(1e-9, s.busyMs)).toFixed(0)}%`;
    const list = (xs: FunctionTime[], n: number): string => xs.slice(0, n).map((f) => `    ${pct(f.ms).padStart(4)}  ${f.fn}  ${f.where}`).join('\n');
    const areas = s.areas.slice(0, 8).map((a) => `${a.area} ${pct(a.ms)}`).join(', ');
    blocks.push(
      `${name}: not idle ${((100 * s.busyMs) / 1000 / wallSeconds).toFixed(0)}% of the phase (${s.busyMs.toFixed(0)} ms of samples)\n` +
        `  areas: ${areas}\n  self time:\n${list(s.functions, 8)}\n  total time in kubemu's functions:\n${list(s.ownTotals, 14)}`,
    );
  }
  return blocks.join('\n');
}
