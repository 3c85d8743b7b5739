/**
 * The simulated runtime end to end: `kubemu up --runtime simulated` with three nodes; thirty pods
 * created with one `kubectl create` all reach Running within seconds, spread over the three nodes,
 * each with its own IP from its node's pod CIDR — and not one process runs for them on the machine.
 * Deleting them all returns once they are gone (the kubelets confirm each deletion).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectlOk } from '../support/kubectl-ok.js';
import { column, parseTable, row } from '../support/kubectl-output.js';
import { processesByEnv } from '../support/processes.js';

const NODES = ['node-1', 'node-2', 'node-3'];
const COUNT = 30;
const PODS = Array.from({ length: COUNT }, (_, i) => `sim-kubia-${i + 1}`);

/** Thirty bare kubia pods as one JSON stream for `kubectl create -f -`. */
function manifests(): string {
  return PODS.map((name) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'sim-kubia' } },
      spec: { containers: [{ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8080 }] }] },
    }),
  ).join('\n');
}

describe('the simulated runtime: thirty pods on three simulated nodes', { timeout: 120_000 }, () => {
  let c: E2ECluster;
  let runningAfterMs = 0;

  beforeAll(async () => {
    c = await startCluster({ nodes: 3, extraArgs: ['--runtime', 'simulated'] });
  }, 180_000);
  afterAll(async () => {
    if (runningAfterMs) console.log(`simulated: ${COUNT} pods Running ${runningAfterMs} ms after kubectl create returned`);
    await c?.down();
  });

  const ok = (args: string[], input?: string): Promise<string> => kubectlOk(c, args, input);

  it('the nodes are Ready and say they run the simulated runtime', async () => {
    const t = parseTable(await ok(['get', 'nodes', '-o', 'wide']));
    expect(column(t, 'NAME')).toEqual(NODES);
    for (const n of NODES) expect(row(t, n)).toMatchObject({ STATUS: 'Ready', 'CONTAINER-RUNTIME': 'kubemu://simulated' });
  });

  it('thirty pods reach Running within seconds, spread over the nodes, each with an IP of its node', async () => {
    const created = await ok(['create', '-f', '-'], manifests());
    expect(created.trim().split('\n')).toEqual(PODS.map((p) => `pod/${p} created`));
    const start = Date.now();
    const t = await eventually(
      async () => {
        const table = parseTable(await ok(['get', 'po', '-l', 'app=sim-kubia', '-o', 'wide']));
        const notRunning = table.rows.filter((r) => r.STATUS !== 'Running' || r.READY !== '1/1').map((r) => `${r.NAME} ${r.STATUS}`);
        expect(table.rows).toHaveLength(COUNT);
        expect(notRunning).toEqual([]);
        return table;
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'the thirty pods did not all run' },
    );
    runningAfterMs = Date.now() - start;
    // Simulated start-up is a few hundred ms per pod at most; 15 s leaves room for a busy machine.
    expect(runningAfterMs).toBeLessThan(15_000);

    const perNode = new Map(NODES.map((n) => [n, 0]));
    for (const r of t.rows) perNode.set(r.NODE!, (perNode.get(r.NODE!) ?? 0) + 1);
    expect([...perNode.keys()]).toEqual(NODES);
    for (const [n, count] of perNode) expect(count, `pods on ${n}`).toBeGreaterThanOrEqual(5);

    const cidrs = new Map<string, string>();
    for (const n of NODES) cidrs.set(n, JSON.parse(await ok(['get', 'node', n, '-o', 'json'])).spec.podCIDR);
    const ips = column(t, 'IP');
    expect(new Set(ips).size).toBe(COUNT);
    for (const r of t.rows) {
      const prefix = cidrs.get(r.NODE!)!.replace(/\.0\/24$/, '.');
      expect(r.IP!.startsWith(prefix), `${r.NAME} ${r.IP} in ${cidrs.get(r.NODE!)}`).toBe(true);
    }
    // Nothing runs for them: no process on the machine carries any of their IPs.
    const byPodIP = processesByEnv('POD_IP');
    for (const ip of ips) expect(byPodIP.get(ip), ip).toBeUndefined();
  });

  it('deleting them all returns once every pod is gone', async () => {
    const out = await ok(['delete', 'po', '-l', 'app=sim-kubia'], undefined);
    expect(out.trim().split('\n').sort()).toEqual(PODS.map((p) => `pod "${p}" deleted`).sort());
    const left = await c.kubectl(['get', 'po', '-l', 'app=sim-kubia']);
    expect(left.stdout).toBe('');
    expect(left.stderr.trim()).toBe('No resources found in default namespace.');
  });
});
