import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { collect, FAKE_LOG_TIME, FakeStreamingRuntime, MapPodLookup, spdyOverWebSocketClient, spdyUpgrade } from '../support/streaming-fakes.js';
import { serveStreaming, type StreamingServer } from '../../services/kubelet/streaming/server.js';
import { connectBus, type Bus } from '../../shared/nats/connection.js';
import { realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { resourceFor } from '../../shared/api/resources.js';
import type { ContainerStatus, Pod } from '../../shared/api/core.js';
import type { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { KUBECTL } from '../support/cluster.js';

const PODS = resourceFor('', 'v1', 'pods')!;
const NODE = 'node-1';
const ECHO_IP = '127.3.0.5';

function running(name: string, uid: string): ContainerStatus {
  return { name, ready: true, restartCount: 0, image: 'busybox', imageID: 'kubemu://busybox', containerID: `fake://${uid}/${name}`, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } };
}

describe('kubectl logs, exec and port-forward through the api-server and a kubelet over NATS', () => {
  let c: ApiCluster;
  let client: NatsApiClient;
  let kubeletBus: Bus;
  let kubelet: StreamingServer;
  const runtime = new FakeStreamingRuntime();
  const lookup = new MapPodLookup();
  let echo: Server;
  let echoPort: number;
  let digest: Server;
  let digestPort: number;

  interface PodOptions {
    statuses?: (uid: string) => ContainerStatus[];
    /** false: left unscheduled. */
    bind?: boolean;
    node?: string;
    /** The kubelet that knows the pod. */
    kubeletPods?: MapPodLookup;
  }

  /** A pod bound to a node (node-1) with the given container statuses, known to that node's kubelet. */
  async function pod(name: string, containers: string[], opts: PodOptions = {}): Promise<Pod> {
    const created = await client.create<Pod>(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { containers: containers.map((n) => ({ name: n, image: 'busybox' })) },
    });
    const uid = created.metadata.uid!;
    if (opts.bind === false) return created;
    await client.create(PODS, 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: opts.node ?? NODE } }, 'binding', name);
    const current = await client.get<Pod>(PODS, 'default', name);
    current.status = { ...current.status, phase: 'Running', podIP: ECHO_IP, hostIP: '127.1.0.1', containerStatuses: opts.statuses ? opts.statuses(uid) : containers.map((n) => running(n, uid)) };
    const updated = await client.update<Pod>(PODS, current, 'status');
    (opts.kubeletPods ?? lookup).set({ uid, namespace: 'default', name, podIP: ECHO_IP, containers: containers.map((n) => ({ name: n, init: false, containerId: `fake://${uid}/${n}`, running: true })) });
    return updated;
  }

  beforeAll(async () => {
    c = await startApiCluster();
    client = c.client('streaming-test');
    kubeletBus = await connectBus({ servers: c.nats.url, name: 'kubelet-node-1' });
    kubelet = serveStreaming({ bus: kubeletBus, clock: realClock, log: silentLogger(), nodeName: NODE, runtime, pods: lookup });
    await kubeletBus.flush();
    echo = createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
      s.on('end', () => s.end());
    });
    await new Promise<void>((r) => echo.listen(0, ECHO_IP, r));
    echoPort = (echo.address() as { port: number }).port;
    // Sends every byte back as it comes, and at the end the SHA-256 of all it received.
    digest = createServer({ allowHalfOpen: true }, (s) => {
      const hash = createHash('sha256');
      s.on('data', (d) => {
        hash.update(d);
        s.write(d);
      });
      s.on('end', () => s.end(`\nsha256:${hash.digest('hex')}`));
    });
    await new Promise<void>((r) => digest.listen(0, ECHO_IP, r));
    digestPort = (digest.address() as { port: number }).port;
  });

  afterAll(async () => {
    kubelet?.stop();
    echo?.close();
    digest?.close();
    await kubeletBus?.close();
    await c?.dispose();
    for (const pid of runtime.children) process.kill(pid, 'SIGKILL');
  });

  describe('logs', () => {
    it('returns the container log as text/plain, naming the container as kubectl does', async () => {
      const p = await pod('kubia', ['kubia']);
      runtime.setLog(p.metadata.uid!, 'kubia', ['Kubia server starting...', 'Received request from ::ffff:127.0.0.1']);
      const r = await c.http('GET', '/api/v1/namespaces/default/pods/kubia/log?container=kubia');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/plain');
      expect(r.text).toBe('Kubia server starting...\nReceived request from ::ffff:127.0.0.1\n');
      expect((await c.http('GET', '/api/v1/namespaces/default/pods/kubia/log')).text).toContain('Kubia server starting');
    });

    it('passes tailLines, timestamps, sinceSeconds and previous to the runtime and enforces limitBytes', async () => {
      const p = await pod('opts', ['main'], { statuses: (uid) => [{ ...running('main', uid), restartCount: 1, lastState: { terminated: { exitCode: 1, reason: 'Error', containerID: `fake://${uid}/main-0` } } }] });
      const uid = p.metadata.uid!;
      runtime.setLog(uid, 'main', ['one', 'two', 'three'], ['before the crash']);
      const tail = await c.http('GET', '/api/v1/namespaces/default/pods/opts/log?container=main&tailLines=2&timestamps=true&sinceSeconds=60');
      expect(tail.text).toBe(`${FAKE_LOG_TIME} two\n${FAKE_LOG_TIME} three\n`);
      expect(runtime.logCalls.at(-1)).toEqual({ podUid: uid, container: 'main', opts: { follow: false, previous: false, timestamps: true, tailLines: 2, sinceSeconds: 60 } });
      expect((await c.http('GET', '/api/v1/namespaces/default/pods/opts/log?container=main&limitBytes=5')).text).toBe('one\nt');
      expect((await c.http('GET', '/api/v1/namespaces/default/pods/opts/log?container=main&previous=true')).text).toBe('before the crash\n');
    });

    it('refuses what Kubernetes refuses, with its messages', async () => {
      await pod('two', ['main', 'side']);
      await pod('waiting', ['app'], { statuses: (uid) => [{ ...running('app', uid), containerID: undefined, ready: false, state: { waiting: { reason: 'ContainerCreating' } } }] });
      await pod('pulling', ['app'], { statuses: (uid) => [{ ...running('app', uid), ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } }] });
      const cases: [string, number, string][] = [
        ['/api/v1/namespaces/default/pods/nothere/log', 404, 'pods "nothere" not found'],
        ['/api/v1/namespaces/default/pods/two/log', 400, 'a container name must be specified for pod two, choose one of: [main side]'],
        ['/api/v1/namespaces/default/pods/two/log?container=x', 400, 'container x is not valid for pod two'],
        ['/api/v1/namespaces/default/pods/two/log?container=main&previous=true', 400, 'previous terminated container "main" in pod "two" not found'],
        ['/api/v1/namespaces/default/pods/waiting/log?container=app', 400, 'container "app" in pod "waiting" is waiting to start: ContainerCreating'],
        ['/api/v1/namespaces/default/pods/pulling/log?container=app', 400, 'container "app" in pod "pulling" is waiting to start: trying and failing to pull image'],
        ['/api/v1/namespaces/default/pods/two/log?container=main&tailLines=-1', 422, 'PodLogOptions "two" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0'],
      ];
      for (const [path, code, message] of cases) {
        const r = await c.http('GET', path);
        expect({ path, code: r.status, message: r.json?.message }).toEqual({ path, code, message });
      }
    });

    it('answers an empty log for a pod that is not scheduled yet', async () => {
      await pod('pending', ['app'], { bind: false });
      const r = await c.http('GET', '/api/v1/namespaces/default/pods/pending/log');
      expect(r.status).toBe(200);
      expect(r.text).toBe('');
    });

    it('follows: streams new lines as they are written and ends when the container stops', async () => {
      const p = await pod('follow', ['app']);
      const uid = p.metadata.uid!;
      runtime.setLog(uid, 'app', ['first']);
      const res = await fetch(`${c.baseUrl}/api/v1/namespaces/default/pods/follow/log?container=app&follow=true`);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      const readSome = async (): Promise<void> => {
        const { value } = await reader.read();
        if (value) text += Buffer.from(value).toString();
      };
      while (!text.includes('first\n')) await readSome();
      runtime.append(uid, 'app', 'second');
      while (!text.includes('second\n')) await readSome();
      runtime.exit(uid, 'app');
      for (;;) {
        const { done, value } = await reader.read();
        if (value) text += Buffer.from(value).toString();
        if (done) break;
      }
      expect(text).toBe('first\nsecond\n');
      await eventually(() => expect(kubelet.active).toBe(0));
    });

    it('over the NATS API (which cannot stream) says logs are HTTP-only and leaves no stream open', async () => {
      const p = await pod('over-nats', ['app']);
      runtime.setLog(p.metadata.uid!, 'app', ['x']);
      const r = await client.request({ method: 'GET', path: '/api/v1/namespaces/default/pods/over-nats/log', query: { container: 'app', follow: 'true' } });
      expect(r.body).toBe('pod logs are streamed over HTTP only');
      await eventually(() => expect(kubelet.active).toBe(0));
    });

    it('stops reading on the kubelet when the client goes away', async () => {
      const p = await pod('leaver', ['app']);
      runtime.setLog(p.metadata.uid!, 'app', ['x']);
      const abort = new AbortController();
      const res = await fetch(`${c.baseUrl}/api/v1/namespaces/default/pods/leaver/log?container=app&follow=true`, { signal: abort.signal });
      await res.body!.getReader().read();
      expect(kubelet.active).toBeGreaterThan(0);
      abort.abort();
      await eventually(() => expect(kubelet.active).toBe(0));
    });
  });

  describe('exec over WebSocket v5.channel.k8s.io', () => {
    function execWs(path: string, send: (ws: WebSocket) => void = () => undefined): Promise<{ frames: [number, string][]; closeCode: number; protocol: string }> {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`${c.baseUrl.replace('http', 'ws')}${path}`, ['v5.channel.k8s.io']);
        const frames: [number, string][] = [];
        ws.on('open', () => send(ws));
        ws.on('message', (d: Buffer) => frames.push([d[0]!, d.subarray(1).toString()]));
        ws.on('close', (code) => resolve({ frames, closeCode: code, protocol: ws.protocol }));
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (x: Buffer) => (body += x));
          res.on('end', () => reject(Object.assign(new Error(body), { status: res.statusCode })));
        });
        ws.on('error', () => undefined);
      });
    }

    it('runs the command, sends stdout and stderr on their channels, then the exit status, then closes', async () => {
      await pod('exec1', ['app']);
      const q = ['sh', '-c', 'echo out; echo err >&2; exit 3'].map((a) => `command=${encodeURIComponent(a)}`).join('&');
      const r = await execWs(`/api/v1/namespaces/default/pods/exec1/exec?${q}&container=app&stderr=true&stdout=true`);
      expect(r.protocol).toBe('v5.channel.k8s.io');
      expect(r.frames.filter(([ch]) => ch === 1).map(([, t]) => t).join('')).toBe('out\n');
      expect(r.frames.filter(([ch]) => ch === 2).map(([, t]) => t).join('')).toBe('err\n');
      const [ch, status] = r.frames.at(-1)!;
      expect(ch).toBe(3);
      expect(JSON.parse(status)).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
      expect(r.closeCode).toBe(1000);
      expect(runtime.execCalls.at(-1)?.containerId).toMatch(/\/app$/);
    });

    it('feeds stdin and closes it on the v5 close signal', async () => {
      await pod('exec2', ['app']);
      const r = await execWs('/api/v1/namespaces/default/pods/exec2/exec?command=cat&container=app&stdin=true&stdout=true&stderr=true', (ws) => {
        ws.send(Buffer.from([0, ...Buffer.from('hello\n')]));
        ws.send(Buffer.from([255, 0]));
      });
      expect(r.frames.filter(([ch]) => ch === 1).map(([, t]) => t).join('')).toBe('hello\n');
      expect(JSON.parse(r.frames.at(-1)![1])).toEqual({ metadata: {}, status: 'Success' });
    });

    it('refuses before upgrading: unknown container, no node, container not running', async () => {
      await pod('exec3', ['app']);
      await pod('exec-pending', ['app'], { bind: false });
      const p = await pod('exec-stopped', ['app']);
      lookup.set({ ...lookup.find('default', 'exec-stopped')!, containers: [{ name: 'app', init: false, running: false }] });
      const err = (path: string) => execWs(path).catch((e) => ({ status: e.status, message: JSON.parse(e.message).message }));
      expect(await err('/api/v1/namespaces/default/pods/exec3/exec?command=ls&container=nope&stdout=true')).toEqual({ status: 400, message: 'container nope is not valid for pod exec3' });
      expect(await err('/api/v1/namespaces/default/pods/exec-pending/exec?command=ls&stdout=true')).toEqual({ status: 400, message: 'pod exec-pending does not have a host assigned' });
      expect(await err('/api/v1/namespaces/default/pods/exec-stopped/exec?command=ls&stdout=true')).toEqual({ status: 400, message: 'container not found ("app")' });
      expect(p.metadata.name).toBe('exec-stopped');
      const plain = await c.http('GET', '/api/v1/namespaces/default/pods/exec3/exec?command=ls');
      expect([plain.status, plain.json.message]).toEqual([400, 'Upgrade request required']);
    });

    it('kills the command when the client goes away', async () => {
      await pod('exec4', ['app']);
      const before = runtime.children.size;
      const ws = new WebSocket(`${c.baseUrl.replace('http', 'ws')}/api/v1/namespaces/default/pods/exec4/exec?command=sleep&command=60&stdout=true`, ['v5.channel.k8s.io']);
      await new Promise((r) => ws.once('open', r));
      await eventually(() => expect(runtime.children.size).toBe(before + 1));
      ws.terminate();
      await eventually(() => expect(runtime.children.size).toBe(before));
    });
  });

  describe('exec over SPDY (kubectl fallback)', () => {
    it('answers 101 with the negotiated protocol, serves the streams, writes the status on the error stream', async () => {
      await pod('spdy-exec', ['app']);
      const q = ['sh', '-c', 'read x; echo got $x; echo oops >&2; exit 2'].map((a) => `command=${encodeURIComponent(a)}`).join('&');
      const { session, protocol } = await spdyUpgrade(c.baseUrl, `/api/v1/namespaces/default/pods/spdy-exec/exec?${q}&container=app&stdin=true&stdout=true&stderr=true`, [
        'v5.channel.k8s.io',
        'v4.channel.k8s.io',
        'v3.channel.k8s.io',
      ]);
      expect(protocol).toBe('v5.channel.k8s.io');
      const error = collect(await session.openStream({ streamtype: 'error' }, { fin: true }));
      const stdin = await session.openStream({ streamtype: 'stdin' });
      const stdout = collect(await session.openStream({ streamtype: 'stdout' }, { fin: true }));
      const stderr = collect(await session.openStream({ streamtype: 'stderr' }, { fin: true }));
      stdin.write(Buffer.from('kubemu\n'));
      stdin.end();
      await eventually(() => expect(error.ended()).toBe(true));
      expect(stdout.text()).toBe('got kubemu\n');
      expect(stderr.text()).toBe('oops\n');
      expect(JSON.parse(error.text())).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });
      await eventually(() => expect(session.closed).toBe(true));
    });

    it('refuses protocols it does not speak, as a Status', async () => {
      await pod('spdy-old', ['app']);
      const err = await spdyUpgrade(c.baseUrl, '/api/v1/namespaces/default/pods/spdy-old/exec?command=ls&stdout=true', ['channel.k8s.io']).catch((e) => e);
      expect(err.status).toBe(400);
      expect(JSON.parse(err.body).message).toMatch(/unable to negotiate protocol/);
    });
  });

  describe('port-forward', () => {
    async function forward(session: Awaited<ReturnType<typeof spdyUpgrade>>['session'], requestId: string, port: number, payload: string | Buffer) {
      const error = collect(await session.openStream({ streamtype: 'error', port: String(port), requestid: requestId }, { fin: true }));
      const data = await session.openStream({ streamtype: 'data', port: String(port), requestid: requestId });
      const back = collect(data);
      const bytes = Buffer.from(payload);
      for (let off = 0; off < bytes.length; off += 16 * 1024) data.write(bytes.subarray(off, off + 16 * 1024));
      data.end();
      await eventually(() => expect(back.ended() && error.ended()).toBe(true));
      return { data: back.text(), bytes: back.bytes(), error: error.text() };
    }

    it('carries a TCP connection to the pod over SPDY tunnelled in a WebSocket, several connections on one session', async () => {
      await pod('pf', ['app']);
      const { session, ws, protocol } = await spdyOverWebSocketClient(c.baseUrl, '/api/v1/namespaces/default/pods/pf/portforward');
      expect(protocol).toBe('SPDY/3.1+portforward.k8s.io');
      expect(await forward(session, '0', echoPort, 'hello')).toMatchObject({ data: 'echo:hello', error: '' });
      expect(await forward(session, '1', echoPort, 'again')).toMatchObject({ data: 'echo:again', error: '' });
      ws.close();
    });

    it('carries it over raw SPDY, and reports a refused port on the error stream', async () => {
      await pod('pf2', ['app']);
      const { session, protocol } = await spdyUpgrade(c.baseUrl, '/api/v1/namespaces/default/pods/pf2/portforward', ['portforward.k8s.io']);
      expect(protocol).toBe('portforward.k8s.io');
      expect(await forward(session, '0', echoPort, 'raw')).toMatchObject({ data: 'echo:raw', error: '' });
      const refused = await forward(session, '1', 1, 'nobody');
      expect(refused.data).toBe('');
      expect(refused.error).toMatch(new RegExp(`failed to connect to ${ECHO_IP.replace(/\./g, '\\.')}:1 inside the pod`));
      session.close();
    });

    it('moves a megabyte each way intact (flow control end to end)', async () => {
      await pod('pf3', ['app']);
      const big = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
      const { session, ws } = await spdyOverWebSocketClient(c.baseUrl, '/api/v1/namespaces/default/pods/pf3/portforward');
      const r = await forward(session, '0', digestPort, big);
      expect(r.error).toBe('');
      const sum = createHash('sha256').update(big).digest('hex');
      expect(r.bytes.length).toBe(big.length + `\nsha256:${sum}`.length);
      expect(r.bytes.subarray(0, big.length).equals(big)).toBe(true);
      expect(r.bytes.subarray(big.length).toString()).toBe(`\nsha256:${sum}`);
      ws.close();
    });
  });

  describe('with the real kubectl', () => {
    let dir: string;
    let kubeconfig: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'kubemu-streaming-kubectl-'));
      kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: ${c.baseUrl}\ncontexts:\n- name: t\n  context:\n    cluster: t\n    namespace: default\ncurrent-context: t\nusers: []\n`,
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function kubectl(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        const child = execFile(
          KUBECTL,
          ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
          { timeout: 30_000, env: { ...process.env, ...(opts.env ?? {}) } },
          (err, stdout, stderr) => resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
        );
        if (opts.input !== undefined) child.stdin!.end(opts.input);
      });
    }

    it('kubectl logs: whole, -c, --tail, --timestamps, --previous', async () => {
      const p = await pod('kc-logs', ['main', 'side'], { statuses: (uid) => [running('main', uid), { ...running('side', uid), lastState: { terminated: { exitCode: 1, reason: 'Error' } } }] });
      const uid = p.metadata.uid!;
      runtime.setLog(uid, 'main', ['Kubia server starting...', 'Received request from ::ffff:127.0.0.1']);
      runtime.setLog(uid, 'side', ['side now'], ['side before']);
      const all = await kubectl(['logs', 'kc-logs']);
      expect(all.stdout).toBe('Kubia server starting...\nReceived request from ::ffff:127.0.0.1\n');
      expect(all.stderr).toContain('Defaulted container "main" out of: main, side');
      expect((await kubectl(['logs', 'kc-logs', '-c', 'side'])).stdout).toBe('side now\n');
      expect((await kubectl(['logs', 'kc-logs', '-c', 'main', '--tail=1'])).stdout).toBe('Received request from ::ffff:127.0.0.1\n');
      expect((await kubectl(['logs', 'kc-logs', '-c', 'main', '--tail=1', '--timestamps'])).stdout).toBe(`${FAKE_LOG_TIME} Received request from ::ffff:127.0.0.1\n`);
      expect((await kubectl(['logs', 'kc-logs', '-c', 'side', '--previous'])).stdout).toBe('side before\n');
      const none = await kubectl(['logs', 'kc-logs', '-c', 'main', '--previous']);
      expect(none.code).not.toBe(0);
      expect(none.stderr).toContain('previous terminated container "main" in pod "kc-logs" not found');
    });

    for (const [transport, env] of [
      ['WebSocket', {}],
      ['SPDY', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }],
    ] as const) {
      it(`kubectl exec over ${transport}: output, exit codes, stdin`, async () => {
        await pod(`kc-exec-${transport.toLowerCase()}`, ['app']);
        const name = `kc-exec-${transport.toLowerCase()}`;
        const ls = await kubectl(['exec', name, '--', 'sh', '-c', 'echo hello from $0; echo to stderr >&2'], { env });
        expect(ls).toMatchObject({ code: 0, stdout: 'hello from sh\n' });
        expect(ls.stderr).toContain('to stderr');
        const three = await kubectl(['exec', name, '--', 'sh', '-c', 'exit 3'], { env });
        expect(three.code).toBe(3);
        expect(three.stderr).toContain('command terminated with exit code 3');
        const cat = await kubectl(['exec', '-i', name, '--', 'cat'], { env, input: 'piped through stdin\n' });
        expect(cat).toMatchObject({ code: 0, stdout: 'piped through stdin\n' });
      });
    }

    for (const [transport, env] of [
      ['WebSocket-tunnelled SPDY', {}],
      ['raw SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
    ] as const) {
      it(`kubectl port-forward over ${transport}: a local port reaches the pod`, async () => {
        const name = `kc-pf-${transport.startsWith('raw') ? 'raw' : 'ws'}`;
        await pod(name, ['app']);
        const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'port-forward', `pod/${name}`, `:${echoPort}`], {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (out += d));
        try {
          const local = await eventually(() => {
            const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out);
            if (!m) throw new Error(`kubectl said: ${out}`);
            return Number(m[1]);
          });
          for (const word of ['first', 'second']) {
            const answer = await new Promise<string>((resolve, reject) => {
              const sock = connect(local, '127.0.0.1', () => sock.end(word));
              let got = '';
              sock.on('data', (d) => (got += d));
              sock.on('close', () => resolve(got));
              sock.on('error', reject);
            });
            expect(answer).toBe(`echo:${word}`);
          }
          expect(out).toContain(`Handling connection for ${local}`);
        } finally {
          child.kill('SIGTERM');
        }
      });
    }
  });

  it('ends a followed log with an error within seconds when the kubelet vanishes', async () => {
    const bus2 = await connectBus({ servers: c.nats.url, name: 'kubelet-node-2' });
    const lookup2 = new MapPodLookup();
    const kubelet2 = serveStreaming({ bus: bus2, clock: realClock, log: silentLogger(), nodeName: 'node-2', runtime, pods: lookup2 });
    await bus2.flush();
    const doomed = await pod('doomed', ['app'], { node: 'node-2', kubeletPods: lookup2 });
    const uid = doomed.metadata.uid!;
    runtime.setLog(uid, 'app', ['alive']);
    const res = await fetch(`${c.baseUrl}/api/v1/namespaces/default/pods/doomed/log?container=app&follow=true`);
    const reader = res.body!.getReader();
    await reader.read();
    // The kubelet process dies: its connection drops, it sends nothing more (no close frame).
    await bus2.nc.close();
    const started = Date.now();
    const outcome = await (async () => {
      for (;;) {
        try {
          const { done } = await reader.read();
          if (done) return 'clean end';
        } catch {
          return 'error';
        }
      }
    })();
    expect(outcome).toBe('error');
    expect(Date.now() - started).toBeLessThan(9000);
    kubelet2.stop();
  });
});
