/**
 * A node failure and its healing, as users cause it: on a 3-node cluster with the process runtime
 * and the default profile, six kubia pods run two per node; `kubemu kill node-2` SIGKILLs node-2's
 * kubelet and kube-proxy. Checked with /proc and the real kubectl: node-2's container processes die
 * within a second of the kubelet, node-2 turns NotReady and is tainted unreachable within seconds,
 * its pods are evicted (Terminating — bare pods are not replaced, there is no controller owning
 * them), the pods of node-1 and node-3 keep running and answering; `kubemu start node-2` makes it
 * Ready again, lifts the taints, and its kubelet confirms the evicted pods' deletion so they go.
 *
 * The tests run in order on one cluster: each step starts from the state the previous one left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { httpGet, tryHttpGet } from '../support/http.js';
import { describedEvents, showEvents } from '../support/kubectl-events.js';
import { column, describeField, describeSection, parseTable, row } from '../support/kubectl-output.js';
import { describeProcesses, descendantsOf, distinct, podProcesses, runningProcess, survivors, watchDeaths, type Identity } from '../support/processes.js';

const NODES = ['node-1', 'node-2', 'node-3'];
const PODS = NODES.flatMap((node) => [`kubia-${node}-a`, `kubia-${node}-b`]);
const onNode = (node: string) => PODS.filter((p) => p.startsWith(`kubia-${node}-`));

/** A bare kubia pod, pinned to its node by the node's hostname label (through the scheduler); JSON, so several make a stream kubectl reads. */
function podManifest(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'kubia' } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': name.split('-').slice(1, 3).join('-') },
      containers: [{ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8080 }] }],
    },
  });
}

describe('a node fails and the cluster heals: kubemu kill node-2, then kubemu start node-2', { timeout: 120_000 }, () => {
  let c: E2ECluster;
  /** Pod name → IP, as the pods ran before the kill. */
  const ips = new Map<string, string>();
  let killedAt = 0;
  /** What was measured, printed once at the end (the numbers the issue asks about). */
  const timings: string[] = [];

  beforeAll(async () => {
    c = await startCluster({ nodes: 3 });
  }, 180_000);
  afterAll(async () => {
    if (timings.length) console.log(`healing: ${timings.join('; ')}`);
    await c?.down();
  });

  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await c.kubectl(args, input === undefined ? {} : { input });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const pods = async () => parseTable(await ok(['get', 'po', '-o', 'wide']));
  const nodes = async () => parseTable(await ok(['get', 'nodes']));

  it('six bare kubia pods run two per node and each answers on its own pod IP', async () => {
    expect((await ok(['create', '-f', '-'], PODS.map(podManifest).join('\n'))).trim().split('\n')).toEqual(PODS.map((p) => `pod/${p} created`));
    const t = await eventually(
      async () => {
        const table = await pods();
        for (const p of PODS) expect(row(table, p), p).toMatchObject({ READY: '1/1', STATUS: 'Running' });
        return table;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'the six pods did not all run' },
    );
    for (const p of PODS) {
      const r = row(t, p);
      expect(r.NODE).toBe(p.split('-').slice(1, 3).join('-'));
      ips.set(p, r.IP!);
    }
    expect(new Set(ips.values()).size).toBe(6);
    // Running is not listening yet: kubia has no readiness probe, so give each a moment to bind.
    for (const [p, ip] of ips) await eventually(async () => expect(await httpGet(ip, 8080)).toEqual({ status: 200, body: `You've hit ${p}\n` }), { timeoutMs: 10_000 });
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

  it("node-2's pods are evicted and stay Terminating; bare pods are not replaced", async () => {
    await eventually(
      async () => {
        const t = await pods();
        for (const p of onNode('node-2')) expect(row(t, p).STATUS, p).toBe('Terminating');
      },
      { timeoutMs: 15_000, intervalMs: 250, message: "node-2's pods were not evicted" },
    );
    const evicted = onNode('node-2')[0]!;
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
    // Nothing owns them: no pod was created to take their place.
    expect(column(await pods(), 'NAME').sort()).toEqual([...PODS].sort());
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
    // The back kubelet did not start the deleted pods' containers again.
    for (const p of onNode('node-2')) expect(podProcesses(ips.get(p)!), p).toEqual([]);

    expect(await ok(['create', '-f', '-'], podManifest('kubia-node-2-c'))).toBe('pod/kubia-node-2-c created\n');
    const ip = await eventually(
      async () => {
        const r = row(await pods(), 'kubia-node-2-c');
        expect(r).toMatchObject({ READY: '1/1', STATUS: 'Running', NODE: 'node-2' });
        return r.IP!;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    await eventually(async () => expect(await httpGet(ip, 8080)).toEqual({ status: 200, body: "You've hit kubia-node-2-c\n" }), { timeoutMs: 10_000 });
    const status = await c.kubemu(['status']);
    expect(status.code, status.stdout).toBe(0);
  });
});
