/**
 * The agent (what the dashboard's buttons reach over NATS) and the control operations it shares
 * with `kubemu chaos`: the subjects and replies of the contract, bad bodies, one operation at a
 * time, the CLI's own commands run with their output captured and journalled with who acted, and
 * the agent's row in the component table.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../shared/api/errors.js';
import type { Bus, Handler } from '../../shared/nats/connection.js';
import { subjects } from '../../shared/nats/subjects.js';
import { realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { startAgent } from '../../services/kubemu/agent.js';
import { readChaos } from '../../services/kubemu/chaos-journal.js';
import { COMPONENTS, nodeNames, planCluster, type LaunchContext } from '../../services/kubemu/components.js';
import { runControl, type ControlOp, type ControlRequest, type ControlResult } from '../../services/kubemu/control.js';
import { isAlive } from '../../services/kubemu/process-identity.js';
import { writeState, type ProcessRecord } from '../../services/kubemu/state.js';
import { spawnProcess } from '../../services/kubemu/supervisor.js';
import { scratch } from '../support/scratch.js';
import { testClusterState } from '../support/cluster-state.js';

const { dir, pids } = scratch('kubemu-agent-');

/** Only what the agent uses of a Bus: serve, with the handlers kept for the test to call. */
class ServingBus {
  readonly handlers = new Map<string, Handler>();
  serve(subject: string, handler: Handler) {
    this.handlers.set(subject, handler);
    return { unsubscribe: () => this.handlers.delete(subject) };
  }
  call(subject: string, body: unknown): Promise<unknown> {
    const h = this.handlers.get(subject);
    if (!h) throw new Error(`nothing serves ${subject}`);
    return Promise.resolve(h(body, { subject }));
  }
}

function agentWith(run: (op: ControlOp, req: ControlRequest, by: string) => Promise<ControlResult>) {
  const bus = new ServingBus();
  const agent = startAgent({ bus: bus as unknown as Bus, clock: realClock, log: silentLogger(), root: dir, dataDir: dir, env: {}, run });
  return { bus, agent };
}

describe('the agent', () => {
  it('serves each operation and its health on the documented subjects', async () => {
    const { bus, agent } = agentWith(async () => ({ code: 0, lines: [] }));
    expect([...bus.handlers.keys()].sort()).toEqual(
      ['kill', 'start', 'restart', 'partition', 'heal', 'health'].map((op) => subjects.control('agent', op)).sort(),
    );
    expect(await bus.call(subjects.control('agent', 'health'), {})).toMatchObject({ ready: true, name: 'agent' });
    await agent.stop();
    expect(bus.handlers.size).toBe(0);
  });

  it('runs the operation for the body’s target and answers ok with what the command said', async () => {
    const calls: unknown[] = [];
    const { bus } = agentWith(async (op, req, by) => {
      calls.push([op, req, by]);
      return { code: 0, lines: ['  kubelet-node-2   cut from the bus (pid 7)', 'It heals itself in 10.0s'] };
    });
    const reply = await bus.call(subjects.control('agent', 'partition'), { target: 'node-2', forMs: 10_000, by: 'dashboard' });
    expect(reply).toEqual({ ok: true, message: 'kubelet-node-2   cut from the bus (pid 7)\nIt heals itself in 10.0s' });
    await bus.call(subjects.control('agent', 'kill'), { target: 'node-3' });
    expect(calls).toEqual([
      ['partition', { target: 'node-2', forMs: 10_000 }, 'dashboard'],
      ['kill', { target: 'node-3' }, 'agent'],
    ]);
  });

  it('answers BadRequest for a bad body or a target the command refuses, InternalError when the operation failed', async () => {
    const { bus } = agentWith(async (_op, req) =>
      req.target === 'nope' ? { code: 2, lines: ['"nope" is not part of this cluster; targets: node-1'] } : { code: 1, lines: ['node-2 not Ready after 60s'] },
    );
    for (const body of [undefined, [], { target: '' }, { target: '--help' }, { target: 'node-2', forMs: -1 }, { target: 'node-2', by: 'Evil One' }]) {
      const err = await bus.call(subjects.control('agent', 'kill'), body).catch((e) => e);
      expect(isStatusError(err, 'BadRequest'), JSON.stringify(body)).toBe(true);
    }
    const refused = (await bus.call(subjects.control('agent', 'kill'), { target: 'nope' }).catch((e) => e)) as Error;
    expect(isStatusError(refused, 'BadRequest')).toBe(true);
    expect(refused.message).toContain('not part of this cluster');
    const failed = (await bus.call(subjects.control('agent', 'start'), { target: 'node-2' }).catch((e) => e)) as Error;
    expect(isStatusError(failed, 'InternalError')).toBe(true);
    expect(failed.message).toContain('not Ready after 60s');
  });

  it('carries out one operation at a time, in the order they arrived', async () => {
    const log: string[] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const { bus } = agentWith(async (op, req) => {
      log.push(`begin ${op} ${req.target}`);
      if (op === 'kill') await first;
      log.push(`end ${op} ${req.target}`);
      return { code: 0, lines: [] };
    });
    const a = bus.call(subjects.control('agent', 'kill'), { target: 'node-1' });
    const b = bus.call(subjects.control('agent', 'start'), { target: 'node-2' });
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['begin kill node-1']);
    release();
    await Promise.all([a, b]);
    expect(log).toEqual(['begin kill node-1', 'end kill node-1', 'begin start node-2', 'end start node-2']);
  });
});

