/**
 * Namespaces with the real kubectl, as the notes use them: `get ns`, `create namespace` (a protobuf
 * body from kubectl 1.32), `create -f … -n`, the same object name in two namespaces, creating in a
 * namespace that does not exist, the system namespaces that may not be deleted, and `delete ns`,
 * which waits until the namespace and its content are gone. A pod held by a finalizer shows the
 * namespace Terminating (and refusing new content) until the finalizer is removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { column, parseTable, row } from '../support/kubectl-output.js';

const M = 'test/fixtures/manifests';

const HELD_POD = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'held', finalizers: ['example.com/hold'] },
  spec: { containers: [{ name: 'main', image: 'busybox' }] },
});

describe('kubectl with namespaces', () => {
  let c: E2ECluster;
  beforeAll(async () => {
    c = await startCluster({ nodes: 0 });
  }, 180_000);
  afterAll(async () => {
    await c?.down();
  });

  it('create namespace makes an Active namespace listed by get ns', async () => {
    const r = await c.kubectl(['create', 'namespace', 'custom-namespace']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('namespace/custom-namespace created\n');
    const t = parseTable((await c.kubectl(['get', 'ns'])).stdout);
    expect(column(t, 'NAME')).toEqual(['custom-namespace', 'default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(row(t, 'custom-namespace').STATUS).toBe('Active');
    const ns = JSON.parse((await c.kubectl(['get', 'ns', 'custom-namespace', '-o', 'json'])).stdout);
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'custom-namespace' });
    expect(ns.spec.finalizers).toEqual(['kubernetes']);
  });

  it('create -f -n puts the object in that namespace', async () => {
    const r = await c.kubectl(['create', '-f', `${M}/kubia-manual.yaml`, '-n', 'custom-namespace']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/kubia-manual created\n');
    const t = parseTable((await c.kubectl(['get', 'po', '-n', 'custom-namespace'])).stdout);
    expect(column(t, 'NAME')).toEqual(['kubia-manual']);
    const empty = await c.kubectl(['get', 'po']);
    expect(empty.stderr.trim()).toBe('No resources found in default namespace.');
  });

  it('the same name can be used in two namespaces: two distinct objects', async () => {
    expect((await c.kubectl(['create', '-f', `${M}/kubia-manual.yaml`])).stdout).toBe('pod/kubia-manual created\n');
    const t = parseTable((await c.kubectl(['get', 'po', '-A'])).stdout);
    expect(t.rows.map((p) => `${p.NAMESPACE}/${p.NAME}`)).toEqual(['custom-namespace/kubia-manual', 'default/kubia-manual']);
    const uid = async (ns: string) => JSON.parse((await c.kubectl(['get', 'po', 'kubia-manual', '--namespace', ns, '-o', 'json'])).stdout).metadata.uid;
    expect(await uid('custom-namespace')).not.toBe(await uid('default'));
  });

  it('creating in a namespace that does not exist is NotFound for the namespace', async () => {
    const r = await c.kubectl(['create', '-f', `${M}/kubia-manual.yaml`, '-n', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`Error from server (NotFound): error when creating "${M}/kubia-manual.yaml": namespaces "nowhere" not found`);
  });

  it('the system namespaces may not be deleted', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const r = await c.kubectl(['delete', 'ns', ns]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`Error from server (Forbidden): namespaces "${ns}" is forbidden: this namespace may not be deleted`);
    }
  });

  it('delete ns returns once the namespace and everything in it are gone', async () => {
    const r = await c.kubectl(['delete', 'ns', 'custom-namespace'], { timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('namespace "custom-namespace" deleted\n');
    const gone = await c.kubectl(['get', 'ns', 'custom-namespace']);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): namespaces "custom-namespace" not found');
    const t = parseTable((await c.kubectl(['get', 'po', '-A'])).stdout);
    expect(t.rows.map((p) => `${p.NAMESPACE}/${p.NAME}`)).toEqual(['default/kubia-manual']);
  });

  it('a namespace whose content is held by a finalizer stays Terminating and refuses new content until released', async () => {
    expect((await c.kubectl(['create', 'namespace', 'held'])).code).toBe(0);
    expect((await c.kubectl(['create', '-n', 'held', '-f', '-'], { input: HELD_POD })).stdout).toBe('pod/held created\n');
    const del = await c.kubectl(['delete', 'ns', 'held', '--wait=false']);
    expect(del.stdout).toBe('namespace "held" deleted\n');

    await eventually(async () => {
      const pod = JSON.parse((await c.kubectl(['get', 'po', 'held', '-n', 'held', '-o', 'json'])).stdout);
      expect(pod.metadata.deletionTimestamp).toBeDefined();
    });
    expect(row(parseTable((await c.kubectl(['get', 'ns', 'held'])).stdout), 'held').STATUS).toBe('Terminating');
    const refused = await c.kubectl(['create', '-f', `${M}/kubia-manual.yaml`, '-n', 'held']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `Error from server (Forbidden): error when creating "${M}/kubia-manual.yaml": pods "kubia-manual" is forbidden: unable to create new content in namespace held because it is being terminated`,
    );

    const released = await c.kubectl(['patch', 'po', 'held', '-n', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    expect(released.stdout).toBe('pod/held patched\n');
    await eventually(
      async () => {
        const r = await c.kubectl(['get', 'ns', 'held']);
        expect(r.stderr.trim()).toBe('Error from server (NotFound): namespaces "held" not found');
      },
      { timeoutMs: 15_000, intervalMs: 200, message: 'the namespace goes once its last pod is released' },
    );
  });
});
