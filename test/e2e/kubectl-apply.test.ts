/**
 * Declarative and generated objects with the real kubectl: `create -f` / `apply -f` of the notes'
 * manifests, re-applying a changed file (`configured`, then `unchanged`), apply onto an object made
 * by `create` (kubectl's warning), the pod update rule, `scale rc`, the typed generators (`create
 * configmap|secret|deployment|service clusterip`, which kubectl 1.32 sends as protobuf), `get all`
 * and `delete all --all` (after which the `kubernetes` service comes back).
 *
 * No controller-manager or kubelet runs, so RCs and Deployments have no pods and nothing is ready;
 * the assertions only pin what the API itself decides (DESIRED, READY 0).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { column, parseTable, parseTables, row } from '../support/kubectl-output.js';

const M = 'test/fixtures/manifests';

describe('kubectl create -f, apply -f, scale, generators, get all, delete all', () => {
  let c: E2ECluster;
  let tmp: string;
  beforeAll(async () => {
    c = await startCluster({ nodes: 0 });
    tmp = mkdtempSync(join(tmpdir(), 'kubemu-apply-'));
  }, 180_000);
  afterAll(async () => {
    await c?.down();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** A copy of a fixture with some text replaced, written where kubectl can read it. */
  const edited = (fixture: string, edits: [string, string][]): string => {
    let text = readFileSync(join(M, fixture), 'utf8');
    for (const [from, to] of edits) {
      if (!text.includes(from)) throw new Error(`${fixture} has no ${JSON.stringify(from)}`);
      text = text.replace(from, to);
    }
    const path = join(tmp, fixture);
    writeFileSync(path, text);
    return path;
  };

  it('create -f makes a replication controller from the notes', async () => {
    const r = await c.kubectl(['create', '-f', `${M}/rc.yaml`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('replicationcontroller/kubia created\n');
    const t = parseTable((await c.kubectl(['get', 'rc', '-o', 'wide'])).stdout);
    expect(t.headers).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(row(t, 'kubia')).toMatchObject({ DESIRED: '3', READY: '0', CONTAINERS: 'kubia', IMAGES: 'luksa/kubia', SELECTOR: 'app=kubia' });
    expect(row(t, 'kubia').CURRENT).toMatch(/^\d+$/);
  });

  it('scale rc changes the desired replicas', async () => {
    const up = await c.kubectl(['scale', 'rc', 'kubia', '--replicas=5']);
    expect(up.stdout).toBe('replicationcontroller/kubia scaled\n');
    expect(row(parseTable((await c.kubectl(['get', 'rc'])).stdout), 'kubia').DESIRED).toBe('5');
    const r = await c.kubectl(['scale', 'rc', 'kubia', '--replicas=3']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('replicationcontroller/kubia scaled\n');
    const t = parseTable((await c.kubectl(['get', 'rc'])).stdout);
    expect(t.headers).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(row(t, 'kubia').DESIRED).toBe('3');
    expect(JSON.parse((await c.kubectl(['get', 'rc', 'kubia', '-o', 'json'])).stdout).spec.replicas).toBe(3);
  });

  it('apply -f onto an object made by create warns about the missing annotation, then configures it', async () => {
    const r = await c.kubectl(['apply', '-f', `${M}/rc.yaml`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: resource replicationcontrollers/kubia is missing the kubectl.kubernetes.io/last-applied-configuration annotation');
    expect(r.stdout).toBe('replicationcontroller/kubia configured\n');
    const again = await c.kubectl(['apply', '-f', `${M}/rc.yaml`]);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe('replicationcontroller/kubia unchanged\n');
  });

  it('apply -f creates a deployment, leaves it unchanged, then configures it from a changed file', async () => {
    const created = await c.kubectl(['apply', '-f', `${M}/deploy.yaml`]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('deployment.apps/x created\n');
    const same = await c.kubectl(['apply', '-f', `${M}/deploy.yaml`]);
    expect(same.stdout).toBe('deployment.apps/x unchanged\n');

    const changed = edited('deploy.yaml', [
      ['replicas: 1', 'replicas: 2'],
      ['image: luksa/kubia', 'image: luksa/kubia:v2'],
    ]);
    const configured = await c.kubectl(['apply', '-f', changed]);
    expect(configured.stderr).toBe('');
    expect(configured.stdout).toBe('deployment.apps/x configured\n');
    const unchanged = await c.kubectl(['apply', '-f', changed]);
    expect(unchanged.stdout).toBe('deployment.apps/x unchanged\n');

    const t = parseTable((await c.kubectl(['get', 'deploy', '-o', 'wide'])).stdout);
    expect(t.headers).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(row(t, 'x')).toMatchObject({ READY: '0/2', AVAILABLE: '0', CONTAINERS: 'x', IMAGES: 'luksa/kubia:v2', SELECTOR: 'app=x' });
    const d = JSON.parse((await c.kubectl(['get', 'deploy', 'x', '-o', 'json'])).stdout);
    const last = JSON.parse(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    expect(last.spec.template.spec.containers[0].image).toBe('luksa/kubia:v2');
    expect(d.metadata.generation).toBe(2);
  });

  it('apply -f of a pod, then a changed file adding labels: configured, then unchanged', async () => {
    expect((await c.kubectl(['apply', '-f', `${M}/kubia-manual.yaml`])).stdout).toBe('pod/kubia-manual created\n');
    const labelled = edited('kubia-manual.yaml', [['  name: kubia-manual\n', '  name: kubia-manual\n  labels:\n    env: prod\n']]);
    const r = await c.kubectl(['apply', '-f', labelled]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/kubia-manual configured\n');
    expect((await c.kubectl(['apply', '-f', labelled])).stdout).toBe('pod/kubia-manual unchanged\n');
    expect(row(parseTable((await c.kubectl(['get', 'po', '--show-labels'])).stdout), 'kubia-manual').LABELS).toBe('env=prod');
  });

  it('apply -f that changes a pod container port is refused: pod specs are immutable but for a few fields', async () => {
    const r = await c.kubectl(['apply', '-f', `${M}/kubia-manual-mod.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^The Pod "kubia-manual" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/m);
    const pod = JSON.parse((await c.kubectl(['get', 'po', 'kubia-manual', '-o', 'json'])).stdout);
    expect(pod.spec.containers[0].ports[0].containerPort).toBe(8080);
  });

  it('create -f of a kind: List with default validation creates every item; an unknown field in an item is refused', async () => {
    const list = (cm: string, secret: string, extra = ''): string => {
      const path = join(tmp, `${cm}.yaml`);
      writeFileSync(
        path,
        `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: ${cm}\n${extra}  data:\n    a: "1"\n` +
          `- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: ${secret}\n  stringData:\n    password: s3cret\n`,
      );
      return path;
    };
    const r = await c.kubectl(['create', '-f', list('from-list-a', 'from-list-secret')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('configmap/from-list-a created\nsecret/from-list-secret created\n');
    expect((await c.kubectl(['get', 'cm', 'from-list-a', '-o', 'jsonpath={.data.a}'])).stdout).toBe('1');
    const refused = await c.kubectl(['create', '-f', list('from-list-b', 'from-list-secret-2', '  bogus: 1\n')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/unknown field "bogus"/);
    expect((await c.kubectl(['get', 'cm', 'from-list-b'])).code).toBe(1);
  });

  it('create -f of a two-container pod shows 0/2 ready', async () => {
    expect((await c.kubectl(['create', '-f', `${M}/two.yaml`])).stdout).toBe('pod/two created\n');
    expect(row(parseTable((await c.kubectl(['get', 'po', 'two'])).stdout), 'two')).toMatchObject({ READY: '0/2', STATUS: 'Pending' });
  });

  it('create configmap and create secret generic store their literals (secret values base64)', async () => {
    const cm = await c.kubectl(['create', 'configmap', 'kubia-config', '--from-literal=sleep-interval=25']);
    expect(cm.stderr).toBe('');
    expect(cm.stdout).toBe('configmap/kubia-config created\n');
    expect(JSON.parse((await c.kubectl(['get', 'cm', 'kubia-config', '-o', 'json'])).stdout).data).toEqual({ 'sleep-interval': '25' });
    const s = await c.kubectl(['create', 'secret', 'generic', 'kubia-secret', '--from-literal=password=s3cr3t']);
    expect(s.stderr).toBe('');
    expect(s.stdout).toBe('secret/kubia-secret created\n');
    const secret = JSON.parse((await c.kubectl(['get', 'secret', 'kubia-secret', '-o', 'json'])).stdout);
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toEqual({ password: Buffer.from('s3cr3t').toString('base64') });
    const t = parseTable((await c.kubectl(['get', 'secret', 'kubia-secret'])).stdout);
    expect(t.headers).toEqual(['NAME', 'TYPE', 'DATA', 'AGE']);
    expect(row(t, 'kubia-secret')).toMatchObject({ TYPE: 'Opaque', DATA: '1' });
  });

  it('create deployment makes a deployment selecting app=<name>', async () => {
    const r = await c.kubectl(['create', 'deployment', 'kubia-dep', '--image=luksa/kubia', '--replicas=2']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('deployment.apps/kubia-dep created\n');
    const d = JSON.parse((await c.kubectl(['get', 'deploy', 'kubia-dep', '-o', 'json'])).stdout);
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'kubia-dep' } });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'kubia-dep' });
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'kubia', image: 'luksa/kubia' });
    expect(row(parseTable((await c.kubectl(['get', 'deploy'])).stdout), 'kubia-dep').READY).toBe('0/2');
  });

  it('create service clusterip makes a ClusterIP service with the given port mapping', async () => {
    const r = await c.kubectl(['create', 'service', 'clusterip', 'kubia-svc', '--tcp=80:8080']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('service/kubia-svc created\n');
    const t = parseTable((await c.kubectl(['get', 'svc', '-o', 'wide'])).stdout);
    expect(row(t, 'kubia-svc')).toMatchObject({ TYPE: 'ClusterIP', 'EXTERNAL-IP': '<none>', 'PORT(S)': '80/TCP', SELECTOR: 'app=kubia-svc' });
    const svc = JSON.parse((await c.kubectl(['get', 'svc', 'kubia-svc', '-o', 'json'])).stdout);
    expect(svc.spec.ports).toEqual([{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
  });

  it('get all prints one block per kind of the "all" category', async () => {
    const r = await c.kubectl(['get', 'all']);
    expect(r.code).toBe(0);
    const tables = parseTables(r.stdout);
    const byKind = new Map(tables.map((t) => [column(t, 'NAME')[0]!.split('/')[0]!, t]));
    // Controllers may have added pods (and ReplicaSets) of their own; the notes' pods are there.
    expect(column(byKind.get('pod')!, 'NAME')).toEqual(expect.arrayContaining(['pod/kubia-manual', 'pod/two']));
    expect(column(byKind.get('service')!, 'NAME')).toEqual(['service/kubernetes', 'service/kubia-svc']);
    expect(column(byKind.get('replicationcontroller')!, 'NAME')).toEqual(['replicationcontroller/kubia']);
    expect(column(byKind.get('deployment.apps')!, 'NAME')).toEqual(['deployment.apps/kubia-dep', 'deployment.apps/x']);
    expect(byKind.get('service')!.headers).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect([...byKind.keys()].indexOf('pod')).toBe(0);
  });

  it('delete all --all deletes every object of the category, and the kubernetes service comes back', async () => {
    const r = await c.kubectl(['delete', 'all', '--all'], { timeoutMs: 90_000 });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (const l of ['pod "kubia-manual" deleted', 'pod "two" deleted', 'service "kubernetes" deleted', 'service "kubia-svc" deleted', 'replicationcontroller "kubia" deleted', 'deployment.apps "kubia-dep" deleted', 'deployment.apps "x" deleted']) {
      expect(lines).toContain(l);
    }
    // The api-server keeps the kubernetes service in place, as kube-apiserver does.
    await eventually(
      async () => {
        const all = await c.kubectl(['get', 'all', '-o', 'name']);
        expect(all.stdout).toBe('service/kubernetes\n');
      },
      { timeoutMs: 20_000, intervalMs: 500, message: 'the kubernetes service is recreated and nothing else is left' },
    );
    // ConfigMaps and Secrets are not in "all".
    expect((await c.kubectl(['get', 'cm', 'kubia-config', '-o', 'name'])).stdout).toBe('configmap/kubia-config\n');
    expect((await c.kubectl(['get', 'secret', 'kubia-secret', '-o', 'name'])).stdout).toBe('secret/kubia-secret\n');
  });
});
