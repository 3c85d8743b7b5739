import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError, type FlagSpec } from '../../services/kubemu/args.js';
import { COMMANDS, mainHelp, runCli, type CliContext } from '../../services/kubemu/cli.js';
import { FakeClock } from '../../shared/runtime/clock.js';
import { trapSignals } from '../../services/kubemu/signals.js';
import { EventEmitter } from 'node:events';

const specs: FlagSpec[] = [
  { name: 'nodes', kind: 'number', default: 3, min: 0, help: '' },
  { name: 'data-dir', kind: 'string', env: 'KUBEMU_DATA_DIR', help: '' },
  { name: 'detach', kind: 'boolean', help: '' },
];

function cliContext(): CliContext & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    root: '/nonexistent',
    clock: new FakeClock(),
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    env: {},
    signals: () => {
      throw new Error('no signals in this test');
    },
    lines,
    errors,
  };
}

describe('kubemu flag parsing', () => {
  it('reads --name value and --name=value forms', () => {
    const a = parseArgs(['--nodes', '5', '--data-dir=/tmp/x', '--detach'], specs, {});
    expect(a.flags).toEqual({ nodes: 5, 'data-dir': '/tmp/x', detach: true });
  });

  it('keeps the last of a repeated flag, so wrappers can put defaults first', () => {
    expect(parseArgs(['--nodes', '3', '--nodes', '5'], specs, {}).flags.nodes).toBe(5);
  });

  it('applies the environment variable, then the default, when a flag is absent', () => {
    const a = parseArgs([], specs, { KUBEMU_DATA_DIR: '/srv/k' });
    expect(a.flags).toEqual({ nodes: 3, 'data-dir': '/srv/k', detach: undefined });
    expect(parseArgs(['--data-dir', '/a'], specs, { KUBEMU_DATA_DIR: '/srv/k' }).flags['data-dir']).toBe('/a');
  });

  it('accepts an explicit boolean value', () => {
    expect(parseArgs(['--detach=false'], specs, {}).flags.detach).toBe(false);
  });

  it.each([
    [['--nodez', '3'], 'unknown flag --nodez'],
    [['--nodes'], '--nodes needs a value'],
    [['--nodes', '--detach'], '--nodes needs a value'],
    [['--nodes', 'three'], '--nodes must be a whole number, not "three"'],
    [['--nodes', '1.5'], '--nodes must be a whole number'],
    [['--nodes', '-1'], '--nodes must be at least 0'],
    [['--detach=maybe'], '--detach is true or false'],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseArgs(argv, specs, {})).toThrow(UsageError);
    expect(() => parseArgs(argv, specs, {})).toThrow(message);
  });

  it('accepts only the listed values of a flag with choices', () => {
    const profile: FlagSpec[] = [{ name: 'profile', kind: 'string', choices: ['default', 'kubernetes'], default: 'default', help: '' }];
    expect(parseArgs(['--profile', 'kubernetes'], profile, {}).flags.profile).toBe('kubernetes');
    expect(parseArgs([], profile, {}).flags.profile).toBe('default');
    expect(() => parseArgs(['--profile=fast'], profile, {})).toThrow('--profile must be one of default, kubernetes, not "fast"');
  });

  it('collects positionals and --help', () => {
    const a = parseArgs(['extra', '-h'], specs, {});
    expect(a.positionals).toEqual(['extra']);
    expect(a.help).toBe(true);
  });
});

describe('kubemu CLI dispatch', () => {
  it('documents every command and every flag in --help', async () => {
    const ctx = cliContext();
    expect(await runCli(['--help'], ctx)).toBe(0);
    const help = ctx.lines.join('\n');
    for (const cmd of COMMANDS) {
      expect(help).toContain(`kubemu ${cmd.name}`);
      for (const f of cmd.flags) expect(help).toContain(`--${f.name}`);
    }
    expect(mainHelp()).toContain('Usage: kubemu <command>');
  });

  it('answers 2 with the command usage for a bad flag, without running the command', async () => {
    const ctx = cliContext();
    expect(await runCli(['up', '--nodes', 'x'], ctx)).toBe(2);
    expect(ctx.errors.join('\n')).toMatch(/kubemu up: --nodes must be a whole number[\s\S]*Usage: kubemu up/);
  });

  it('answers 2 for an unknown command and names the known ones', async () => {
    const ctx = cliContext();
    expect(await runCli(['upp'], ctx)).toBe(2);
    expect(ctx.errors[0]).toContain('unknown command "upp"; commands: up, down, status');
  });

  it('answers 2 for a stray positional argument', async () => {
    const ctx = cliContext();
    expect(await runCli(['down', 'now'], ctx)).toBe(2);
    expect(ctx.errors[0]).toContain('unexpected argument "now"');
  });

  it('requires exactly the positional arguments a command declares', async () => {
    const seen: string[][] = [];
    const poke = {
      name: 'poke',
      summary: '',
      description: 'pokes',
      flags: [],
      positionals: [{ name: 'target', help: 'what to poke' }],
      run: async (a: { positionals: string[] }) => (seen.push(a.positionals), 0),
    };
    const missing = cliContext();
    expect(await runCli(['poke'], missing, [poke])).toBe(2);
    expect(missing.errors[0]).toMatch(/missing <target>: what to poke[\s\S]*Usage: kubemu poke <target>/);
    const extra = cliContext();
    expect(await runCli(['poke', 'a', 'b'], extra, [poke])).toBe(2);
    expect(extra.errors[0]).toContain('unexpected argument "b"');
    expect(await runCli(['poke', 'node-2'], cliContext(), [poke])).toBe(0);
    expect(seen).toEqual([['node-2']]);
  });

  it('answers 2 with the usage when a command rejects its argument', async () => {
    const ctx = cliContext();
    const picky = { name: 'picky', summary: '', description: '', flags: [], run: async () => Promise.reject(new UsageError('"node-9" is not part of this cluster')) };
    expect(await runCli(['picky'], ctx, [picky])).toBe(2);
    expect(ctx.errors[0]).toMatch(/kubemu picky: "node-9" is not part of this cluster[\s\S]*Usage: kubemu picky/);
  });

  it('turns an error thrown by a command into exit 1 with its message', async () => {
    const ctx = cliContext();
    const boom = { name: 'boom', summary: '', description: '', flags: [], run: async () => Promise.reject(new Error('disk full')) };
    expect(await runCli(['boom'], ctx, [boom])).toBe(1);
    expect(ctx.errors).toEqual(['kubemu boom: disk full']);
  });
});

describe('foreground signal handling', () => {
  it('stops on the first signal and hurries only on a later, separate one', () => {
    const clock = new FakeClock();
    const target = new EventEmitter();
    const s = trapSignals(clock, { target });
    target.emit('SIGINT', 'SIGINT');
    expect(s.stop.aborted).toBe(true);
    target.emit('SIGINT', 'SIGINT'); // npm's forwarded copy of the same Ctrl-C
    expect(s.hurry.aborted).toBe(false);
    clock.advance(1500);
    target.emit('SIGTERM', 'SIGTERM');
    expect(s.hurry.aborted).toBe(true);
    s.dispose();
    expect(target.listenerCount('SIGINT')).toBe(0);
  });
});
