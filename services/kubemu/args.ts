/**
 * Command-line flags of the kubemu CLI: declared per sub-command, parsed strictly.
 *
 * Grammar: `--name value`, `--name=value`; boolean flags take no value (`--detach`), or an explicit
 * `--detach=false`. A flag may declare a one-letter alias as kubectl has them (`-n ns`, `-l app=x`,
 * `-n=ns`). A flag given twice keeps the last value, so wrappers can put defaults first
 * (`npm start -- --nodes 5` runs `up --nodes 3 --nodes 5`). Anything else not starting with `--`
 * (other than a single-dash letter, which is an alias or an unknown flag) is a positional argument. Unknown flags, missing values, non-numbers and values outside a flag's
 * `choices` are a `UsageError` (the CLI prints it with the command's usage and exits 2); nothing
 * is guessed.
 *
 * Defaults are applied here too: a flag's `env` variable (`KUBEMU_DATA_DIR`), then its `default`.
 */

export type FlagKind = 'string' | 'number' | 'boolean';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  help: string;
  /** One-letter alias: `n` for `-n VALUE` (`-n=VALUE` too). */
  short?: string;
  /** Shown in help: `--nodes N`. */
  placeholder?: string;
  default?: string | number | boolean;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** For numbers: the smallest value accepted. */
  min?: number;
  /** For strings: the only values accepted (`--profile default|kubernetes`). */
  choices?: readonly string[];
}

export type FlagValue = string | number | boolean;

export interface ParsedArgs {
  flags: Record<string, FlagValue | undefined>;
  positionals: string[];
  /** `--help` / `-h` was given. */
  help: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function convert(spec: FlagSpec, raw: string, from: string): FlagValue {
  if (spec.kind === 'string') {
    if (raw === '') throw new UsageError(`${from} needs a value`);
    if (spec.choices && !spec.choices.includes(raw)) throw new UsageError(`${from} must be one of ${spec.choices.join(', ')}, not "${raw}"`);
    return raw;
  }
  if (spec.kind === 'boolean') {
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    throw new UsageError(`${from} is true or false, not "${raw}"`);
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n)) throw new UsageError(`${from} must be a whole number, not "${raw}"`);
  if (spec.min !== undefined && n < spec.min) throw new UsageError(`${from} must be at least ${spec.min}, not ${n}`);
  return n;
}

export function parseArgs(argv: string[], specs: FlagSpec[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags: Record<string, FlagValue | undefined> = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      help = true;
      continue;
    }
    const short = /^-([A-Za-z])(=|$)/.exec(a);
    if (!a.startsWith('--') && !short) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = short ? specs.find((s) => s.short === short[1])?.name ?? `-${short[1]}` : a.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag ${short ? '' : '--'}${name}`);
    let raw: string;
    if (eq >= 0) {
      raw = a.slice(eq + 1);
    } else if (spec.kind === 'boolean') {
      raw = 'true';
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${short ? `-${short[1]}` : `--${name}`} needs a value`);
      raw = next;
      i++;
    }
    flags[name] = convert(spec, raw, `--${name}`);
  }
  for (const spec of specs) {
    if (flags[spec.name] !== undefined) continue;
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') flags[spec.name] = convert(spec, fromEnv, spec.env as string);
    else flags[spec.name] = spec.default;
  }
  return { flags, positionals, help };
}

/** One help line per flag, aligned. */
export function flagHelp(specs: FlagSpec[]): string {
  const left = specs.map((s) => `${s.short ? `-${s.short}, ` : ''}--${s.name}${s.kind === 'boolean' ? '' : ` ${s.placeholder ?? s.choices?.join('|') ?? s.kind.toUpperCase()}`}`);
  const width = Math.max(0, ...left.map((l) => l.length)) + 2;
  return specs
    .map((s, i) => {
      const extras = [s.default !== undefined && s.kind !== 'boolean' ? `default ${s.default}` : '', s.env ? `env ${s.env}` : '']
        .filter(Boolean)
        .join('; ');
      return `  ${left[i].padEnd(width)}${s.help}${extras ? ` (${extras})` : ''}`;
    })
    .join('\n');
}
