/**
 * Nodes that run pods, seen with the real kubectl on a 3-node cluster with the process runtime:
 * the kubelets register Ready nodes with their addresses, capacity, system info and Leases; the
 * notes' kubia-manual pod is scheduled, gets an IP from its node's pod CIDR and really answers HTTP
 * there; a nodeSelector picks the labelled node; a pod too big for every node stays Pending with
 * the scheduler's reasons; a crashing container backs off longer and longer; a failing liveness
 * probe restarts its container; an unknown image goes ErrImagePull → ImagePullBackOff; the notes'
 * fortune pod shares an emptyDir between its two containers.
 *
 * One cluster for the whole file: each test makes its own pods. Addresses are checked against the
 * cluster's network slot (recorded in its state file): slot 0 is the notes-like 127.1.0.N for nodes
 * and 127.128.N.0/24 for their pods, but several clusters on one machine get different slots.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkPlan, type NetworkPlan } from '../../shared/api/network.js';
import { readState } from '../../services/kubemu/state.js';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectlOk } from '../support/kubectl-ok.js';
import { httpGet } from '../support/http.js';
import { describedEvents, showEvents } from '../support/kubectl-events.js';
import { column, describeField, describeSection, parseTable, row, startKubectl } from '../support/kubectl-output.js';

const M = 'test/fixtures/manifests';
const NODES = ['node-1', 'node-2', 'node-3'];

/** Whether `ip` lies in the /24 `cidr` (kubemu's pod CIDRs are all /24s). */
function inCidr24(ip: string, cidr: string): boolean {
  const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr);
  return m !== null && ip.startsWith(`${m[1]}.`) && Number(ip.split('.')[3]) > 0;
}

