/**
 * `kubectl logs`, `exec` and `port-forward` with the real kubectl against a whole cluster (one
 * node, the process runtime): the notes' kubia-manual pod answers through a forwarded port, its
 * log shows the server starting and each request (`-f` sees new lines as they come), `exec` runs
 * commands in it with their exit codes and stdin, `--previous` shows a crashed container's last
 * words, and a pod whose image cannot be pulled gets Kubernetes' refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL, startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { startKubectl } from '../support/kubectl-output.js';

const M = 'test/fixtures/manifests';

/** Whether `port` is free on both loopbacks kubectl port-forward binds (127.0.0.1 and ::1). */
async function portFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '::1']) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, host, () => s.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

describe('kubectl logs, exec and port-forward against a running pod', () => {
  let c: E2ECluster;
  let forward: ChildProcess | undefined;
  let forwardOut = '';
  let localPort = 0;
  let cacheDir: string;

  const jsonpath = async (pod: string, path: string): Promise<string> => (await c.kubectl(['get', 'po', pod, '-o', `jsonpath=${path}`])).stdout;
  const hit = async (): Promise<string> => (await fetch(`http://127.0.0.1:${localPort}/`)).text();

  beforeAll(async () => {
    c = await startCluster({ nodes: 1 });
    cacheDir = mkdtempSync(join(tmpdir(), 'kubemu-pf-cache-'));
    const created = await c.kubectl(['create', '-f', `${M}/kubia-manual.yaml`]);
    expect(created.stdout).toBe('pod/kubia-manual created\n');
    await eventually(async () => expect(await jsonpath('kubia-manual', '{.status.phase}')).toBe('Running'), { timeoutMs: 60_000, message: 'kubia-manual did not start' });
  }, 240_000);

  afterAll(async () => {
    if (forward?.pid !== undefined && forward.exitCode === null) process.kill(forward.pid, 'SIGTERM');
    await c?.down();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('kubectl logs shows the server starting', async () => {
    const r = await c.kubectl(['logs', 'kubia-manual']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Kubia server starting...');
  });

  it('kubectl port-forward kubia-manual 8888:8080 reaches the pod: "You\'ve hit kubia-manual"', async () => {
    // The notes' own command; another local port only when 8888 is taken on this machine.
    const ports = (await portFree(8888)) ? '8888:8080' : ':8080';
    forward = spawn(KUBECTL, ['--kubeconfig', c.kubeconfig, '--cache-dir', cacheDir, 'port-forward', 'kubia-manual', ports], { stdio: ['ignore', 'pipe', 'pipe'] });
    forward.stdout!.on('data', (d: Buffer) => (forwardOut += d));
    forward.stderr!.on('data', (d: Buffer) => (forwardOut += d));
    localPort = await eventually(
      () => {
        const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(forwardOut);
        if (!m) throw new Error(forwardOut);
        return Number(m[1]);
      },
      { timeoutMs: 20_000, message: 'kubectl port-forward did not start forwarding' },
    );
    expect(await hit()).toBe("You've hit kubia-manual\n");
    expect(await hit()).toBe("You've hit kubia-manual\n");
    expect(forwardOut).toContain(`Handling connection for ${localPort}`);
  });

  it('kubectl logs -f sees a new line when a request comes in, and -c / --tail / --timestamps shape the output', async () => {
    const follow = startKubectl(c, ['logs', '-f', 'kubia-manual']);
    try {
      await follow.waitFor((out) => out.includes('Kubia server starting...'), 20_000);
      const before = (follow.stdout.match(/Received request from/g) ?? []).length;
      expect(await hit()).toBe("You've hit kubia-manual\n");
      await follow.waitFor((out) => (out.match(/Received request from/g) ?? []).length > before, 20_000);
    } finally {
      await follow.stop();
    }
    const withC = await c.kubectl(['logs', 'kubia-manual', '-c', 'kubia']);
    expect(withC.stdout).toContain('Kubia server starting...');
    const tail = await c.kubectl(['logs', 'kubia-manual', '--tail=1']);
    expect(tail.stdout.trim().split('\n')).toHaveLength(1);
    expect(tail.stdout).toMatch(/^Received request from /);
    const stamped = await c.kubectl(['logs', 'kubia-manual', '--timestamps']);
    expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z Kubia server starting\.\.\.$/m);
  });

  it('kubectl exec runs commands: output, a failing exit code, stdin', async () => {
    const ls = await c.kubectl(['exec', 'kubia-manual', '--', 'ls', '/']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['proc', 'tmp']));
    const three = await c.kubectl(['exec', 'kubia-manual', '--', 'sh', '-c', 'exit 3']);
    expect(three.code).toBe(3);
    expect(three.stderr).toContain('command terminated with exit code 3');
    const cat = await c.kubectl(['exec', '-i', 'kubia-manual', '--', 'cat'], { input: 'hello through stdin\n' });
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout).toBe('hello through stdin\n');
  });

  it('kubectl exec -it gives the command a terminal', async () => {
    // kubectl wants its own stdin to be a terminal for -t: util-linux script provides one.
    const cmd = `${KUBECTL} --kubeconfig ${c.kubeconfig} --cache-dir ${cacheDir} exec -it kubia-manual -- sh -c 'test -t 0 && echo on-a-tty; stty size'`;
    const out = await new Promise<string>((resolve) => {
      execFile('script', ['-qec', cmd, '/dev/null'], { timeout: 30_000 }, (_err, stdout, stderr) => resolve(stdout + stderr));
    });
    expect(out).toMatch(/on-a-tty\r?\n\d+ \d+/);
  });

  it('kubectl logs rc/kubia reads a pod its selector picks', async () => {
    const run = await c.kubectl(['run', 'kubia-by-rc', '--image=luksa/kubia', '--labels=app=kubia']);
    expect(run.code, run.stderr).toBe(0);
    const rc = await c.kubectl(['create', '-f', `${M}/rc.yaml`]);
    expect(rc.code, rc.stderr).toBe(0);
    await eventually(
      async () => {
        const r = await c.kubectl(['logs', 'rc/kubia']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain('Kubia server starting...');
      },
      { timeoutMs: 60_000 },
    );
  });

  it('kubectl logs --previous shows the last words of a crashed container', async () => {
    const run = await c.kubectl(['run', 'crasher', '--image=kubemu/crasher', '--env=CRASH_AFTER_SECONDS=0']);
    expect(run.code, run.stderr).toBe(0);
    await eventually(async () => expect(Number(await jsonpath('crasher', '{.status.containerStatuses[0].restartCount}'))).toBeGreaterThanOrEqual(1), {
      timeoutMs: 60_000,
      message: 'crasher never restarted',
    });
    const prev = await c.kubectl(['logs', 'crasher', '--previous']);
    expect(prev.code, prev.stderr).toBe(0);
    expect(prev.stdout).toContain('crasher: started; exiting with code 1 in 0s');
  });

  it('kubectl logs of a pod whose image cannot be pulled says why', async () => {
    const run = await c.kubectl(['run', 'nope', '--image=kubemu/no-such-image']);
    expect(run.code, run.stderr).toBe(0);
    await eventually(
      async () => {
        const r = await c.kubectl(['logs', 'nope']);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/container "nope" in pod "nope" is waiting to start: (image can't be pulled|trying and failing to pull image)/);
      },
      { timeoutMs: 60_000 },
    );
  });
});
