/**
 * A node failure and its healing, as users cause it: on a 3-node cluster with the process runtime
 * and the default profile, six bare kubia pods run two per node and the notes' ReplicationController
 * `kubia` runs three replicas, one per node; `kubemu kill node-2` SIGKILLs node-2's kubelet and
 * kube-proxy. Checked with /proc and the real kubectl: node-2's container processes die within a
 * second of the kubelet, node-2 turns NotReady and is tainted unreachable within seconds, its pods
 * are evicted and stay Terminating; the RC's pod is replaced on another node and answers, the bare
 * ones are not (nothing owns them); the pods of node-1 and node-3 keep running and answering.
 * `kubemu start node-2` makes it Ready again, lifts the taints, and its kubelet confirms the evicted
 * pods' deletion so they go.
 *
 * The tests run in order on one cluster: each step starts from the state the previous one left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectlOk } from '../support/kubectl-ok.js';
import { httpGet, tryHttpGet } from '../support/http.js';
import { describedEvents, showEvents } from '../support/kubectl-events.js';
import { column, describeField, describeSection, parseTable, row, type KubectlTable } from '../support/kubectl-output.js';
import { describeProcesses, descendantsOf, distinct, podProcesses, runningProcess, survivors, watchDeaths, type Identity } from '../support/processes.js';

const M = 'test/fixtures/manifests';
const NODES = ['node-1', 'node-2', 'node-3'];
const BARE = NODES.flatMap((node) => [`bare-${node}-a`, `bare-${node}-b`]);
const nodeOfBare = (pod: string) => pod.split('-').slice(1, 3).join('-');

/**
 * A bare kubia pod (labelled so the notes' rc, which selects app=kubia, leaves it alone), pinned to
 * its node by the node's hostname label (through the scheduler); JSON, so several make a stream.
 */
function bareManifest(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { heal: 'bare' } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': nodeOfBare(name) },
      containers: [{ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8080 }] }],
    },
  });
}

const hits = (ip: string, pod: string) =>
  // Running is not listening yet: kubia has no readiness probe, so give it a moment to bind.
  eventually(async () => expect(await httpGet(ip, 8080)).toEqual({ status: 200, body: `You've hit ${pod}\n` }), { timeoutMs: 10_000 });

