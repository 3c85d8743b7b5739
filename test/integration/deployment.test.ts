/**
 * The Deployment controller against a real api-server (real nats-server, store process, api-server)
 * driven by the real kubectl: create, `rollout status` (its waiting lines and its verdict), `set
 * image`, `rollout history` (and `--revision`), `rollout undo` (and `--to-revision`), `rollout
 * pause|resume`, `scale deploy`, `get deploy`. The ReplicaSet controller's part is played by a
 * small controller in this file: every ReplicaSet reports `spec.replicas` pods, one more of them
 * available every 150 ms, so rollouts take visible steps without any pods or kubelets. While the
 * test holds availability back (`hold`), no pod becomes available: the rollout waits where the
 * test wants to look at it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../shared/api/apps.js';
import { controllerOf } from '../../shared/api/meta.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import { isStatusError } from '../../shared/api/errors.js';
import type { NatsApiClient } from '../../shared/client/nats-api-client.js';
import { Controller } from '../../shared/controller/controller.js';
import { realClock } from '../../shared/runtime/clock.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { PROFILES } from '../../shared/runtime/profile.js';
import { createContext } from '../../services/controller-manager/context.js';
import { HeartbeatTracker } from '../../services/controller-manager/heartbeats.js';
import { deploymentController } from '../../services/controller-manager/deployment/deployment-controller.js';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { KUBECTL } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { parseTable } from '../support/kubectl-output.js';

const DEPLOYMENTS = resourceByPlural('deployments');
const REPLICASETS = resourceByPlural('replicasets');
const STEP_MS = 150;

let c: ApiCluster;
let api: NatsApiClient;
let dir: string;
let kubeconfig: string;
const abort = new AbortController();
/** While true, no more pods become available (the rollout waits). */
let hold = false;

/** Plays the ReplicaSet controller: pods exist at once, become available one per STEP_MS. */
function fakeReplicaSetController(ctx: ReturnType<typeof createContext>): Controller {
  const informer = ctx.informer<ReplicaSet>(REPLICASETS);
  return new Controller({
    name: 'fake-replicaset',
    needLeaderElection: false,
    reconciler: {
      async reconcile(key) {
        const rs = informer.lister.get(key);
        if (!rs) return;
        const replicas = rs.spec.replicas ?? 1;
        const was = rs.status?.availableReplicas ?? 0;
        const available = Math.min(replicas, was < replicas && !hold ? was + 1 : was);
        const status = { replicas, fullyLabeledReplicas: replicas, readyReplicas: available, availableReplicas: available, observedGeneration: rs.metadata.generation };
        if (JSON.stringify(status) !== JSON.stringify(rs.status ?? {})) {
          try {
            await api.update<ReplicaSet>(REPLICASETS, { ...structuredClone(rs), status }, 'status');
          } catch (err) {
            if (!isStatusError(err, 'Conflict') && !isStatusError(err, 'NotFound')) throw err;
          }
        }
        return available !== replicas ? { requeueAfterMs: STEP_MS } : undefined;
      },
    },
  }).watch(informer);
}

function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** A kubectl left running (`rollout status`), whose output so far can be read while it waits. */
function kubectlRunning(args: string[]): { output: () => string; done: Promise<number> } {
  let out = '';
  const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return { output: () => out, done };
}

/** Runs `rollout status` while availability is held, waits for `line`, then lets the rollout finish. */
async function watchRollout(name: string, line: string): Promise<string> {
  const status = kubectlRunning(['rollout', 'status', `deployment/${name}`, '--timeout=60s']);
  try {
    await eventually(() => expect(status.output()).toContain(line), { timeoutMs: 20_000 });
  } finally {
    hold = false;
  }
  expect(await status.done).toBe(0);
  return status.output();
}

