/**
 * `kubemu events` on a real cluster, as users run it: the compiled CLI tails the stream in its own
 * process while the real kubectl creates a pod — its lines show the pod created, scheduled to a
 * node and Running and Ready, with the Events of the scheduler and the kubelet — and then
 * `kubemu kill` takes a node down, which the tail shows as that node turning NotReady (heartbeats
 * themselves are not printed). A `--json` tail beside it gets the same changes as NDJSON. Ctrl-C
 * (SIGINT) ends both with 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectlOk } from '../support/kubectl-ok.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/services/kubemu/main.js');

interface Tail {
  child: ChildProcess;
  lines: string[];
  errors: string[];
  exit: Promise<number | null>;
}

function startTail(c: E2ECluster, args: string[]): Tail {
  const child = spawn(process.execPath, [CLI, 'events', '--data-dir', c.dataDir, ...args], { cwd: ROOT, env: { ...process.env, KUBEMU_DATA_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const t: Tail = { child, lines: [], errors: [], exit: new Promise((res) => child.once('exit', (code) => res(code))) };
  const collect = (into: string[]) => {
    let buf = '';
    return (d: Buffer) => {
      buf += String(d);
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        into.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    };
  };
  child.stdout!.on('data', collect(t.lines));
  child.stderr!.on('data', collect(t.errors));
  return t;
}

describe('kubemu events on a real cluster', { timeout: 120_000 }, () => {
  let c: E2ECluster;
  let tail: Tail;
  let json: Tail;
  const dump = () => `stdout:\n${tail.lines.join('\n')}\nstderr:\n${tail.errors.join('\n')}`;

  beforeAll(async () => {
    c = await startCluster({ nodes: 3 });
    tail = startTail(c, []);
    json = startTail(c, ['--json', '--kinds', 'pods,nodes', '-n', 'default']);
    // Both are connected once they print the first change or bookmark; a node status write comes within 10 s.
    await eventually(() => expect(json.lines.length).toBeGreaterThan(0), { timeoutMs: 20_000 });
  });
  afterAll(async () => {
    for (const t of [tail, json]) if (t && t.child.exitCode === null) t.child.kill('SIGKILL');
    await c?.down();
  });

  it('shows a pod being created, scheduled and running, with its Events', async () => {
    await kubectlOk(c, ['run', 'watched', '--image=luksa/kubia', '--port=8080']);
    const podLine = (re: RegExp) => tail.lines.some((l) => /Pod +default\/watched /.test(l) && re.test(l));
    await eventually(() => expect(podLine(/ \+ Pod .*Pending/), dump()).toBe(true), { timeoutMs: 30_000 });
    await eventually(() => expect(podLine(/scheduled to node-\d/), dump()).toBe(true), { timeoutMs: 30_000 });
    await eventually(() => expect(podLine(/→ Running/), dump()).toBe(true), { timeoutMs: 30_000 });
    await eventually(() => expect(podLine(/ready 0\/1 → 1\/1|ready 1\/1/), dump()).toBe(true), { timeoutMs: 30_000 });
    await eventually(() => expect(tail.lines.some((l) => /Event +default\/watched +Normal Scheduled +Successfully assigned default\/watched to node-\d/.test(l)), dump()).toBe(true));
    const order = ['Pending', 'scheduled to', '→ Running'].map((w) => tail.lines.findIndex((l) => l.includes('default/watched') && l.includes(w)));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(tail.lines.join('\n')).not.toMatch(/\x1b\[/); // not a terminal: no colour
    const podMessages = json.lines.map((l) => JSON.parse(l)).filter((m) => m.kind === 'Pod' && m.name === 'watched');
    expect(podMessages[0]).toMatchObject({ type: 'ADDED', namespace: 'default', object: { metadata: { name: 'watched' } } });
    await eventually(() => expect(json.lines.some((l) => l.includes('"watched"') && l.includes('"phase":"Running"'))).toBe(true));
  });

  it('shows a node going NotReady after kubemu kill, and not its heartbeats', async () => {
    const node = 'node-3';
    const killed = await c.kubemu(['kill', node]);
    expect(killed.code, killed.stdout + killed.stderr).toBe(0);
    await eventually(() => expect(tail.lines.some((l) => new RegExp(`~ Node +${node} +Ready → NotReady`).test(l)), dump()).toBe(true), { timeoutMs: 30_000 });
    await eventually(() => expect(tail.lines.some((l) => new RegExp(`Node +${node} .*taints \\+node.kubernetes.io/unreachable`).test(l)), dump()).toBe(true), { timeoutMs: 30_000 });
    expect(tail.lines.some((l) => / Lease /.test(l) && l.includes('kube-node-lease'))).toBe(false);
    // Node lines are changes, not one per status write: a handful per node over the whole run.
    const nodeLines = tail.lines.filter((l) => / Node +node-1 /.test(l));
    expect(nodeLines.length).toBeLessThan(5);
    await eventually(() => expect(json.lines.some((l) => l.includes(`"name":"${node}"`) && l.includes('"NodeStatusUnknown"'))).toBe(true));
  });

  it('ends with 0 on Ctrl-C', async () => {
    tail.child.kill('SIGINT');
    json.child.kill('SIGINT');
    expect(await tail.exit).toBe(0);
    expect(await json.exit).toBe(0);
  });
});