describe('control operations as the CLI runs them', () => {
  it('kills a node’s processes with the kill command, captures its output and journals who acted', async () => {
    const dataDir = mkdtempSync(join(dir, 'cluster-'));
    const records: ProcessRecord[] = [];
    for (const [name, component] of [
      ['kubelet-node-2', 'kubelet'],
      ['kube-proxy-node-2', 'kube-proxy'],
    ] as const) {
      const s = await spawnProcess(
        { name, component, node: 'node-2', tier: 4, file: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], health: { kind: 'http', url: 'http://127.0.0.1:1/' } },
        { clock: realClock, logFile: join(dataDir, `${name}.log`), cwd: dataDir, detach: false },
      );
      pids.push(s.record.pid);
      records.push(s.record);
    }
    writeState(dataDir, testClusterState(dataDir, records, { nodes: ['node-2'] }));
    const deps = { root: dir, dataDir, clock: realClock, env: {}, by: 'chaos' };
    const done = await runControl('kill', { target: 'node-2' }, deps);
    expect(done.code, done.lines.join('\n')).toBe(0);
    expect(done.lines.join('\n')).toMatch(/kubelet-node-2\s+killed \(SIGKILL/);
    for (const r of records) expect(isAlive(r.pid!)).toBe(false);
    expect(readChaos(dataDir).map((r) => [r.action, r.target, r.by, r.nodes])).toEqual([['kill', 'node-2', 'chaos', ['node-2']]]);

    const unknown = await runControl('kill', { target: 'node-9' }, deps);
    expect(unknown.code).toBe(2);
    expect(unknown.lines.join('\n')).toContain('"node-9" is not part of this cluster');
  });
});

describe('the agent in the component table', () => {
  it('starts as `kubemu agent --data-dir <dir>` from the CLI’s entry, after the api-server, checked by its health subject', () => {
    const ctx: LaunchContext = {
      root: '/repo',
      dev: false,
      nodeBin: '/usr/bin/node',
      natsBin: '/usr/sbin/nats-server',
      natsConfig: '/data/nats/nats-server.conf',
      ports: { nats: 14222, natsMonitor: 18222, api: 16443 },
      nodes: nodeNames(1),
      profile: 'default',
      runtime: 'process',
      standby: false,
      simulatedNodes: 0,
      nodesDir: '/data/nodes',
      networkSlot: 0,
    };
    const exists = (p: string) => ['store', 'api-server', 'kubemu'].some((c) => p === `/repo/dist/services/${c}/main.js`);
    const agent = planCluster(ctx, COMPONENTS, exists).launches.find((l) => l.name === 'agent');
    expect(agent).toMatchObject({ component: 'agent', tier: 3, health: { kind: 'nats', subject: subjects.control('agent', 'health') } });
    expect([agent?.file, ...(agent?.args ?? [])]).toEqual(['/usr/bin/node', '/repo/dist/services/kubemu/main.js', 'agent', '--data-dir', '/data', '--nats', 'nats://127.0.0.1:14222']);
  });
});
