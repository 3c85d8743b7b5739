/**
 * A network partition, as users make one: on a 3-node cluster (process runtime, default profile)
 * the notes' ReplicationController `kubia` runs 4 replicas, spread so node-2 has some;
 * `kubemu partition node-2 --for 10s` cuts node-2's kubelet and kube-proxy from the bus without
 * killing anything. Seen with /proc, the real kubectl and the event stream (recorded from before
 * the partition, so no short-lived state is missed by polling): node-2 turns NotReady while its
 * kubelet, its kube-proxy and its pods' container processes keep running (and answering); its pods
 * are evicted and replaced on the other nodes. When the 10 s are over the node heals by itself:
 * Ready again with the same processes, and its kubelet kills the evicted pods' containers (their
 * processes gone) and confirms their deletion, leaving the rc exactly its replicas. Then
 * `kubemu heal node-2` ends a second, longer partition early. Every step is in chaos.jsonl, and
 * `kubemu report` sees each partition healed.
 *
 * The tests run in order on one cluster: each step starts from the state the previous one left.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosRecord } from '../../shared/healing/messages.js';
import type { HealingReport } from '../../shared/healing/timeline.js';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { httpGet } from '../support/http.js';
import { kubectlOk } from '../support/kubectl-ok.js';
import { column, parseTable, row } from '../support/kubectl-output.js';
import { describeProcesses, podProcesses, runningProcess, survivors, type Identity } from '../support/processes.js';
import { openStreamClient, type StreamTestClient } from '../support/stream-client.js';

const M = 'test/fixtures/manifests';
const REPLICAS = 4;

/** The Ready status of a Node object as the stream carries it. */
const readyOf = (node: any): string | undefined => node?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status;

