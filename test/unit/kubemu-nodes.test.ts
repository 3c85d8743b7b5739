/**
 * How the CLI sees nodes: Ready from the Node's conditions, waiting for nodes to be Ready, the
 * `kubectl get nodes` lines taken from the api-server's Table, and the node lines of `status` —
 * against a stand-in HTTP API (a node:http server on a random port) and FakeClock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Node } from '../../shared/api/core.js';
import { FakeClock, realClock } from '../../shared/runtime/clock.js';
import { nodeView, nodesTable, notReadyYet, readNodes, waitNodesReady, NodesNotReady } from '../../services/kubemu/node-readiness.js';
import { nodeRows, type ProcessState } from '../../services/kubemu/commands/status.js';
import { STATE_VERSION, type ClusterState, type ProcessRecord } from '../../services/kubemu/state.js';
import { textTable } from '../../services/kubemu/text-table.js';
import { freePort } from '../../services/kubemu/ports.js';

function node(name: string, ready?: 'True' | 'False' | 'Unknown', reason?: string, message?: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: ready ? { conditions: [{ type: 'Ready', status: ready, ...(reason ? { reason } : {}), ...(message ? { message } : {}) }] } : {},
  };
}

/** The API stand-in: serves `nodes` as a list, or as a Table when asked the way kubectl asks. */
let nodes: Node[] = [];
let server: Server;
let apiUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/api/v1/nodes') {
      res.writeHead(404).end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    if ((req.headers.accept ?? '').includes('as=Table')) {
      res.end(
        JSON.stringify({
          kind: 'Table',
          columnDefinitions: [
            { name: 'Name', priority: 0 },
            { name: 'Status', priority: 0 },
            { name: 'Roles', priority: 0 },
            { name: 'Internal-IP', priority: 1 },
          ],
          rows: nodes.map((n) => ({
            cells: [n.metadata.name, nodeView(n).ready === 'True' ? 'Ready' : 'NotReady', '<none>', '127.1.0.1'],
            object: { metadata: { name: n.metadata.name } },
          })),
        }),
      );
      return;
    }
    res.end(JSON.stringify({ kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: nodes }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('node readiness as the CLI reads it', () => {
  it('is Ready only with a Ready condition True, and says why not otherwise', () => {
    expect(nodeView(node('node-1', 'True'))).toEqual({ name: 'node-1', ready: 'True' });
    expect(nodeView(node('node-2', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'))).toEqual({
      name: 'node-2',
      ready: 'Unknown',
      why: 'NodeStatusUnknown: Kubelet stopped posting node status.',
    });
    expect(nodeView(node('node-3'))).toEqual({ name: 'node-3', ready: 'Unknown', why: 'no Ready condition yet' });
  });

  it('names the nodes that are missing or NotReady', async () => {
    nodes = [node('node-1', 'True'), node('node-2', 'False', 'KubeletNotReady')];
    const read = await readNodes(apiUrl);
    expect(notReadyYet(read, ['node-1'])).toBeUndefined();
    expect(notReadyYet(read, ['node-1', 'node-2', 'node-3'])).toBe('not registered: node-3; node-2 is NotReady (KubeletNotReady)');
  });

  it('says the API does not answer rather than throwing', async () => {
    const read = await readNodes(`http://127.0.0.1:${await freePort()}`);
    expect(read.ok).toBe(false);
    expect(notReadyYet(read, ['node-1'])).toMatch(/^the API does not answer \(ECONNREFUSED/);
  });

  it('waits until every node is Ready', async () => {
    nodes = [node('node-1', 'True')];
    const waiting = waitNodesReady(apiUrl, ['node-1', 'node-2'], { clock: realClock, deadlineMs: 10_000, intervalMs: 20 });
    let done = false;
    void waiting.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    nodes = [node('node-1', 'True'), node('node-2', 'True')];
    await waiting;
  });

  it('gives up at the deadline, or at once when a kubelet died', async () => {
    nodes = [node('node-1', 'Unknown', 'NodeStatusUnknown')];
    const clock = new FakeClock();
    const late = waitNodesReady(apiUrl, ['node-1'], { clock, deadlineMs: 5000, intervalMs: 1000 }).catch((e: unknown) => e);
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 20));
      clock.advance(1000);
    }
    const err = await late;
    expect(err).toBeInstanceOf(NodesNotReady);
    expect((err as Error).message).toBe('nodes not Ready after 5s: node-1 is NotReady (NodeStatusUnknown)');
    await expect(
      waitNodesReady(apiUrl, ['node-1'], { clock: realClock, deadlineMs: 10_000, failed: () => 'kubelet-node-1 exited with code 1' }),
    ).rejects.toThrow('kubelet-node-1 exited with code 1');
  });

  it('prints the nodes kubectl get nodes shows, without wide columns, the rest summed up', async () => {
    nodes = [node('node-1', 'True'), node('node-2', 'True'), node('sim-1', 'True'), node('sim-2', 'False')];
    const table = await nodesTable(apiUrl, (n) => n.startsWith('node-'));
    expect(table).toBe(['NAME     STATUS   ROLES', 'node-1   Ready    <none>', 'node-2   Ready    <none>', '+ 2 more: 1 Ready, 1 NotReady'].join('\n'));
    expect(await nodesTable(`http://127.0.0.1:${await freePort()}`, () => true)).toBeUndefined();
  });
});

describe('the node lines of kubemu status', () => {
  const rec = (name: string, component: string, nodeName?: string): ProcessRecord => ({
    name,
    component,
    ...(nodeName ? { node: nodeName } : {}),
    tier: 4,
    cmdline: [],
    logFile: '',
    health: { kind: 'nats', subject: '' },
  });
  const state: ClusterState = {
    version: STATE_VERSION,
    dataDir: '/d',
    startedAt: '',
    natsUrl: '',
    apiUrl: '',
    ports: { nats: 1, natsMonitor: 2, api: 3 },
    nodes: ['node-1', 'node-2'],
    simulatedNodes: 3,
    kubeconfig: '',
    processes: [
      rec('kubelet-node-1', 'kubelet', 'node-1'),
      rec('kubelet-node-2', 'kubelet', 'node-2'),
      rec('kubelet-sim', 'kubelet'),
      rec('kube-proxy-node-1', 'kube-proxy', 'node-1'),
      rec('kube-proxy-node-2', 'kube-proxy', 'node-2'),
    ],
  };
  const states = new Map<string, ProcessState>([
    ['kubelet-node-1', 'running'],
    ['kube-proxy-node-1', 'running'],
    ['kubelet-node-2', 'killed'],
    ['kube-proxy-node-2', 'killed'],
    ['kubelet-sim', 'running'],
  ]);

  it('shows each node’s Ready state beside its processes, and the simulated nodes as one line', () => {
    const views = new Map([
      ['node-1', nodeView(node('node-1', 'True'))],
      ['node-2', nodeView(node('node-2', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'))],
      ['sim-1', nodeView(node('sim-1', 'True'))],
      ['sim-2', nodeView(node('sim-2', 'True'))],
    ]);
    const { rows, allReady } = nodeRows(state, states, { ok: true, nodes: views });
    expect(allReady).toBe(false);
    expect(textTable(rows).split('\n')).toEqual([
      'NODE          STATUS      PROCESSES                                           WHY',
      'node-1        Ready       kubelet-node-1 running, kube-proxy-node-1 running',
      'node-2        NotReady    kubelet-node-2 killed, kube-proxy-node-2 killed     NodeStatusUnknown: Kubelet stopped posting node status.',
      'sim-1…sim-3   2/3 Ready   kubelet-sim running',
    ]);
  });

  it('shows ? for every node when the API does not answer', () => {
    const { rows, allReady } = nodeRows(state, states, { ok: false, unreachable: 'ECONNREFUSED' });
    expect(allReady).toBe(false);
    expect(rows.slice(1).map((r) => r[1])).toEqual(['?', '?', '?']);
  });
});