const manifest = (name: string, image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: ${name}
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
    type: RollingUpdate
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - image: ${image}
        name: nodejs
`;

async function replicaSets(name: string): Promise<ReplicaSet[]> {
  const d = await api.get<Deployment>(DEPLOYMENTS, 'default', name);
  const all = await api.list<ReplicaSet>(REPLICASETS, 'default');
  const rev = (rs: ReplicaSet) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  return all.items.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid).sort((a, b) => rev(a) - rev(b));
}

const summary = (rss: ReplicaSet[]) => rss.map((rs) => [rs.spec.template?.spec.containers[0].image, rs.spec.replicas, rs.metadata.annotations?.['deployment.kubernetes.io/revision']]);

beforeAll(async () => {
  c = await startApiCluster();
  api = c.client('deployment-test');
  dir = mkdtempSync(join(tmpdir(), 'kubemu-deployment-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: ${c.baseUrl}\ncontexts:\n- name: t\n  context:\n    cluster: t\n    namespace: default\ncurrent-context: t\nusers: []\n`);
  const ctx = createContext({ api, clock: realClock, log: silentLogger(), profile: PROFILES.default, heartbeats: new HeartbeatTracker(realClock) });
  void deploymentController(ctx).run(abort.signal);
  void fakeReplicaSetController(ctx).run(abort.signal);
  ctx.informers.start(abort.signal);
  await ctx.informers.waitForSync();
});