describe('nodes run pods: registration, scheduling, real containers, restarts and back-off', { timeout: 120_000 }, () => {
  let c: E2ECluster;
  /** The cluster's addresses: node-N is `plan.nodeAddress(N)`, its pods come from `plan.podCidr(N)`. */
  let plan: NetworkPlan;

  beforeAll(async () => {
    c = await startCluster({ nodes: 3 });
    plan = networkPlan(readState(c.dataDir)?.networkSlot ?? 0);
  }, 180_000);
  afterAll(async () => {
    await c?.down();
  });

  const ok = (args: string[], input?: string): Promise<string> => kubectlOk(c, args, input);
  const json = async (args: string[]): Promise<any> => JSON.parse(await ok([...args, '-o', 'json']));
  const running = (pod: string, timeoutMs = 60_000): Promise<any> =>
    eventually(
      async () => {
        const p = await json(['get', 'po', pod]);
        expect(p.status.phase).toBe('Running');
        return p;
      },
      { timeoutMs, message: `${pod} did not reach Running` },
    );
  const events = async (pod: string) => describedEvents(await ok(['describe', 'po', pod]));

  it('get nodes: node-1, node-2 and node-3 are Ready, with no role and kubelet v1.32.0', async () => {
    const t = parseTable(await ok(['get', 'nodes']));
    expect(t.headers).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(column(t, 'NAME')).toEqual(NODES);
    for (const r of t.rows) expect(r).toMatchObject({ STATUS: 'Ready', ROLES: '<none>', VERSION: 'v1.32.0' });
  });

  it("get nodes -o wide: each node has its own loopback address (127.1.0.N in the first slot) and the process runtime", async () => {
    const t = parseTable(await ok(['get', 'nodes', '-o', 'wide']));
    expect(t.headers).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    NODES.forEach((n, i) => expect(row(t, n), n).toMatchObject({ 'INTERNAL-IP': plan.nodeAddress(i + 1), 'EXTERNAL-IP': '<none>', 'CONTAINER-RUNTIME': 'kubemu://process' }));
    expect(plan.nodeAddress(1)).toMatch(/^127\.\d+\.0\.1$/);
  });

  it('describe node node-1: labels, Ready conditions, addresses, capacity, system info, pod CIDR and its Lease', async () => {
    const out = await ok(['describe', 'node', 'node-1']);
    expect(describeField(out, 'Name')).toBe('node-1');
    expect(describeField(out, 'Roles')).toBe('<none>');
    expect(describeField(out, 'Labels').split('\n')).toEqual(expect.arrayContaining(['kubernetes.io/hostname=node-1', 'kubernetes.io/os=linux']));
    expect(describeField(out, 'Taints')).toBe('<none>');
    expect(describeField(out, 'Unschedulable')).toBe('false');

    const lease = Object.fromEntries(describeSection(out, 'Lease').map((l) => l.trim().split(/:\s+/)));
    expect(lease.HolderIdentity).toBe('node-1');
    expect(lease.RenewTime).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/);

    const conditions = describeSection(out, 'Conditions').map((l) => l.trim().split(/\s{2,}/));
    expect(conditions[0]).toEqual(['Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message']);
    const byType = new Map(conditions.slice(2).map((cells) => [cells[0], [cells[1], cells[4], cells[5]]]));
    expect(Object.fromEntries(byType)).toEqual({
      MemoryPressure: ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      DiskPressure: ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      PIDPressure: ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      Ready: ['True', 'KubeletReady', 'kubelet is posting ready status'],
    });

    expect(describeSection(out, 'Addresses').map((l) => l.trim().split(/:\s+/))).toEqual([
      ['InternalIP', plan.nodeAddress(1)],
      ['Hostname', 'node-1'],
    ]);

    for (const section of ['Capacity', 'Allocatable']) {
      const res = Object.fromEntries(describeSection(out, section).map((l) => l.trim().split(/:\s+/)));
      expect(res.cpu, section).toMatch(/^[1-9]\d*$/);
      expect(res.memory, section).toMatch(/^\d+(Ki|Mi|Gi)?$/);
      expect(res.pods, section).toBe('110');
    }

    const info = Object.fromEntries(describeSection(out, 'System Info').map((l) => l.trim().split(/:\s+/)));
    expect(info).toMatchObject({ 'Operating System': 'linux', 'Container Runtime Version': 'kubemu://process', 'Kubelet Version': 'v1.32.0', 'Kube-Proxy Version': 'v1.32.0' });
    expect(info['Machine ID']).toMatch(/^[0-9a-f]{32}$/);
    expect(describeField(out, 'PodCIDR')).toBe(plan.podCidr(1));
    expect(describeField(out, 'PodCIDRs')).toBe(plan.podCidr(1));
    expect(describeField(out, 'Non-terminated Pods')).toMatch(/^\(\d+ in total\)$/);

    const nodeEvents = describedEvents(out);
    expect(nodeEvents.map((e) => `${e.reason} ${e.from}`)).toEqual(expect.arrayContaining(['Starting kubelet', 'NodeReady kubelet', 'RegisteredNode node-controller']));
  });

  it("node-1's Lease in kube-node-lease is real: held by node-1 and renewed while the kubelet lives", async () => {
    const first = await json(['get', 'lease', 'node-1', '-n', 'kube-node-lease']);
    expect(first.spec.holderIdentity).toBe('node-1');
    expect(first.spec.leaseDurationSeconds).toBe(4);
    expect(first.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'v1', kind: 'Node', name: 'node-1' })]);
    await eventually(
      async () => {
        const now = await json(['get', 'lease', 'node-1', '-n', 'kube-node-lease']);
        expect(Date.parse(now.spec.renewTime)).toBeGreaterThan(Date.parse(first.spec.renewTime));
      },
      { timeoutMs: 15_000, intervalMs: 500, message: 'the node Lease was not renewed' },
    );
  });

  it("kubia-manual runs on a node, with an IP from that node's pod CIDR, and answers HTTP on it", async () => {
    expect(await ok(['create', '-f', `${M}/kubia-manual.yaml`])).toBe('pod/kubia-manual created\n');
    await running('kubia-manual');
    const r = await eventually(
      async () => {
        const wide = row(parseTable(await ok(['get', 'po', 'kubia-manual', '-o', 'wide'])), 'kubia-manual');
        expect(wide).toMatchObject({ READY: '1/1', STATUS: 'Running', RESTARTS: '0', 'NOMINATED NODE': '<none>', 'READINESS GATES': '<none>' });
        return wide;
      },
      { timeoutMs: 30_000 },
    );
    expect(NODES).toContain(r.NODE);
    const n = Number(r.NODE!.slice('node-'.length));
    expect((await json(['get', 'node', r.NODE!])).spec.podCIDR).toBe(plan.podCidr(n));
    expect(inCidr24(r.IP!, plan.podCidr(n)), `${r.IP} in ${plan.podCidr(n)}`).toBe(true);

    const pod = await json(['get', 'po', 'kubia-manual']);
    expect(pod.status).toMatchObject({ podIP: r.IP, hostIP: plan.nodeAddress(n), podIPs: [{ ip: r.IP }] });

    // Running is not yet listening (no readiness probe): a moment to bind.
    await eventually(async () => expect(await httpGet(r.IP!, 8080)).toEqual({ status: 200, body: "You've hit kubia-manual\n" }), { timeoutMs: 10_000 });

    const described = await ok(['describe', 'node', r.NODE!]);
    expect(describeSection(described, 'Non-terminated Pods').some((l) => /^\s+default\s+kubia-manual\s/.test(l))).toBe(true);
  });

  it('describe pod kubia-manual: its node and IP, Running, and the Scheduled, Pulling, Pulled, Created and Started events', async () => {
    const pod = await json(['get', 'po', 'kubia-manual']);
    const out = await ok(['describe', 'po', 'kubia-manual']);
    expect(describeField(out, 'Node')).toBe(`${pod.spec.nodeName}/${pod.status.hostIP}`);
    expect(describeField(out, 'Status')).toBe('Running');
    expect(describeField(out, 'IP')).toBe(pod.status.podIP);
    const ev = await eventually(
      async () => {
        const list = await events('kubia-manual');
        expect(list.map((e) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']));
        return list;
      },
      { timeoutMs: 15_000 },
    );
    const by = (reason: string) => ev.find((e) => e.reason === reason)!;
    expect(by('Scheduled')).toMatchObject({ type: 'Normal', from: 'default-scheduler', message: `Successfully assigned default/kubia-manual to ${pod.spec.nodeName}` });
    expect(by('Pulling')).toMatchObject({ type: 'Normal', from: 'kubelet', message: 'Pulling image "luksa/kubia"' });
    expect(by('Pulled').message).toMatch(/^Successfully pulled image "luksa\/kubia" in \d+(\.\d+)?m?s \(\d+(\.\d+)?m?s including waiting\)/);
    expect(by('Created')).toMatchObject({ type: 'Normal', from: 'kubelet', message: 'Created container kubia' });
    expect(by('Started')).toMatchObject({ type: 'Normal', from: 'kubelet', message: 'Started container kubia' });
  });

  it('a nodeSelector puts pods on the labelled node only: disk=ssd on node-2', async () => {
    expect(await ok(['label', 'node', 'node-2', 'disk=ssd'])).toBe('node/node-2 labeled\n');
    expect(column(parseTable(await ok(['get', 'nodes', '-l', 'disk=ssd'])), 'NAME')).toEqual(['node-2']);
    // Three such pods: spreading would put unconstrained pods on three different nodes.
    const manifest = readFileSync(`${M}/kubia-ssd.yaml`, 'utf8');
    expect(await ok(['create', '-f', `${M}/kubia-ssd.yaml`])).toBe('pod/kubia-ssd created\n');
    for (const name of ['kubia-ssd-2', 'kubia-ssd-3']) {
      expect(await ok(['create', '-f', '-'], manifest.replace('name: kubia-ssd', `name: ${name}`))).toBe(`pod/${name} created\n`);
    }
    for (const name of ['kubia-ssd', 'kubia-ssd-2', 'kubia-ssd-3']) {
      const p = await running(name);
      expect(p.spec.nodeName, name).toBe('node-2');
    }
    expect(describeField(await ok(['describe', 'po', 'kubia-ssd']), 'Node-Selectors')).toBe('disk=ssd');
  });

  it('a pod requesting more CPU than any node has stays Pending with FailedScheduling: 0/3 nodes are available: 3 Insufficient cpu', async () => {
    expect(await ok(['create', '-f', `${M}/kubia-too-much-cpu.yaml`])).toBe('pod/kubia-too-much-cpu created\n');
    const failed = await eventually(
      async () => {
        const e = (await events('kubia-too-much-cpu')).find((x) => x.reason === 'FailedScheduling');
        expect(e).toBeDefined();
        return e!;
      },
      { timeoutMs: 20_000, message: 'no FailedScheduling event' },
    );
    expect(failed).toMatchObject({
      type: 'Warning',
      from: 'default-scheduler',
      message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    });
    const r = row(parseTable(await ok(['get', 'po', 'kubia-too-much-cpu', '-o', 'wide'])), 'kubia-too-much-cpu');
    expect(r).toMatchObject({ READY: '0/1', STATUS: 'Pending', IP: '<none>', NODE: '<none>' });
    const pod = await json(['get', 'po', 'kubia-too-much-cpu']);
    expect(pod.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' })]);
  });

  it('a crashing container goes into CrashLoopBackOff, restarts again and again, each time after a longer back-off', async () => {
    expect(await ok(['run', 'crasher', '--image=kubemu/crasher'])).toBe('pod/crasher created\n');
    // Every instance's start time, read from the status: the running one, and the last dead one.
    const starts = new Set<number>();
    let sawCrashLoop = false;
    const restarts: number[] = [];
    await eventually(
      async () => {
        const p = await json(['get', 'po', 'crasher']);
        const s = p.status.containerStatuses?.[0];
        if (!s) throw new Error('no container status yet');
        restarts.push(s.restartCount);
        for (const t of [s.state?.running?.startedAt, s.state?.terminated?.startedAt, s.lastState?.terminated?.startedAt]) if (t) starts.add(Date.parse(t));
        if (s.state?.waiting?.reason === 'CrashLoopBackOff') sawCrashLoop = true;
        expect(starts.size).toBeGreaterThanOrEqual(5);
      },
      { timeoutMs: 60_000, intervalMs: 250, message: 'crasher did not start five times' },
    );
    expect(sawCrashLoop).toBe(true);
    expect(restarts.at(-1)).toBeGreaterThanOrEqual(4);
    expect(restarts).toEqual([...restarts].sort((a, b) => a - b));

    // Instance k+1 starts (1 s of running) + back-off after instance k: 1 s, 2 s, 3 s, 5 s with the
    // default profile's 1 s → 30 s back-off (first restart at once). Start times have 1 s resolution.
    const sorted = [...starts].sort((a, b) => a - b).slice(0, 5);
    const gaps = sorted.slice(1).map((t, i) => (t - sorted[i]!) / 1000);
    expect(gaps.at(-1), `gaps between starts: ${gaps.join(', ')} s`).toBeGreaterThanOrEqual(gaps[0]! + 2);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i], `gaps between starts: ${gaps.join(', ')} s`).toBeGreaterThanOrEqual(gaps[i - 1]! - 1);

    const uid = (await json(['get', 'po', 'crasher'])).metadata.uid;
    const backOff = (await events('crasher')).find((e) => e.reason === 'BackOff');
    expect(backOff).toMatchObject({ type: 'Warning', from: 'kubelet', message: `Back-off restarting failed container crasher in pod crasher_default(${uid})` });
    const r = row(parseTable(await ok(['get', 'po', 'crasher'])), 'crasher');
    expect(r.RESTARTS).toMatch(/^\d+ \(\d+s ago\)$/);
    expect(Number(r.RESTARTS!.split(' ')[0])).toBeGreaterThanOrEqual(4);
  });

  it('a failing liveness probe restarts the container: kubia-unhealthy answers 500 and gets restarted', async () => {
    expect(await ok(['create', '-f', `${M}/kubia-liveness.yaml`])).toBe('pod/kubia-liveness created\n');
    await eventually(
      async () => {
        const r = row(parseTable(await ok(['get', 'po', 'kubia-liveness'])), 'kubia-liveness');
        expect(Number(r.RESTARTS!.split(' ')[0])).toBeGreaterThanOrEqual(1);
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'kubia-liveness was not restarted' },
    );
    const ev = await events('kubia-liveness');
    expect(ev, showEvents(ev)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Warning', reason: 'Unhealthy', from: 'kubelet', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500' }),
        expect.objectContaining({ type: 'Normal', reason: 'Killing', from: 'kubelet', message: 'Container kubia failed liveness probe, will be restarted' }),
      ]),
    );
    const s = (await json(['get', 'po', 'kubia-liveness'])).status.containerStatuses[0];
    expect(s.lastState.terminated).toMatchObject({ reason: 'Error' });
  });

  it('an unknown image shows ErrImagePull, then ImagePullBackOff, in kubectl get po', async () => {
    const watch = startKubectl(c, ['get', 'po', '-l', 'run=no-such-image', '-w']);
    try {
      expect(await ok(['run', 'no-such-image', '--image=kubemu/no-such-image'])).toBe('pod/no-such-image created\n');
      const out = await watch.waitFor((o) => /ErrImagePull[\s\S]*ImagePullBackOff/.test(o), 60_000, 'no ErrImagePull then ImagePullBackOff');
      const statuses = out
        .split('\n')
        .filter((l) => l.startsWith('no-such-image '))
        .map((l) => l.trim().split(/\s+/)[2]);
      expect(statuses.indexOf('ErrImagePull')).toBeLessThan(statuses.indexOf('ImagePullBackOff'));
    } finally {
      await watch.stop();
    }
    const ev = await events('no-such-image');
    expect(ev.map((e) => `${e.type} ${e.reason} ${e.message.split(':')[0]}`)).toEqual(
      expect.arrayContaining([
        'Normal Pulling Pulling image "kubemu/no-such-image"',
        'Warning Failed Failed to pull image "kubemu/no-such-image"',
        'Warning Failed Error',
        'Normal BackOff Back-off pulling image "kubemu/no-such-image"',
      ]),
    );
    expect(ev.filter((e) => e.reason === 'Failed').map((e) => e.message)).toEqual(expect.arrayContaining(['Error: ErrImagePull', 'Error: ImagePullBackOff']));
  });

  it("the notes' fortune pod: two containers share an emptyDir, one writes index.html, the other serves it", async () => {
    expect(await ok(['create', '-f', `${M}/fortune.yaml`])).toBe('pod/fortune created\n');
    const pod = await running('fortune');
    await eventually(async () => expect(row(parseTable(await ok(['get', 'po', 'fortune'])), 'fortune')).toMatchObject({ READY: '2/2', STATUS: 'Running' }), {
      timeoutMs: 30_000,
    });
    const ip = pod.status.podIP as string;
    const served = await eventually(
      async () => {
        const a = await httpGet(ip, 80, '/index.html');
        expect(a.status).toBe(200);
        expect(a.body).toMatch(/^fortune from fortune at \d+\n$/);
        return a.body;
      },
      { timeoutMs: 20_000, message: 'the web server did not serve the generated page' },
    );
    // The file the generator wrote, read in the other container at its own mount path; it is
    // rewritten every second, so the served page and the file agree on the form, not the second.
    const inWebServer = await ok(['exec', 'fortune', '-c', 'web-server', '--', 'cat', '/usr/share/nginx/html/index.html']);
    expect(inWebServer).toMatch(/^fortune from fortune at \d+\n$/);
    const inGenerator = await ok(['exec', 'fortune', '-c', 'html-generator', '--', 'ls', '/var/htdocs']);
    expect(inGenerator).toBe('index.html\n');
    expect(Number(inWebServer.match(/\d+/)![0])).toBeGreaterThanOrEqual(Number(served.match(/\d+/)![0]));
    // Read-only in the web server: the mount is the generator's to write.
    const write = await c.kubectl(['exec', 'fortune', '-c', 'web-server', '--', 'sh', '-c', 'echo x > /usr/share/nginx/html/index.html']);
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
  });
});
