/**
 * Deployments on a whole cluster (3 nodes, process runtime, compiled launcher) with the real kubectl,
 * the study notes' way: kubia behind a Service, readiness probes, maxSurge 1 / maxUnavailable 0 and
 * minReadySeconds, a steady request loop to the Service's address (its ClusterIP, a real loopback
 * address kube-proxy serves; what is measured is the rollout, not the load balancer).
 *
 * - `set image` v1 → v2 rolls the pods over with zero failed requests; answers move from
 *   "You've hit kubia-…" to "This is v2 running in pod kubia-…"; `rollout status` waits, then says
 *   it rolled out; `rollout history` lists both revisions;
 * - `rollout undo` brings v1 back, again without a failed request;
 * - a bad version (v3: 500s from its fifth request on) is held back by its readiness probe once
 *   `minReadySeconds` is 10 (patched in, as the notes do): the rollout stays at one new pod, which
 *   leaves the Service when it turns unready, is reported as not progressing after its deadline,
 *   and `rollout undo` aborts it;
 * - `kubectl scale deploy` resizes; pods carry the `pod-template-hash` of their ReplicaSet;
 * - `rollout pause` holds a template change, `rollout resume` rolls it out, `rollout history
 *   --revision` shows a revision's template, `rollout undo --to-revision` goes back to it.
 *
 * The tests run in order on one cluster: each step starts from the state the previous one left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { tryHttpGet } from '../support/http.js';
import { parseTable } from '../support/kubectl-output.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubia
spec:
  replicas: 3
  minReadySeconds: 2
  progressDeadlineSeconds: 20
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
    type: RollingUpdate
  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      name: kubia
      labels:
        app: kubia
    spec:
      containers:
      - image: luksa/kubia:v1
        name: nodejs
        readinessProbe:
          periodSeconds: 1
          httpGet:
            path: /
            port: 8080
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  selector:
    app: kubia
  ports:
  - port: 80
    targetPort: 8080
`;

/** Sequential GETs to the Service until stopped; every answer and every failure is kept. */
class RequestLoop {
  readonly answers: string[] = [];
  readonly failures: string[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(host: string, port: number) {
    this.done = (async () => {
      while (this.running) {
        const r = await tryHttpGet(host, port, '/', 3000);
        if ('error' in r) this.failures.push(r.error);
        else if (r.status !== 200) this.failures.push(`${r.status} ${r.body.trim()}`);
        else this.answers.push(r.body.trim());
      }
    })();
  }

  async stop(): Promise<this> {
    this.running = false;
    await this.done;
    return this;
  }
}

/**
 * The message of a zero-failure assertion. A reset connection means a pod died with a request in
 * flight: in Kubernetes the book's kubia runs as PID 1 of its container and ignores SIGTERM, so an old
 * pod keeps serving through its grace period while the endpoints drop it; a runtime in which it dies
 * on SIGTERM at once loses the requests in flight at that instant (about one per old pod).
 */
function failedRequests(loop: RequestLoop): string {
  return `${loop.failures.length} of ${loop.failures.length + loop.answers.length} requests through the Service failed during the rollout`;
}

describe('Deployment rollouts with the real kubectl, behind a Service, under load', () => {
  let c: E2ECluster;
  let ip = '';

  beforeAll(async () => {
    c = await startCluster({ nodes: 3 });
  }, 180_000);
  afterAll(async () => {
    await c?.down();
  });

  const ok = async (args: string[], input?: string, timeoutMs?: number): Promise<string> => {
    const r = await c.kubectl(args, { ...(input === undefined ? {} : { input }), ...(timeoutMs ? { timeoutMs } : {}) });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const rolloutStatus = (): Promise<string> => ok(['rollout', 'status', 'deployment', 'kubia', '--timeout=120s'], undefined, 130_000);
  const answersFrom = async (n: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await tryHttpGet(ip, 80);
      out.push('error' in r ? r.error : r.body.trim());
    }
    return out;
  };

  it('runs kubia v1 as a Deployment: one ReplicaSet, three Ready pods labelled with its hash, answering through the Service', async () => {
    expect(await ok(['create', '-f', '-'], DEPLOYMENT)).toBe('deployment.apps/kubia created\n');
    expect(await ok(['create', '-f', '-'], SERVICE)).toBe('service/kubia created\n');
    expect(await rolloutStatus()).toContain('deployment "kubia" successfully rolled out');
    const rs = parseTable(await ok(['get', 'rs']));
    expect(rs.rows).toHaveLength(1);
    const rsName = rs.rows[0].NAME;
    expect(rs.rows[0]).toMatchObject({ DESIRED: '3', CURRENT: '3', READY: '3' });
    const hash = rsName.slice('kubia-'.length);
    const pods = parseTable(await ok(['get', 'po', '-L', 'pod-template-hash']));
    expect(pods.rows).toHaveLength(3);
    for (const p of pods.rows) {
      expect(p.NAME.startsWith(`${rsName}-`)).toBe(true);
      expect(p['POD-TEMPLATE-HASH']).toBe(hash);
    }
    expect(new Set(pods.rows.map((p) => p.STATUS))).toEqual(new Set(['Running']));
    ip = parseTable(await ok(['get', 'svc', 'kubia'])).rows[0]['CLUSTER-IP'];
    expect(ip).toMatch(/^127\./);
    await eventually(async () => expect(new Set(await answersFrom(9))).toEqual(new Set(pods.rows.map((p) => `You've hit ${p.NAME}`))), { timeoutMs: 30_000 });
  }, 180_000);

  it('rolls v1 → v2 with `kubectl set image` and not one failed request', async () => {
    const loop = new RequestLoop(ip, 80);
    expect(await ok(['set', 'image', 'deployment', 'kubia', 'nodejs=luksa/kubia:v2'])).toBe('deployment.apps/kubia image updated\n');
    const status = await rolloutStatus();
    expect(status).toMatch(/Waiting for deployment "kubia" rollout to finish: \d out of 3 new replicas have been updated\.\.\./);
    expect(status).toContain('deployment "kubia" successfully rolled out');
    await eventually(async () => expect((await answersFrom(6)).every((a) => a.startsWith('This is v2 running in pod kubia-'))).toBe(true), { timeoutMs: 30_000 });
    await loop.stop();
    expect(loop.failures, failedRequests(loop)).toEqual([]);
    expect(loop.answers.some((a) => a.startsWith("You've hit kubia-"))).toBe(true);
    expect(loop.answers.some((a) => a.startsWith('This is v2 running in pod kubia-'))).toBe(true);
    const history = await ok(['rollout', 'history', 'deployment', 'kubia']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    const rs = parseTable(await ok(['get', 'rs']));
    expect(rs.rows.map((r) => r.DESIRED).sort()).toEqual(['0', '3']);
    const events = await ok(['describe', 'deployment', 'kubia']);
    expect(events).toMatch(/ScalingReplicaSet\s+.*Scaled up replica set kubia-\w+ to 1 from 0/);
  }, 180_000);

  it('`kubectl rollout undo` brings v1 back, again without a failed request', async () => {
    const loop = new RequestLoop(ip, 80);
    expect(await ok(['rollout', 'undo', 'deployment', 'kubia'])).toBe('deployment.apps/kubia rolled back\n');
    expect(await rolloutStatus()).toContain('deployment "kubia" successfully rolled out');
    await eventually(async () => expect((await answersFrom(6)).every((a) => a.startsWith("You've hit kubia-"))).toBe(true), { timeoutMs: 30_000 });
    await loop.stop();
    expect(loop.failures, failedRequests(loop)).toEqual([]);
    const history = await ok(['rollout', 'history', 'deployment', 'kubia']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
  }, 180_000);

  it('holds a bad version (v3) back by its readiness probe, reports the missed deadline, and `rollout undo` aborts it', async () => {
    // As the notes do: a pod must stay ready 10 s to count as available, longer than v3 stays ready.
    expect(await ok(['patch', 'deployment', 'kubia', '-p', '{"spec": {"minReadySeconds": 10}}'])).toBe('deployment.apps/kubia patched\n');
    const loop = new RequestLoop(ip, 80);
    expect((await ok(['set', 'image', 'deployment', 'kubia', 'nodejs=luksa/kubia:v3'])).trim()).toBe('deployment.apps/kubia image updated');
    const stuck = await c.kubectl(['rollout', 'status', 'deployment', 'kubia', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(stuck.code).not.toBe(0);
    expect(stuck.stderr).toContain('deployment "kubia" exceeded its progress deadline');
    const describe = await ok(['describe', 'deployment', 'kubia']);
    expect(describe).toMatch(/Progressing\s+False\s+ProgressDeadlineExceeded/);
    const rs = parseTable(await ok(['get', 'rs']));
    expect(rs.rows.map((r) => r.DESIRED).sort()).toEqual(['0', '1', '3']); // one v3 pod, never available: the rollout went no further
    expect(await ok(['rollout', 'undo', 'deployment', 'kubia'])).toBe('deployment.apps/kubia rolled back\n');
    expect(await rolloutStatus()).toContain('deployment "kubia" successfully rolled out');
    await loop.stop();
    // v3 answers 500 from its fifth request on; its readiness probe takes it out of the Service first.
    const v3 = loop.answers.filter((a) => a.startsWith('This is v3'));
    expect(v3.length).toBeLessThanOrEqual(4);
    expect(loop.failures.filter((f) => !f.startsWith('500'))).toEqual([]);
    expect(parseTable(await ok(['get', 'rs'])).rows.map((r) => r.DESIRED).sort()).toEqual(['0', '0', '3']);
    expect(await ok(['patch', 'deployment', 'kubia', '-p', '{"spec": {"minReadySeconds": 2}}'])).toBe('deployment.apps/kubia patched\n');
  }, 180_000);

  it('`kubectl scale deploy` resizes the current ReplicaSet', async () => {
    expect(await ok(['scale', 'deploy', 'kubia', '--replicas=4'])).toBe('deployment.apps/kubia scaled\n');
    await eventually(async () => {
      const d = parseTable(await ok(['get', 'deploy', 'kubia'])).rows[0];
      expect(d).toMatchObject({ READY: '4/4', 'UP-TO-DATE': '4', AVAILABLE: '4' });
    }, { timeoutMs: 60_000 });
    expect(parseTable(await ok(['get', 'rs'])).rows.map((r) => r.DESIRED).sort()).toEqual(['0', '0', '4']);
  }, 180_000);

  it('`rollout pause` holds a `set image` (no new ReplicaSet), `rollout resume` rolls it out; `undo --to-revision` picks a revision from the history', async () => {
    const rsNames = async () => parseTable(await ok(['get', 'rs'])).rows.map((r) => r.NAME).sort();
    const before = await rsNames();
    expect(await ok(['rollout', 'pause', 'deployment', 'kubia'])).toBe('deployment.apps/kubia paused\n');
    expect(await ok(['set', 'image', 'deployment', 'kubia', 'nodejs=luksa/kubia:v2'])).toBe('deployment.apps/kubia image updated\n');
    await eventually(async () => {
      const d = JSON.parse(await ok(['get', 'deploy', 'kubia', '-o', 'json'])) as { metadata: { generation: number }; status: { observedGeneration: number } };
      expect(d.status.observedGeneration).toBe(d.metadata.generation);
    }, { timeoutMs: 30_000 });
    expect(await ok(['describe', 'deployment', 'kubia'])).toMatch(/Progressing\s+Unknown\s+DeploymentPaused/);
    expect(await rsNames()).toEqual(before);
    expect(await ok(['rollout', 'resume', 'deployment', 'kubia'])).toBe('deployment.apps/kubia resumed\n');
    expect(await rolloutStatus()).toContain('deployment "kubia" successfully rolled out');
    // Revisions so far: 1 v1, 2 v2, 3 v1 (undo), 4 v3, 5 v1 (undo), 6 v2 (this rollout, reusing v2's ReplicaSet).
    const history = await ok(['rollout', 'history', 'deployment', 'kubia']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n4\s+<none>\n5\s+<none>\n6\s+<none>\n/);
    expect(await ok(['rollout', 'history', 'deployment', 'kubia', '--revision=4'])).toMatch(/Image:\s+luksa\/kubia:v3/);
    expect(await ok(['rollout', 'undo', 'deployment', 'kubia', '--to-revision=5'])).toBe('deployment.apps/kubia rolled back\n');
    expect(await rolloutStatus()).toContain('deployment "kubia" successfully rolled out');
    const d = JSON.parse(await ok(['get', 'deploy', 'kubia', '-o', 'json'])) as { metadata: { annotations: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
    expect([d.spec.template.spec.containers[0].image, d.spec.replicas, d.metadata.annotations['deployment.kubernetes.io/revision']]).toEqual(['luksa/kubia:v1', 4, '7']);
  }, 180_000);
});
