/**
 * `kubemu node` (the entry of a compose node container) with stand-in kubelet and kube-proxy
 * entries — small scripts at the planned paths that record their arguments and signals — so the
 * process handling is tested for real: both started with the table's flags, a stop signal passed
 * on to both, the node ended when either dies. No NATS: the stand-ins never connect.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../services/kubemu/args.js';
import type { CliContext } from '../../services/kubemu/cli.js';
import { planNode, runNode, type NodeOptions } from '../../services/kubemu/commands/node.js';
import { isAlive } from '../../services/kubemu/process-identity.js';
import { realClock } from '../../shared/runtime/clock.js';
import { eventually } from '../support/eventually.js';

const STAND_IN = `
const { appendFileSync } = require('node:fs');
const me = process.argv[1].includes('kube-proxy') ? 'kube-proxy' : 'kubelet';
const note = (o) => appendFileSync(process.env.FAKE_LOG, JSON.stringify({ me, pid: process.pid, ...o }) + '\\n');
process.on('SIGTERM', () => { note({ event: 'SIGTERM' }); process.exit(0); });
note({ event: 'started', args: process.argv.slice(2) });
if (process.env.FAKE_DIE === me) setTimeout(() => process.exit(3), 200);
setInterval(() => {}, 1000);
`;

interface Note {
  me: string;
  pid: number;
  event: string;
  args?: string[];
}

describe('kubemu node', () => {
  let root: string;
  let logFile: string;
  let out: string[];
  let err: string[];
  let stop: AbortController;

  const options = (over: Partial<NodeOptions> = {}): NodeOptions => ({
    name: 'node-2',
    nats: 'nats://127.0.0.1:4222',
    profile: 'default',
    networkSlot: 0,
    runtime: 'process',
    nodesDir: join(root, 'nodes'),
    graceMs: 5000,
    ...over,
  });
  const context = (env: NodeJS.ProcessEnv = {}): CliContext => ({
    root,
    clock: realClock,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { ...process.env, FAKE_LOG: logFile, ...env },
    signals: () => ({ stop: stop.signal, hurry: new AbortController().signal, dispose: () => undefined }),
  });
  const notes = (): Note[] =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Note);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kubemu-node-cmd-'));
    logFile = join(root, 'notes.jsonl');
    writeFileSync(logFile, '');
    for (const c of ['kubelet', 'kube-proxy']) {
      mkdirSync(join(root, 'dist/services', c), { recursive: true });
      writeFileSync(join(root, 'dist/services', c, 'main.js'), STAND_IN);
    }
    out = [];
    err = [];
    stop = new AbortController();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("starts the node's kubelet and kube-proxy with the launcher's flags, and stops both on a signal (exit 0)", async () => {
    const done = runNode(options({ nats: 'nats://10.0.0.5:4222' }), context());
    const started = await eventually(
      () => {
        const s = notes().filter((n) => n.event === 'started');
        expect(s.map((n) => n.me).sort()).toEqual(['kube-proxy', 'kubelet']);
        return s;
      },
      { timeoutMs: 10_000 },
    );
    const kubelet = started.find((n) => n.me === 'kubelet')!;
    expect(kubelet.args).toEqual(expect.arrayContaining(['--nats', 'nats://10.0.0.5:4222', '--node-name', 'node-2', '--node-ip', '127.1.0.2']));
    expect(kubelet.args?.join(' ')).toContain(`--data-dir ${join(root, 'nodes', 'node-2')}`);
    stop.abort();
    expect(await done).toBe(0);
    expect(notes().filter((n) => n.event === 'SIGTERM').map((n) => n.me).sort()).toEqual(['kube-proxy', 'kubelet']);
    for (const n of started) expect(isAlive(n.pid)).toBe(false);
    expect(out[0]).toContain('node node-2: kubelet-node-2 (pid');
  });

  it('ends the node when its kube-proxy dies: the kubelet is stopped and the answer is 1', async () => {
    const code = await runNode(options(), context({ FAKE_DIE: 'kube-proxy' }));
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('kube-proxy-node-2 exited with code 3; stopping the node');
    expect(notes().filter((n) => n.event === 'SIGTERM').map((n) => n.me)).toEqual(['kubelet']);
    for (const n of notes()) expect(isAlive(n.pid)).toBe(false);
  });

  it('says how to build when the entries are missing', async () => {
    rmSync(join(root, 'dist'), { recursive: true });
    expect(await runNode(options(), context())).toBe(1);
    expect(err.join('\n')).toContain('run `npm run build` first');
  });

  it('refuses a control-plane process as a node name', () => {
    expect(() => planNode(options({ name: 'store' }), root)).toThrow(UsageError);
    expect(() => planNode(options({ name: 'scheduler-2' }), root)).toThrow(/not a node/);
  });
});