afterAll(async () => {
  abort.abort();
  await c?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Deployments with the real kubectl', () => {
  it('creates, waits in rollout status, and reports success as kubectl reads it', async () => {
    hold = true;
    expect((await kubectl(['create', '-f', '-'], manifest('kubia', 'luksa/kubia:v1'))).stdout).toBe('deployment.apps/kubia created\n');
    const out = await watchRollout('kubia', 'Waiting for deployment "kubia" rollout to finish: 0 of 3 updated replicas are available...\n');
    expect(out.trim().split('\n').at(-1)).toBe('deployment "kubia" successfully rolled out');
    const table = parseTable((await kubectl(['get', 'deploy', 'kubia'])).stdout);
    expect(table.rows[0]).toMatchObject({ NAME: 'kubia', READY: '3/3', 'UP-TO-DATE': '3', AVAILABLE: '3' });
    const [rs] = await replicaSets('kubia');
    expect(rs.metadata.name).toMatch(/^kubia-[4-9bcdf]+$/);
    const rsTable = parseTable((await kubectl(['get', 'rs', '-l', 'app=kubia'])).stdout);
    expect(rsTable.rows.map((r) => [r.NAME, r.DESIRED, r.CURRENT, r.READY])).toEqual([[rs.metadata.name, '3', '3', '3']]);
  });

  it('rolls out `set image` step by step, one surge pod at a time, and records the history', async () => {
    hold = true;
    expect((await kubectl(['set', 'image', 'deployment/kubia', 'nodejs=luksa/kubia:v2'])).stdout).toBe('deployment.apps/kubia image updated\n');
    // maxSurge 1, maxUnavailable 0: one new pod, and nothing else until it is available.
    const out = await watchRollout('kubia', 'Waiting for deployment "kubia" rollout to finish: 1 out of 3 new replicas have been updated...\n');
    expect(out).toContain('deployment "kubia" successfully rolled out');
    expect(summary(await replicaSets('kubia'))).toEqual([
      ['luksa/kubia:v1', 0, '1'],
      ['luksa/kubia:v2', 3, '2'],
    ]);
    expect((await kubectl(['annotate', 'deployment/kubia', 'kubernetes.io/change-cause=image v2'])).code).toBe(0);
    await eventually(async () => expect((await replicaSets('kubia'))[1].metadata.annotations?.['kubernetes.io/change-cause']).toBe('image v2'));
    const history = await kubectl(['rollout', 'history', 'deployment/kubia']);
    expect(history.stdout).toMatch(/^deployment\.apps\/kubia \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+image v2\n/);
    const one = await kubectl(['rollout', 'history', 'deployment/kubia', '--revision=1']);
    expect(one.stdout).toContain('deployment.apps/kubia with revision #1');
    expect(one.stdout).toMatch(/Image:\s+luksa\/kubia:v1/);
    const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=kubia,reason=ScalingReplicaSet', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
    expect(events.stdout).toMatch(/Scaled up replica set kubia-\w+ to 1 from 0/);
    expect(events.stdout).toMatch(/Scaled down replica set kubia-\w+ to 0 from 1/);
  });

  it('rollout undo goes back to the previous template, and --to-revision to a chosen one', async () => {
    const undo = await kubectl(['rollout', 'undo', 'deployment/kubia']);
    expect(undo.stdout).toBe('deployment.apps/kubia rolled back\n');
    expect((await kubectl(['rollout', 'status', 'deployment/kubia', '--timeout=30s'])).code).toBe(0);
    expect(summary(await replicaSets('kubia'))).toEqual([
      ['luksa/kubia:v2', 0, '2'],
      ['luksa/kubia:v1', 3, '3'],
    ]);
    const history = await kubectl(['rollout', 'history', 'deployment/kubia']);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+image v2\n3\s+<none>\n/);
    expect((await kubectl(['rollout', 'undo', 'deployment/kubia', '--to-revision=2'])).code).toBe(0);
    expect((await kubectl(['rollout', 'status', 'deployment/kubia', '--timeout=30s'])).code).toBe(0);
    const d = await api.get<Deployment>(DEPLOYMENTS, 'default', 'kubia');
    expect(d.spec.template.spec.containers[0].image).toBe('luksa/kubia:v2');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('4');
    const missing = await kubectl(['rollout', 'undo', 'deployment/kubia', '--to-revision=9']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('unable to find specified revision 9 in history');
  });

  it('pause holds a rollout while scaling still applies; resume rolls it out at the new size', async () => {
    expect((await kubectl(['rollout', 'pause', 'deployment/kubia'])).stdout).toBe('deployment.apps/kubia paused\n');
    expect((await kubectl(['set', 'image', 'deployment/kubia', 'nodejs=luksa/kubia:v3'])).code).toBe(0);
    expect((await kubectl(['scale', 'deploy', 'kubia', '--replicas=4'])).stdout).toBe('deployment.apps/kubia scaled\n');
    await eventually(async () => {
      const d = await api.get<Deployment>(DEPLOYMENTS, 'default', 'kubia');
      expect(d.status?.conditions?.find((x) => x.type === 'Progressing')?.reason).toBe('DeploymentPaused');
      expect(summary(await replicaSets('kubia')).map(([img, n]) => [img, n])).toEqual([
        ['luksa/kubia:v1', 0],
        ['luksa/kubia:v2', 4],
      ]);
    });
    expect((await kubectl(['rollout', 'undo', 'deployment/kubia'])).stderr).toContain('you cannot rollback a paused deployment');
    expect((await kubectl(['rollout', 'resume', 'deployment/kubia'])).stdout).toBe('deployment.apps/kubia resumed\n');
    expect((await kubectl(['rollout', 'status', 'deployment/kubia', '--timeout=30s'])).code).toBe(0);
    expect(summary(await replicaSets('kubia')).at(-1)).toEqual(['luksa/kubia:v3', 4, '5']);
    const table = parseTable((await kubectl(['get', 'deploy', 'kubia'])).stdout);
    expect(table.rows[0]).toMatchObject({ READY: '4/4', 'UP-TO-DATE': '4', AVAILABLE: '4' });
  });

  it('reports a rollout that makes no progress within its deadline, and rollout status fails on it', async () => {
    hold = true;
    const stuck = manifest('stuck', 'luksa/kubia:v1').replace('  replicas: 3\n', '  replicas: 3\n  progressDeadlineSeconds: 2\n');
    expect((await kubectl(['create', '-f', '-'], stuck)).code).toBe(0);
    const status = await kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=30s']);
    hold = false;
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
    const d = await api.get<Deployment>(DEPLOYMENTS, 'default', 'stuck');
    expect(d.status?.conditions?.find((x) => x.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
  });
});