describe('kubemu partition node-2 --for 10s: cut from the bus, not killed; healed, it cleans up after itself', { timeout: 180_000 }, () => {
  let c: E2ECluster;
  let stream: StreamTestClient;
  /** The rc's pods before the partition: name → IP and node. */
  const ips = new Map<string, string>();
  const where = new Map<string, string>();
  let onNode2: string[] = [];
  let kubelet: Identity;
  let proxy: Identity;
  /** node-2's container processes before the partition. */
  let containers: Identity[] = [];
  let partitionedAt = 0;
  const timings: string[] = [];

  beforeAll(async () => {
    c = await startCluster({ nodes: 3 });
  }, 180_000);
  afterAll(async () => {
    if (timings.length) console.log(`partition: ${timings.join('; ')}`);
    stream?.close();
    await c?.down();
  });

  const ok = (args: string[], input?: string): Promise<string> => kubectlOk(c, args, input);
  const pods = async () => parseTable(await ok(['get', 'po', '-l', 'app=kubia', '-o', 'wide']));
  const nodeStatus = async (node: string) => row(parseTable(await ok(['get', 'nodes'])), node).STATUS;
  /** node-2's Ready statuses in stream order, repeats folded: ['True', 'Unknown', 'True']. */
  const node2Readiness = (): (string | undefined)[] =>
    stream.messages
      .filter((m) => m.kind === 'Node' && m.name === 'node-2' && m.type !== 'DELETED')
      .map((m) => readyOf(m.object))
      .filter((r, i, all) => i === 0 || r !== all[i - 1]);
  const podMessages = (name: string) => stream.messages.filter((m) => m.kind === 'Pod' && m.name === name);
  const journal = (): ChaosRecord[] =>
    readFileSync(join(c.dataDir, 'chaos.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ChaosRecord);

  it("the notes' rc kubia with 4 replicas runs on every node, and node-2's pods have live container processes", async () => {
    expect(await ok(['create', '-f', `${M}/rc.yaml`])).toBe('replicationcontroller/kubia created\n');
    expect(await ok(['scale', 'rc', 'kubia', `--replicas=${REPLICAS}`])).toBe('replicationcontroller/kubia scaled\n');
    const t = await eventually(
      async () => {
        const table = await pods();
        expect(table.rows).toHaveLength(REPLICAS);
        for (const r of table.rows) expect(r, r.NAME).toMatchObject({ READY: '1/1', STATUS: 'Running' });
        return table;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'the rc did not get its replicas Running' },
    );
    for (const r of t.rows) {
      ips.set(r.NAME!, r.IP!);
      where.set(r.NAME!, r.NODE!);
    }
    // The scheduler spreads one owner's replicas: every node has at least one.
    expect(new Set(where.values())).toEqual(new Set(['node-1', 'node-2', 'node-3']));
    onNode2 = [...where].filter(([, n]) => n === 'node-2').map(([p]) => p);
    containers = onNode2.flatMap((p) => podProcesses(ips.get(p)!));
    for (const p of onNode2) expect(podProcesses(ips.get(p)!).length, `container processes of ${p}`).toBeGreaterThan(0);
    kubelet = runningProcess(c.dataDir, 'kubelet-node-2');
    proxy = runningProcess(c.dataDir, 'kube-proxy-node-2');

    // Record every pod and node change from now on (the current objects first).
    stream = await openStreamClient(`${c.apiUrl.replace(/^http/, 'ws')}/stream?kinds=pods,nodes&resourceVersion=0`);
    await stream.caughtUp();
    expect(node2Readiness()).toEqual(['True']);
  });

  it('kubemu partition node-2 --for 10s cuts its kubelet and kube-proxy from the bus and answers at once', async () => {
    partitionedAt = Date.now();
    const r = await c.kubemu(['partition', 'node-2', '--for', '10s']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`kubelet-node-2\\s+cut from the bus \\(pid ${kubelet.pid}\\)`));
    expect(r.stdout).toMatch(new RegExp(`kube-proxy-node-2\\s+cut from the bus \\(pid ${proxy.pid}\\)`));
    expect(r.stdout).toContain('It heals itself in 10.0s');
    const last = journal().at(-1);
    expect(last).toMatchObject({ action: 'partition', target: 'node-2', by: 'cli', nodes: ['node-2'], forMs: 10_000 });
  });

  it('node-2 turns NotReady while its kubelet, kube-proxy and containers keep running and serving', async () => {
    await eventually(() => expect(node2Readiness()).toEqual(['True', 'Unknown']), { timeoutMs: 15_000, intervalMs: 20, message: 'node-2 did not turn NotReady' });
    timings.push(`NotReady in the stream ${((Date.now() - partitionedAt) / 1000).toFixed(1)} s after kubemu partition`);
    // Not killed: the same processes (pid and start time) as before.
    expect(survivors([kubelet, proxy])).toEqual([kubelet, proxy]);
    expect(survivors(containers), describeProcesses(containers)).toHaveLength(containers.length);
  });

  it("node-2's pods are evicted while their containers still run there, and the rc replaces them on the other nodes", async () => {
    await eventually(
      () => {
        for (const p of onNode2) expect(podMessages(p).some((m) => m.object?.metadata?.deletionTimestamp), p).toBe(true);
      },
      { timeoutMs: 15_000, intervalMs: 20, message: "node-2's pods were not evicted" },
    );
    const evictedAfter = Date.now() - partitionedAt;
    timings.push(`pods evicted ${(evictedAfter / 1000).toFixed(1)} s after kubemu partition`);
    // Still cut off (the node has not come back in the stream): the kubelet cannot know, so the containers still serve.
    expect(node2Readiness().at(-1), 'node-2 came back before the check; the machine is too slow for a 10 s partition').toBe('Unknown');
    expect(survivors(containers), describeProcesses(containers)).toHaveLength(containers.length);
    for (const p of onNode2) expect(await httpGet(ips.get(p)!, 8080), p).toEqual({ status: 200, body: `You've hit ${p}\n` });

    const replacements = await eventually(
      async () => {
        const fresh = (await pods()).rows.filter((r) => !ips.has(r.NAME!));
        expect(fresh).toHaveLength(onNode2.length);
        for (const r of fresh) expect(r, r.NAME).toMatchObject({ READY: '1/1', STATUS: 'Running' });
        return fresh;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: "the rc did not replace node-2's pods" },
    );
    for (const r of replacements) expect(['node-1', 'node-3'], r.NAME).toContain(r.NODE);
    timings.push(`replacements Running ${((Date.now() - partitionedAt) / 1000).toFixed(1)} s after kubemu partition`);
  });

  it("after 10 s node-2 is Ready again with the same processes; its kubelet kills the evicted pods' containers, and the rc has exactly its replicas", async () => {
    await eventually(async () => expect(await nodeStatus('node-2')).toBe('Ready'), { timeoutMs: 30_000, intervalMs: 250, message: 'node-2 did not come back' });
    timings.push(`Ready again ${((Date.now() - partitionedAt) / 1000).toFixed(1)} s after kubemu partition`);
    expect(Date.now() - partitionedAt).toBeGreaterThanOrEqual(10_000);
    expect(node2Readiness()).toEqual(['True', 'Unknown', 'True']);
    expect(survivors([kubelet, proxy])).toEqual([kubelet, proxy]);

    await eventually(() => expect(survivors(containers), describeProcesses(survivors(containers))).toEqual([]), {
      timeoutMs: 30_000,
      intervalMs: 100,
      message: "node-2's kubelet did not kill the evicted pods' containers",
    });
    for (const p of onNode2) expect(podProcesses(ips.get(p)!), p).toEqual([]);
    timings.push(`evicted containers gone ${((Date.now() - partitionedAt) / 1000).toFixed(1)} s after kubemu partition`);
    await eventually(
      async () => {
        const t = await pods();
        for (const p of onNode2) expect(column(t, 'NAME'), 'the evicted pods are confirmed deleted').not.toContain(p);
        expect(t.rows).toHaveLength(REPLICAS);
        for (const r of t.rows) expect(r, r.NAME).toMatchObject({ READY: '1/1', STATUS: 'Running' });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    for (const p of onNode2) expect(podMessages(p).at(-1)?.type, p).toBe('DELETED');
    expect(row(parseTable(await ok(['get', 'rc', 'kubia'])), 'kubia')).toMatchObject({ DESIRED: '4', CURRENT: '4', READY: '4' });
    const status = await c.kubemu(['status']);
    expect(status.code, status.stdout).toBe(0);
  });

  it('kubemu heal node-2 ends a partition early: Ready again long before its --for ran out', async () => {
    const before = Date.now();
    const cut = await c.kubemu(['partition', 'node-2', '--for', '2m']);
    expect(cut.code, `${cut.stdout}\n${cut.stderr}`).toBe(0);
    await eventually(async () => expect(await nodeStatus('node-2')).toBe('NotReady'), { timeoutMs: 30_000, intervalMs: 250, message: 'node-2 did not turn NotReady again' });

    const heal = await c.kubemu(['heal', 'node-2']);
    expect(heal.code, `${heal.stdout}\n${heal.stderr}`).toBe(0);
    expect(heal.stdout).toMatch(new RegExp(`kubelet-node-2\\s+connecting to the bus again \\(pid ${kubelet.pid}\\)`));
    expect(heal.stdout).toContain('Ready: node-2');
    expect(await nodeStatus('node-2')).toBe('Ready');
    timings.push(`second partition healed by kubemu heal ${((Date.now() - before) / 1000).toFixed(1)} s after it began`);
    expect(Date.now() - before).toBeLessThan(90_000);
    expect(node2Readiness()).toEqual(['True', 'Unknown', 'True', 'Unknown', 'True']);
    expect(survivors([kubelet, proxy])).toEqual([kubelet, proxy]);
    expect(journal().slice(-2)).toEqual([
      expect.objectContaining({ action: 'partition', target: 'node-2', by: 'cli', nodes: ['node-2'], forMs: 120_000 }),
      expect.objectContaining({ action: 'heal', target: 'node-2', by: 'cli', nodes: ['node-2'] }),
    ]);
    // The rc's pods were elsewhere: nothing moved.
    expect((await pods()).rows.filter((r) => r.STATUS === 'Running' && r.READY === '1/1')).toHaveLength(REPLICAS);
  });

  it('kubemu report --json sees both partitions of node-2, each healed, and the rc at its desired replicas', async () => {
    const r = await c.kubemu(['report', '--json']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const report = JSON.parse(r.stdout) as HealingReport;
    expect(report.failures.map((f) => [f.target, f.cause, f.by, f.healed])).toEqual([
      ['node-2', 'partition', 'cli', true],
      ['node-2', 'partition', 'cli', true],
    ]);
    const [first, second] = report.failures;
    expect(first!.evicted.map((p) => p.name).sort()).toEqual([...onNode2].sort());
    expect(first!.replacements).toHaveLength(onNode2.length);
    expect(first!.healedBy).toBe('replacements Ready');
    expect(first!.restoredAt! - first!.at).toBe(10_000);
    expect(second!.healedBy).toBe('node Ready again');
    expect(report.controllers).toEqual([expect.objectContaining({ kind: 'ReplicationController', name: 'kubia', desired: REPLICAS, ready: REPLICAS, ok: true })]);
  });
});
