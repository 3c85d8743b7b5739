/**
 * The process runtime with real processes (no NATS): built-in images serving on pod IPs, pod
 * namespaces and volumes, fail-soft starts, stop with grace, logs, exec, usage, and death with the
 * kubelet — with Linux namespaces (skipped where the machine does not allow them) and with the
 * plain-process fallback forced.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessRuntime, type ProcessRuntime } from '../../services/kubelet/runtime/process/index.js';
import { isAlive, processTree } from '../../shared/runtime/proc.js';
import type { ContainerConfig, ContainerInfo, LogOptions, Runtime, Sandbox } from '../../services/kubelet/runtime/runtime.js';
import { eventually } from '../support/eventually.js';

const RUNTIME_ENTRY = fileURLToPath(new URL('../../services/kubelet/runtime/process/index.ts', import.meta.url));
const octet = 100 + Math.floor(Math.random() * 150);
let nextHost = 10;
const podIp = (): string => `127.253.${octet}.${nextHost++}`;
let nextPod = 0;

function cfg(sandbox: Sandbox, name: string, image: string, extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return { podUid: sandbox.podUid, name, image, env: { POD_IP: sandbox.ip }, ports: [], mounts: [], attempt: 0, ...extra };
}

async function pod(rt: Runtime, name: string, volumes: { name: string; kind: 'emptyDir' | 'hostPath'; hostPath?: string }[] = []): Promise<Sandbox> {
  return rt.runPodSandbox({ podUid: `uid-${name}-${nextPod++}`, namespace: 'default', name, ip: podIp(), hostname: name, volumes });
}

async function terminated(rt: Runtime, id: string, timeoutMs = 10_000): Promise<ContainerInfo> {
  return eventually(() => {
    const info = rt.container(id);
    if (info?.state.state !== 'terminated') throw new Error(`state ${info?.state.state}`);
    return info;
  }, { timeoutMs, message: `${id} terminated` });
}

function logs(rt: Runtime, uid: string, name: string, opts: LogOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    rt.readLogs(uid, name, opts, {
      onData: (c) => chunks.push(Buffer.from(c)),
      onEnd: (err) => (err ? reject(err) : resolve(Buffer.concat(chunks).toString())),
    });
  });
}

async function execText(rt: Runtime, id: string, command: string[], opts: { stdin?: string; tty?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  const s = rt.exec(id, { command, stdin: opts.stdin !== undefined, tty: opts.tty ?? false });
  let out = '';
  let err = '';
  s.onStdout((c) => (out += Buffer.from(c).toString()));
  s.onStderr((c) => (err += Buffer.from(c).toString()));
  if (opts.stdin !== undefined) {
    s.write(Buffer.from(opts.stdin));
    s.closeStdin();
  }
  const code = await s.exited;
  return { code, out, err };
}

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  return eventually(async () => {
    const r = await fetch(url);
    return { status: r.status, body: await r.text() };
  }, { timeoutMs: 15_000, message: `GET ${url}` });
}

/** Starts a "kubelet" child process with a runtime and containers; resolves with its pid and the pids it started. */
function kubeletChild(dataDir: string, isolation: 'auto' | 'none'): Promise<{ pid: number; descendants: number[] }> {
  const ip = podIp();
  const code = `
    const { createProcessRuntime } = await import(${JSON.stringify(pathToFileURL(RUNTIME_ENTRY).href)});
    const rt = createProcessRuntime({ dataDir: ${JSON.stringify(dataDir)}, isolation: '${isolation}' });
    const sb = await rt.runPodSandbox({ podUid: 'p1', namespace: 'default', name: 'doomed', ip: '${ip}', hostname: 'doomed', volumes: [] });
    const base = { podUid: 'p1', env: { POD_IP: '${ip}' }, ports: [], mounts: [], attempt: 0 };
    const a = await rt.startContainer(sb, { ...base, name: 'shell', image: 'busybox', command: ['sh', '-c', 'sleep 1000 & sleep 1000 & wait'] });
    const b = await rt.startContainer(sb, { ...base, name: 'pause', image: 'registry.k8s.io/pause:3.9' });
    process.stdout.write(JSON.stringify([a.state.state, b.state.state]) + '\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('exit', (c) => reject(new Error(`kubelet child exited with ${c}`)));
    child.stdout.once('data', (b: Buffer) => {
      const states = JSON.parse(b.toString()) as string[];
      if (!states.every((s) => s === 'running')) return reject(new Error(`containers not running: ${states}`));
      // The shell's two sleeps must have forked before we look.
      void eventually(() => processTree(child.pid!).length >= 6, { timeoutMs: 5000 }).then(() => {
        child.removeAllListeners('exit');
        resolve({ pid: child.pid!, descendants: processTree(child.pid!).slice(1) });
      }, reject);
    });
  });
}

describe.each([
  ['with pod namespaces', 'auto' as const],
  ['as plain processes (forced fallback)', 'none' as const],
])('process runtime %s', (_label, isolation) => {
  let dir: string;
  let rt: ProcessRuntime;
  let namespaced = false;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubemu-prt-'));
    rt = createProcessRuntime({ dataDir: join(dir, 'data'), isolation });
    namespaced = rt.isolation.namespaces;
  });

  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says whether pods get namespaces, and why not', async () => {
    const sb = await pod(rt, 'iso');
    if (isolation === 'none') {
      expect(sb.isolation).toBe('none');
      expect(sb.isolationNote).toMatch(/disabled by configuration/);
    } else {
      expect(sb.isolation).toBe(namespaced ? 'namespaces' : 'none');
    }
  });

  it("serves kubia on each pod's IP with the pod's hostname, two replicas on port 8080", async () => {
    const a = await pod(rt, 'kubia-a');
    const b = await pod(rt, 'kubia-b');
    const ca = await rt.startContainer(a, cfg(a, 'kubia', 'luksa/kubia', { env: { POD_IP: a.ip, HOSTNAME: 'kubia-a' } }));
    const cb = await rt.startContainer(b, cfg(b, 'kubia', 'docker.io/luksa/kubia:latest', { env: { POD_IP: b.ip, HOSTNAME: 'kubia-b' } }));
    expect(ca.state.state).toBe('running');
    expect(cb.pid).toBeGreaterThan(0);
    expect(ca.imageID).toMatch(/^docker\.io\/luksa\/kubia@sha256:[0-9a-f]{64}$/);
    expect(await httpGet(`http://${a.ip}:8080/`)).toEqual({ status: 200, body: "You've hit kubia-a\n" });
    expect(await httpGet(`http://${b.ip}:8080/`)).toEqual({ status: 200, body: "You've hit kubia-b\n" });
    const text = await logs(rt, a.podUid, 'kubia');
    expect(text).toMatch(/^Kubia server starting\.\.\.\nReceived request from [\d.:a-f]+\n/);
  });

  it('runs busybox commands with the real sh: command, args, env and working dir', async () => {
    const sb = await pod(rt, 'busy');
    const c = await rt.startContainer(sb, cfg(sb, 'sh', 'busybox', {
      command: ['sh', '-c'],
      args: ['echo "$GREETING from $WHO, cwd $(pwd)"; echo oops >&2; exit 3'],
      env: { GREETING: 'hello', WHO: 'kubemu' },
      workingDir: join(dir, 'work'),
    }));
    const done = await terminated(rt, c.id);
    expect(done.state).toMatchObject({ state: 'terminated', exitCode: 3, reason: 'Error' });
    expect(await logs(rt, sb.podUid, 'sh')).toBe(`hello from kubemu, cwd ${join(dir, 'work')}\noops\n`);
  });

  it('runs the default busybox command sh, which exits at once without stdin (Completed)', async () => {
    const sb = await pod(rt, 'bare-busybox');
    const c = await rt.startContainer(sb, cfg(sb, 'bb', 'busybox:1.36'));
    expect((await terminated(rt, c.id)).state).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('fails soft: unknown images do not pull, missing executables are StartError, never a throw', async () => {
    await expect(rt.pullImage('nope')).rejects.toThrow('rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nope:latest"');
    await expect(rt.pullImage('luksa/kubia:v1')).resolves.toMatchObject({ imageID: expect.stringContaining('luksa/kubia@sha256:') });
    const sb = await pod(rt, 'broken');
    const missing = await rt.startContainer(sb, cfg(sb, 'missing', 'busybox', { command: ['no-such-binary'] }));
    expect(missing.state).toMatchObject({ state: 'terminated', exitCode: 128, reason: 'StartError', startedAt: '1970-01-01T00:00:00Z' });
    expect((missing.state as { message: string }).message).toContain('exec: "no-such-binary": executable file not found in $PATH');
    const unknown = await rt.startContainer(sb, cfg(sb, 'unknown', 'nope/nothing'));
    expect(unknown.state).toMatchObject({ state: 'terminated', reason: 'StartError' });
    expect(rt.containersOf(sb.podUid).map((c) => c.name)).toEqual(['missing', 'unknown']);
  });

  it('crashes with the crasher, keeps the previous instance logs, and forgets older ones', async () => {
    const sb = await pod(rt, 'crashy');
    const exits: ContainerInfo[] = [];
    const off = rt.onContainerExit((i) => i.podUid === sb.podUid && exits.push(i));
    for (let attempt = 0; attempt < 3; attempt++) {
      const c = await rt.startContainer(sb, cfg(sb, 'crash', 'kubemu/crasher', { attempt, env: { CRASH_AFTER_SECONDS: '0', EXIT_CODE: String(40 + attempt) } }));
      expect((await terminated(rt, c.id)).state).toMatchObject({ exitCode: 40 + attempt, reason: 'Error' });
    }
    off();
    expect(exits.map((e) => (e.state as { exitCode: number }).exitCode)).toEqual([40, 41, 42]);
    expect(rt.containersOf(sb.podUid).map((c) => c.attempt)).toEqual([1, 2]);
    expect(await logs(rt, sb.podUid, 'crash')).toContain('exiting with code 42');
    expect(await logs(rt, sb.podUid, 'crash', { previous: true })).toContain('exiting with code 41');
    await expect(logs(rt, 'uid-none', 'crash', { previous: true })).rejects.toThrow('previous terminated container "crash"');
  });

  it('stops with SIGTERM, and SIGKILL once the grace period is over', async () => {
    const sb = await pod(rt, 'stoppable');
    const web = await rt.startContainer(sb, cfg(sb, 'web', 'nginx:1.25', { env: { POD_IP: sb.ip, PORT: '8081' } }));
    await httpGet(`http://${sb.ip}:8081/`);
    await rt.stopContainer(web.id, 10);
    expect(rt.container(web.id)?.state).toMatchObject({ state: 'terminated', exitCode: 0, reason: 'Completed' });

    const stubborn = await rt.startContainer(sb, cfg(sb, 'stubborn', 'busybox', { command: ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'] }));
    await eventually(async () => (await logs(rt, sb.podUid, 'stubborn')) === 'ready\n');
    const started = Date.now();
    await rt.stopContainer(stubborn.id, 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(rt.container(stubborn.id)?.state).toMatchObject({ exitCode: 137, signal: 9, reason: 'Error' });
  });

  it('follows logs until the container exits, with tail, timestamps and a byte limit', async () => {
    const sb = await pod(rt, 'chatty');
    const c = await rt.startContainer(sb, cfg(sb, 'talk', 'alpine', { command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done; printf partial'] }));
    const followed = await logs(rt, sb.podUid, 'talk', { follow: true });
    expect(followed).toBe('line 1\nline 2\nline 3\nline 4\nline 5\npartial');
    expect(rt.container(c.id)?.state.state).toBe('terminated');
    expect(await logs(rt, sb.podUid, 'talk', { tailLines: 2 })).toBe('line 5\npartial');
    expect(await logs(rt, sb.podUid, 'talk', { limitBytes: 10 })).toBe('line 1\nlin');
    expect(await logs(rt, sb.podUid, 'talk', { timestamps: true, tailLines: 1 })).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z partial$/);
  });

  it('execs commands in a running container: stdout, stderr, stdin, exit code, tty', async () => {
    const sb = await pod(rt, 'execy');
    const c = await rt.startContainer(sb, cfg(sb, 'main', 'busybox', { command: ['sleep', '1000'], env: { MARK: 'in-container' }, workingDir: '/tmp' }));
    expect(await execText(rt, c.id, ['sh', '-c', 'echo $MARK $(pwd); echo bad >&2; exit 5'])).toEqual({ code: 5, out: 'in-container /tmp\n', err: 'bad\n' });
    expect(await execText(rt, c.id, ['cat'], { stdin: 'piped\n' })).toMatchObject({ code: 0, out: 'piped\n' });
    const tty = await execText(rt, c.id, ['sh', '-c', 'test -t 0 && test -t 1 && echo tty'], { tty: true });
    expect(tty).toMatchObject({ code: 0 });
    expect(tty.out).toContain('tty');
    await rt.stopContainer(c.id, 0);
    await expect(rt.exec(c.id, { command: ['true'], stdin: false, tty: false }).exited).rejects.toThrow(/not running/);
  });

  it('resizes an exec terminal', async () => {
    const sb = await pod(rt, 'resizable');
    const c = await rt.startContainer(sb, cfg(sb, 'main', 'busybox', { command: ['sleep', '1000'] }));
    const s = rt.exec(c.id, { command: ['sh', '-c', 'for i in $(seq 100); do s=$(stty size); [ "$s" = "40 100" ] && break; sleep 0.05; done; echo "size $s"'], stdin: false, tty: true });
    let out = '';
    s.onStdout((b) => (out += Buffer.from(b).toString()));
    s.resize(100, 40);
    expect(await s.exited).toBe(0);
    expect(out).toContain('size 40 100');
  });

  it("removes a pod's directory, also one left behind by an earlier kubelet", async () => {
    const sb = await pod(rt, 'removable', [{ name: 'scratch', kind: 'emptyDir' }]);
    await rt.startContainer(sb, cfg(sb, 'main', 'busybox', { command: ['sleep', '1000'] }));
    expect(rt.podDirs()).toContain(sb.podUid);
    await rt.removePodSandbox(sb.podUid);
    expect(existsSync(sb.volumeDirs.scratch!)).toBe(false);
    expect(rt.containersOf(sb.podUid)).toEqual([]);
    const other = createProcessRuntime({ dataDir: join(dir, 'data'), isolation });
    const stale = await other.runPodSandbox({ podUid: 'stale-pod', namespace: 'default', name: 'stale', ip: podIp(), hostname: 'stale', volumes: [] });
    await other.close();
    expect(rt.podDirs()).toContain(stale.podUid);
    await rt.removePodSandbox(stale.podUid);
    expect(rt.podDirs()).not.toContain(stale.podUid);
  });

  it('reports CPU and memory of a busy container', async () => {
    const sb = await pod(rt, 'busy-cpu');
    const c = await rt.startContainer(sb, cfg(sb, 'spin', 'busybox', { command: ['sh', '-c', 'while :; do :; done'] }));
    await eventually(() => {
      const u = rt.usage(c.id);
      expect(u?.memoryBytes).toBeGreaterThan(0);
      expect(u?.cpuMillicores).toBeGreaterThan(200);
    }, { timeoutMs: 8000, intervalMs: 1100 });
    await rt.stopContainer(c.id, 0);
    expect(rt.usage(c.id)).toBeUndefined();
  });

  it('kills every container process within a second when the kubelet is SIGKILLed', async () => {
    const kubelet = await kubeletChild(join(dir, 'doomed'), isolation);
    expect(kubelet.descendants.length).toBeGreaterThanOrEqual(4);
    process.kill(kubelet.pid, 'SIGKILL');
    const killedAt = Date.now();
    await eventually(() => kubelet.descendants.every((p) => !isAlive(p)), { timeoutMs: 1000, intervalMs: 20, message: 'container processes gone' });
    expect(Date.now() - killedAt).toBeLessThan(1000);
  });

  it("shares an emptyDir between a pod's containers at each one's mountPath", async () => {
    const sb = await pod(rt, 'shared', [{ name: 'html', kind: 'emptyDir' }]);
    const vol = sb.volumeDirs.html!;
    expect(existsSync(vol)).toBe(true);
    const writerPath = join(dir, 'mnt', 'writer');
    const readerPath = join(dir, 'mnt', 'reader');
    const writer = await rt.startContainer(sb, cfg(sb, 'writer', 'busybox', {
      command: ['sh', '-c', `echo hello > "\${KUBEMU_VOLUME_HTML:-${writerPath}}/greeting"; sleep 1000`],
      mounts: [{ hostPath: vol, mountPath: writerPath, readOnly: false }],
    }));
    const reader = await rt.startContainer(sb, cfg(sb, 'reader', 'nginx', {
      env: { POD_IP: sb.ip, WEB_ROOT: readerPath },
      mounts: [{ hostPath: vol, mountPath: readerPath, readOnly: true }],
    }));
    expect(writer.state.state).toBe('running');
    await eventually(() => readFileSync(join(vol, 'greeting'), 'utf8') === 'hello\n');
    expect(await httpGet(`http://${sb.ip}/greeting`)).toEqual({ status: 200, body: 'hello\n' });
    if (namespaced) {
      // Mounted in the containers' mount namespaces, not on the node.
      expect(existsSync(join(writerPath, 'greeting'))).toBe(false);
      expect(await execText(rt, reader.id, ['cat', join(readerPath, 'greeting')])).toMatchObject({ code: 0, out: 'hello\n' });
      const ro = await execText(rt, reader.id, ['sh', '-c', `echo x > ${readerPath}/nope`]);
      expect(ro.code).not.toBe(0);
      expect(ro.err).toMatch(/Read-only file system/i);
    } else {
      expect(await execText(rt, writer.id, ['sh', '-c', 'echo $KUBEMU_VOLUME_HTML'])).toMatchObject({ out: `${vol}\n` });
    }
  });

  it("gives the pod its own hostname and PID namespace (when it has namespaces)", async () => {
    if (!namespaced) return;
    const sb = await pod(rt, 'ns-check');
    const c = await rt.startContainer(sb, cfg(sb, 'main', 'busybox', { command: ['sleep', '1000'] }));
    expect(await execText(rt, c.id, ['hostname'])).toMatchObject({ out: 'ns-check\n' });
    expect(await execText(rt, c.id, ['cat', '/proc/1/comm'])).toMatchObject({ out: 'sleep\n' });
  });
});

describe('process runtime with cgroup limits', () => {
  let dir: string;
  let rt: ProcessRuntime;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubemu-prt-cg-'));
    rt = createProcessRuntime({ dataDir: dir, cgroups: true });
  });

  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports OOMKilled when a container passes its memory limit', async () => {
    if (!rt.describe().limits.includes('memory')) return;
    const sb = await pod(rt, 'hungry');
    const c = await rt.startContainer(sb, cfg(sb, 'eat', 'busybox', {
      command: ['sh', '-c', 'a=xxxxxxxxxxxxxxxx; while :; do a="$a$a"; done'],
      resources: { limits: { memory: '24Mi' } },
    }));
    expect((await terminated(rt, c.id, 20_000)).state).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });
});

describe('built-in images', () => {
  let dir: string;
  let rt: ProcessRuntime;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubemu-prt-img-'));
    rt = createProcessRuntime({ dataDir: dir });
  });

  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(image: string, env: Record<string, string> = {}): Promise<Sandbox> {
    const sb = await pod(rt, image.replace(/[^a-z0-9]+/g, '-'));
    const c = await rt.startContainer(sb, cfg(sb, 'main', image, { env: { POD_IP: sb.ip, HOSTNAME: 'the-pod', ...env } }));
    expect(c.state.state).toBe('running');
    return sb;
  }

  it('kubia v2 and v3 answer as the book shows, v3 failing from the fifth request', async () => {
    const v2 = await serve('luksa/kubia:v2');
    expect(await httpGet(`http://${v2.ip}:8080/`)).toEqual({ status: 200, body: 'This is v2 running in pod the-pod\n' });
    const v3 = await serve('luksa/kubia:v3');
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await httpGet(`http://${v3.ip}:8080/`)).status);
    expect(answers).toEqual([200, 200, 200, 200, 500, 500]);
  });

  it('kubia-unhealthy answers five requests, then 500', async () => {
    const sb = await serve('luksa/kubia-unhealthy');
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) bodies.push((await httpGet(`http://${sb.ip}:8080/`)).body);
    expect(bodies.slice(0, 5)).toEqual(Array(5).fill("You've hit the-pod\n"));
    expect(bodies[5]).toBe("I'm not well. Please restart me!\n");
  });

  it('the nginx stand-in serves its welcome page, 404s, and logs each request', async () => {
    const sb = await serve('nginx:1.25');
    const home = await httpGet(`http://${sb.ip}/`);
    expect(home.status).toBe(200);
    expect(home.body).toContain('<title>Welcome to nginx!</title>');
    expect((await httpGet(`http://${sb.ip}/missing.html`)).status).toBe(404);
    const text = await eventually(async () => {
      const t = await logs(rt, sb.podUid, 'main');
      if (!t.includes('/missing.html')) throw new Error('not logged yet');
      return t;
    });
    expect(text).toMatch(/^[\d.]+ - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/missing.html HTTP\/1.1" 404 \d+ "-" "[^"]*"$/m);
  });

  it('the CPU burner answers OK! after burning CPU', async () => {
    const sb = await serve('registry.k8s.io/hpa-example', { BURN_MILLIS: '50' });
    expect(await httpGet(`http://${sb.ip}/`)).toEqual({ status: 200, body: 'OK!' });
  });

  it('the crasher fails after its delay; pause runs until stopped and exits cleanly', async () => {
    const sb = await pod(rt, 'crash-and-pause');
    const crash = await rt.startContainer(sb, cfg(sb, 'crash', 'kubemu/crasher', { env: { CRASH_AFTER_SECONDS: '0.3' } }));
    const pause = await rt.startContainer(sb, cfg(sb, 'pause', 'registry.k8s.io/pause:3.9'));
    expect((await terminated(rt, crash.id)).state).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(await logs(rt, sb.podUid, 'crash')).toBe('crasher: started; exiting with code 1 in 0.3s\ncrasher: exiting with code 1\n');
    expect(rt.container(pause.id)?.state.state).toBe('running');
    await rt.stopContainer(pause.id, 5);
    expect(rt.container(pause.id)?.state).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });
});
