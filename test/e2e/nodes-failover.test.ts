/**
 * Leader election with the real processes: `kubemu up --standby` runs a second scheduler and
 * controller-manager; the leader of each is found from its Lease in kube-system (holderIdentity) and
 * `kubemu status`, SIGKILLed with `kubemu kill`, and the standby must take the Lease within seconds
 * and do the work: new pods still get scheduled, and a node killed after the controller-manager's
 * leader still turns NotReady and has its pods evicted.
 *
 * The nodes use the simulated runtime: what is tested is the control plane, and simulated pods keep
 * the machine's two cores for the schedulers and controller-managers being killed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectlOk } from '../support/kubectl-ok.js';
import { describedEvents } from '../support/kubectl-events.js';
import { parseTable, row } from '../support/kubectl-output.js';

/** The process name in a controller-manager's identity (`<host>_<process name>_<random>`). */
function controllerManagerProcess(identity: string): string {
  const m = /^.+_(controller-manager(?:-2)?)_[0-9a-f]+$/.exec(identity);
  if (!m) throw new Error(`not a kubemu controller-manager identity: ${identity}`);
  return m[1]!;
}

describe('a standby scheduler and controller-manager take over when the leader is killed', { timeout: 120_000 }, () => {
  let c: E2ECluster;
  const timings: string[] = [];

  beforeAll(async () => {
    c = await startCluster({ nodes: 2, extraArgs: ['--standby', '--runtime', 'simulated'] });
  }, 180_000);
  afterAll(async () => {
    if (timings.length) console.log(`failover: ${timings.join('; ')}`);
    await c?.down();
  });

  const ok = (args: string[], input?: string): Promise<string> => kubectlOk(c, args, input);
  const lease = async (name: string): Promise<any> => JSON.parse(await ok(['get', 'lease', name, '-n', 'kube-system', '-o', 'json']));
  const statusLine = (out: string, name: string): string[] => {
    const line = out.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no ${name} in kubemu status:\n${out}`);
    return line.trim().split(/\s+/);
  };
  /** kubectl get <pod>'s row once it is Running. */
  const runningRow = (pod: string) =>
    eventually(
      async () => {
        const r = row(parseTable(await ok(['get', 'po', pod, '-o', 'wide'])), pod);
        expect(r.STATUS).toBe('Running');
        return r;
      },
      { timeoutMs: 30_000, intervalMs: 250, message: `${pod} did not run` },
    );

  it('kubemu up --standby runs two schedulers and two controller-managers, and one of each holds its Lease', async () => {
    const status = (await c.kubemu(['status'])).stdout;
    for (const name of ['scheduler', 'scheduler-2', 'controller-manager', 'controller-manager-2']) {
      expect(statusLine(status, name).slice(2, 4), name).toEqual(['running', 'ok']);
    }
    const t = parseTable(await ok(['get', 'lease', '-n', 'kube-system']));
    expect(t.headers).toEqual(['NAME', 'HOLDER', 'AGE']);
    expect(['scheduler', 'scheduler-2']).toContain(row(t, 'kube-scheduler').HOLDER);
    expect(['controller-manager', 'controller-manager-2']).toContain(controllerManagerProcess(row(t, 'kube-controller-manager').HOLDER!));
  });

  it('killing the leading scheduler: the standby takes the Lease within seconds and pods are still scheduled', async () => {
    const before = (await lease('kube-scheduler')).spec;
    const leader = before.holderIdentity as string;
    const standby = leader === 'scheduler' ? 'scheduler-2' : 'scheduler';
    expect(statusLine((await c.kubemu(['status'])).stdout, leader)[2]).toBe('running');

    const kill = await c.kubemu(['kill', leader]);
    // kubemu kill returns once the process is dead: the standby's clock starts here.
    const killedAt = Date.now();
    expect(kill.code, kill.stderr).toBe(0);
    expect(kill.stdout).toMatch(new RegExp(`^\\s+${leader}\\s+killed \\(SIGKILL, pid \\d+\\)$`, 'm'));
    expect(kill.stdout).toContain(`${standby} stands by: it takes the lead within ~4s if the killed one led.`);
    expect(await ok(['run', 'after-scheduler-kill', '--image=luksa/kubia'])).toBe('pod/after-scheduler-kill created\n');

    const after = await eventually(
      async () => {
        const spec = (await lease('kube-scheduler')).spec;
        expect(spec.holderIdentity).toBe(standby);
        return spec;
      },
      { timeoutMs: 20_000, intervalMs: 250, message: `${standby} did not take the kube-scheduler Lease` },
    );
    const tookOver = Date.now() - killedAt;
    timings.push(`${standby} held kube-scheduler ${(tookOver / 1000).toFixed(1)} s after the kill`);
    // The lease lasts 4 s (default profile), retried every second: about 5 s, more on a busy machine.
    expect(tookOver).toBeLessThan(15_000);
    expect(after.leaseTransitions).toBeGreaterThan(before.leaseTransitions ?? 0);

    const r = await runningRow('after-scheduler-kill');
    expect(['node-1', 'node-2']).toContain(r.NODE);
    const scheduled = describedEvents(await ok(['describe', 'po', 'after-scheduler-kill'])).find((e) => e.reason === 'Scheduled');
    expect(scheduled).toMatchObject({ from: 'default-scheduler', message: `Successfully assigned default/after-scheduler-kill to ${r.NODE}` });
    expect(statusLine((await c.kubemu(['status'])).stdout, leader)[2]).toBe('killed');
  });

  it('killing the leading controller-manager: the standby takes over, and a killed node still turns NotReady and loses its pods', async () => {
    const pinned = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'on-node-2' },
      spec: { nodeSelector: { 'kubernetes.io/hostname': 'node-2' }, containers: [{ name: 'kubia', image: 'luksa/kubia' }] },
    });
    expect(await ok(['create', '-f', '-'], pinned)).toBe('pod/on-node-2 created\n');
    expect((await runningRow('on-node-2')).NODE).toBe('node-2');

    const leader = controllerManagerProcess((await lease('kube-controller-manager')).spec.holderIdentity);
    const standby = leader === 'controller-manager' ? 'controller-manager-2' : 'controller-manager';
    const kill = await c.kubemu(['kill', leader]);
    const killedAt = Date.now();
    expect(kill.code, kill.stderr).toBe(0);
    expect(kill.stdout).toMatch(new RegExp(`^\\s+${leader}\\s+killed \\(SIGKILL, pid \\d+\\)$`, 'm'));
    const node = await c.kubemu(['kill', 'node-2']);
    expect(node.code, node.stderr).toBe(0);

    await eventually(
      async () => expect(controllerManagerProcess((await lease('kube-controller-manager')).spec.holderIdentity)).toBe(standby),
      { timeoutMs: 20_000, intervalMs: 250, message: `${standby} did not take the kube-controller-manager Lease` },
    );
    timings.push(`${standby} held kube-controller-manager ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
    await eventually(async () => expect(row(parseTable(await ok(['get', 'nodes'])), 'node-2').STATUS).toBe('NotReady'), {
      timeoutMs: 30_000,
      intervalMs: 250,
      message: 'node-2 did not turn NotReady under the new leader',
    });
    timings.push(`node-2 NotReady ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the controller-manager kill`);
    expect(row(parseTable(await ok(['get', 'nodes'])), 'node-1').STATUS).toBe('Ready');
    await eventually(async () => expect(row(parseTable(await ok(['get', 'po', 'on-node-2'])), 'on-node-2').STATUS).toBe('Terminating'), {
      timeoutMs: 15_000,
      intervalMs: 250,
      message: "node-2's pod was not evicted under the new leader",
    });
  });
});