describe('a node fails and the cluster heals: kubemu kill node-2, then kubemu start node-2', { timeout: 120_000 }, () => {
  let c: E2ECluster;
  /** Pod name → IP and node, as the pods ran before the kill. */
  const ips = new Map<string, string>();
  const where = new Map<string, string>();
  /** The rc's pods before the kill. */
  let rcPods: string[] = [];
  let killedAt = 0;
  /** What was measured, printed once at the end (the numbers the issue asks about). */
  const timings: string[] = [];
  const onNode = (node: string) => [...where].filter(([, n]) => n === node).map(([p]) => p);

  beforeAll(async () => {
    c = await startCluster({ nodes: 3 });
  }, 180_000);
  afterAll(async () => {
    if (timings.length) console.log(`healing: ${timings.join('; ')}`);
    await c?.down();
  });

  const ok = (args: string[], input?: string): Promise<string> => kubectlOk(c, args, input);
  const pods = async (...args: string[]) => parseTable(await ok(['get', 'po', '-o', 'wide', ...args]));
  const nodes = async () => parseTable(await ok(['get', 'nodes']));
  const remember = (t: KubectlTable, names: string[]) => {
    for (const p of names) {
      ips.set(p, row(t, p).IP!);
      where.set(p, row(t, p).NODE!);
    }
  };

  it("six bare kubia pods run two per node, the notes' rc kubia one replica per node, and each answers on its own pod IP", async () => {
    expect((await ok(['create', '-f', '-'], BARE.map(bareManifest).join('\n'))).trim().split('\n')).toEqual(BARE.map((p) => `pod/${p} created`));
    expect(await ok(['create', '-f', `${M}/rc.yaml`])).toBe('replicationcontroller/kubia created\n');
    const t = await eventually(
      async () => {
        const table = await pods();
        expect(table.rows).toHaveLength(9);
        for (const r of table.rows) expect(r, r.NAME).toMatchObject({ READY: '1/1', STATUS: 'Running' });
        return table;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'the nine pods did not all run' },
    );
    rcPods = column(await pods('-l', 'app=kubia'), 'NAME');
    expect(rcPods).toHaveLength(3);
    remember(t, [...BARE, ...rcPods]);
    for (const p of BARE) expect(where.get(p), p).toBe(nodeOfBare(p));
    // The scheduler spreads replicas of one owner over the nodes.
    expect(rcPods.map((p) => where.get(p)).sort()).toEqual(NODES);
    expect(new Set(ips.values()).size).toBe(9);
    for (const [p, ip] of ips) await hits(ip, p);
    for (const p of onNode('node-2')) expect(podProcesses(ips.get(p)!).length, `container processes of ${p}`).toBeGreaterThan(0);
  });

  it("kubemu kill node-2 SIGKILLs its kubelet and kube-proxy, and node-2's container processes die within a second", async () => {
    const kubelet = runningProcess(c.dataDir, 'kubelet-node-2');
    const proxy = runningProcess(c.dataDir, 'kube-proxy-node-2');
    // Everything the kubelet started (pod sandboxes, container wrappers, the programs) and every
    // process in a node-2 pod, found by the pod IP in its environment.
    const containers: Identity[] = distinct([...descendantsOf(kubelet), ...onNode('node-2').flatMap((p) => podProcesses(ips.get(p)!))]);
    expect(containers.length).toBeGreaterThanOrEqual(2);
    const others = NODES.filter((n) => n !== 'node-2').flatMap(onNode).flatMap((p) => podProcesses(ips.get(p)!));

    const deaths = watchDeaths(kubelet, containers, 10_000);
    killedAt = Date.now();
    const kill = await c.kubemu(['kill', 'node-2']);
    const { firstGoneAt, allGoneAt, outlived } = await deaths;
    expect(kill.code, kill.stderr).toBe(0);
    expect(kill.stdout).toMatch(new RegExp(`kubelet-node-2\\s+killed \\(SIGKILL, pid ${kubelet.pid}\\)`));
    expect(kill.stdout).toMatch(new RegExp(`kube-proxy-node-2\\s+killed \\(SIGKILL, pid ${proxy.pid}\\)`));
    // Not asserted: the launcher's own "outlived it" warning, which also counts a killed pod sandbox
    // still in its exit path (see support/processes.ts) — measured here instead, from /proc.
    timings.push(`node-2's ${containers.length} container and sandbox processes gone ${allGoneAt - firstGoneAt} ms after its kubelet`);
    expect(allGoneAt - firstGoneAt, `container processes outlived the kubelet by ${allGoneAt - firstGoneAt} ms:\n${describeProcesses(outlived)}`).toBeLessThan(1000);
    expect(survivors([proxy])).toEqual([]);
    expect(survivors(others), describeProcesses(survivors(others))).toHaveLength(others.length);

    for (const p of onNode('node-2')) expect(await tryHttpGet(ips.get(p)!, 8080, '/', 1000), p).toEqual({ error: 'ECONNREFUSED' });
  });

  it('node-2 turns NotReady within seconds, with the unreachable taints and Unknown conditions; the others stay Ready', async () => {
    await eventually(
      async () => {
        const t = await nodes();
        expect(row(t, 'node-2').STATUS).toBe('NotReady');
      },
      { timeoutMs: 30_000, intervalMs: 250, message: 'node-2 did not turn NotReady' },
    );
    const notReadyAfter = Date.now() - killedAt;
    timings.push(`node-2 NotReady in kubectl ${(notReadyAfter / 1000).toFixed(1)} s after kubemu kill started`);
    // Default profile: 4 s of silence; slack for a loaded machine, still far from Kubernetes' 50 s grace.
    expect(notReadyAfter).toBeLessThan(20_000);
    const t = await nodes();
    expect(row(t, 'node-1').STATUS).toBe('Ready');
    expect(row(t, 'node-3').STATUS).toBe('Ready');

    const out = await eventually(
      async () => {
        const d = await ok(['describe', 'node', 'node-2']);
        expect(describeField(d, 'Taints').split('\n')).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
        return d;
      },
      { timeoutMs: 10_000 },
    );
    const conditions = describeSection(out, 'Conditions')
      .slice(2)
      .map((l) => l.trim().split(/\s{2,}/));
    expect(conditions.map((cells) => [cells[0], cells[1], cells[4], cells[5]])).toEqual(
      ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => [type, 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']),
    );

    const status = await c.kubemu(['status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^node-2\s+NotReady\s+kubelet-node-2 killed, kube-proxy-node-2 killed\s+NodeStatusUnknown: Kubelet stopped posting node status\.$/m);
  });

  it("node-2's pods are evicted and stay Terminating; the rc's pod is replaced on another node, the bare ones are not", async () => {
    await eventually(
      async () => {
        const t = await pods();
        for (const p of onNode('node-2')) expect(row(t, p).STATUS, p).toBe('Terminating');
      },
      { timeoutMs: 15_000, intervalMs: 250, message: "node-2's pods were not evicted" },
    );
    const evicted = onNode('node-2').find((p) => p.startsWith('bare-'))!;
    const out = await ok(['describe', 'po', evicted]);
    const ev = describedEvents(out);
    expect(ev, showEvents(ev)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Warning', reason: 'NodeNotReady', from: 'node-controller', message: 'Node is not ready' }),
        expect.objectContaining({ type: 'Normal', reason: 'TaintManagerEviction', from: 'taint-eviction-controller', message: `Marking for deletion Pod default/${evicted}` }),
      ]),
    );
    const conditions = Object.fromEntries(describeSection(out, 'Conditions').slice(1).map((l) => l.trim().split(/\s+/)));
    expect(conditions).toMatchObject({ Ready: 'False', DisruptionTarget: 'True' });

    // The rc counts only live pods: a fourth one comes up, away from the NotReady node.
    const replacement = await eventually(
      async () => {
        const fresh = (await pods('-l', 'app=kubia')).rows.filter((r) => !rcPods.includes(r.NAME!));
        expect(fresh).toHaveLength(1);
        expect(fresh[0]).toMatchObject({ READY: '1/1', STATUS: 'Running' });
        return fresh[0]!;
      },
      { timeoutMs: 30_000, intervalMs: 250, message: "the rc did not replace node-2's pod" },
    );
    expect(['node-1', 'node-3']).toContain(replacement.NODE);
    await hits(replacement.IP!, replacement.NAME!);
    timings.push(`the rc's replacement Running and answering ${((Date.now() - killedAt) / 1000).toFixed(1)} s after kubemu kill started`);
    expect(row(parseTable(await ok(['get', 'rc', 'kubia'])), 'kubia')).toMatchObject({ DESIRED: '3', CURRENT: '3', READY: '3' });
    const rcEvents = describedEvents(await ok(['describe', 'rc', 'kubia']));
    expect(rcEvents).toEqual(
      expect.arrayContaining([expect.objectContaining({ reason: 'SuccessfulCreate', from: 'replication-controller', message: `Created pod: ${replacement.NAME}` })]),
    );
    ips.set(replacement.NAME!, replacement.IP!);
    where.set(replacement.NAME!, replacement.NODE!);

    // Nothing owns the bare pods: none was created to take their place.
    expect(column(await pods('-l', 'heal=bare'), 'NAME').sort()).toEqual([...BARE].sort());
  });

  it('the pods on node-1 and node-3 keep running and answering', async () => {
    const t = await pods();
    for (const p of [...onNode('node-1'), ...onNode('node-3')]) {
      expect(row(t, p), p).toMatchObject({ READY: '1/1', STATUS: 'Running', RESTARTS: '0' });
      expect(await httpGet(ips.get(p)!, 8080)).toEqual({ status: 200, body: `You've hit ${p}\n` });
    }
  });

  it('kubemu start node-2: Ready again, taints lifted, the evicted pods confirmed gone, and node-2 runs new pods', async () => {
    const start = await c.kubemu(['start', 'node-2']);
    expect(start.code, `${start.stdout}\n${start.stderr}`).toBe(0);
    expect(start.stdout).toMatch(/kubelet-node-2\s+healthy/);
    expect(row(await nodes(), 'node-2').STATUS).toBe('Ready');
    await eventually(async () => expect(describeField(await ok(['describe', 'node', 'node-2']), 'Taints')).toBe('<none>'), { timeoutMs: 15_000 });
    await eventually(
      async () => expect(column(await pods(), 'NAME').sort()).toEqual([...onNode('node-1'), ...onNode('node-3')].sort()),
      { timeoutMs: 20_000, intervalMs: 250, message: 'the evicted pods did not go away' },
    );
    // The back kubelet did not start the deleted pods' containers again, and the rc still has three.
    for (const p of onNode('node-2')) expect(podProcesses(ips.get(p)!), p).toEqual([]);
    expect(column(await pods('-l', 'app=kubia'), 'NAME')).toHaveLength(3);

    expect(await ok(['create', '-f', '-'], bareManifest('bare-node-2-c'))).toBe('pod/bare-node-2-c created\n');
    const ip = await eventually(
      async () => {
        const r = row(await pods(), 'bare-node-2-c');
        expect(r).toMatchObject({ READY: '1/1', STATUS: 'Running', NODE: 'node-2' });
        return r.IP!;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    await hits(ip, 'bare-node-2-c');
    const status = await c.kubemu(['status']);
    expect(status.code, status.stdout).toBe(0);
  });
});
