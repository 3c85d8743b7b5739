/**
 * The cluster as the study notes first meet it, with the real kubectl: `version`, `cluster-info`,
 * `get nodes` / `describe node` (a Node registered by hand from a manifest with a full status and
 * its Lease — there is no kubelet yet), `get ns`, the system services, and `explain`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { describeField, describeSection, parseTable, row } from '../support/kubectl-output.js';

const M = 'test/fixtures/manifests';

/**
 * The node manifest with its heartbeat times (condition heartbeats, lease renewal) set to now, so
 * that a node-lifecycle controller, once there is one, does not find the node stale at once.
 */
const heartbeat = new Date(Math.floor(Date.now() / 1000) * 1000);
const NODE_1 = readFileSync(`${M}/node-1.yaml`, 'utf8').replaceAll('2026-01-01T00:00:00', heartbeat.toISOString().slice(0, 19));
/** How describe prints a time (RFC 1123 with a numeric zone). */
const described = (d: Date) => d.toUTCString().replace('GMT', '+0000');

/** A pod bound to node-1 by hand (no scheduler yet), with requests that describe node sums up. */
const BOUND_POD = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'bound', labels: { app: 'bound' } },
  spec: {
    nodeName: 'node-1',
    containers: [{ name: 'main', image: 'luksa/kubia', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }],
  },
});

describe('kubectl against the cluster itself: version, cluster-info, nodes, namespaces, explain', () => {
  let c: E2ECluster;
  beforeAll(async () => {
    // No kubelet: node-1 is registered by hand. The kubernetes profile's node grace (50 s) keeps
    // the node-lifecycle controller from marking it NotReady (and evicting its pod) mid-suite.
    c = await startCluster({ nodes: 0, extraArgs: ['--profile', 'kubernetes'] });
  }, 180_000);
  afterAll(async () => {
    await c?.down();
  });

  it('version prints the client and the 1.32 server version', async () => {
    const r = await c.kubectl(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Client Version: v1\.32\.\d+/m);
    expect(r.stdout).toMatch(/^Server Version: v1\.32\.\d+/m);
  });

  it('cluster-info names the control plane URL, CoreDNS through the kube-dns service proxy and the dashboard', async () => {
    const r = await c.kubectl(['cluster-info']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines[0]).toBe(`Kubernetes control plane is running at ${c.apiUrl}`);
    expect(lines[1]).toBe(`CoreDNS is running at ${c.apiUrl}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy`);
    // The dashboard is a cluster service too, as the notes show for GKE (kubectl sorts by name).
    expect(lines[2]).toBe(`Dashboard is running at ${c.apiUrl}/api/v1/namespaces/kube-system/services/kubemu-dashboard:http/proxy`);
    expect(lines[3]).toBe("To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.");
  });

  it('get ns lists the four system namespaces, Active', async () => {
    const r = await c.kubectl(['get', 'ns']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(t.rows.map((x) => x.NAME)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    for (const ns of t.rows) {
      expect(ns.STATUS).toBe('Active');
      expect(ns.AGE).toMatch(/^\d+s$|^\d+m/);
    }
  });

  it('the kubernetes and kube-dns services are there from the start', async () => {
    const r = await c.kubectl(['get', 'svc', '-A']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const k8s = row(t, 'kubernetes');
    expect(k8s).toMatchObject({ NAMESPACE: 'default', TYPE: 'ClusterIP', 'EXTERNAL-IP': '<none>', 'PORT(S)': '443/TCP' });
    expect(k8s['CLUSTER-IP']).toMatch(/^\d+\.\d+\.\d+\.1$/);
    const dns = row(t, 'kube-dns');
    expect(dns).toMatchObject({ NAMESPACE: 'kube-system', TYPE: 'ClusterIP', 'PORT(S)': '53/UDP,53/TCP' });
    expect(dns['CLUSTER-IP']).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('get nodes says so when no node has registered', async () => {
    const r = await c.kubectl(['get', 'nodes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('No resources found');
  });

  it('create -f registers a node and its lease from a manifest', async () => {
    const r = await c.kubectl(['create', '-f', '-'], { input: NODE_1 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['node/node-1 created', 'lease.coordination.k8s.io/node-1 created']);
  });

  it('get nodes shows the node Ready with its role and kubelet version', async () => {
    const r = await c.kubectl(['get', 'nodes']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0]).toMatchObject({ NAME: 'node-1', STATUS: 'Ready', ROLES: 'control-plane', VERSION: 'v1.32.0' });
    expect(t.rows[0]!.AGE).toMatch(/^\d+s$/);
  });

  it('get nodes -o wide adds addresses, OS image, kernel and container runtime', async () => {
    const r = await c.kubectl(['get', 'nodes', '-o', 'wide']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(row(t, 'node-1')).toMatchObject({
      'INTERNAL-IP': '127.0.1.1',
      'EXTERNAL-IP': '<none>',
      'OS-IMAGE': 'kubemu process runtime',
      'KERNEL-VERSION': '6.1.0-kubemu',
      'CONTAINER-RUNTIME': 'kubemu://0.1.0',
    });
  });

  it('describe node shows labels, lease, conditions, addresses, capacity, system info and the pods on it', async () => {
    const created = await c.kubectl(['create', '-f', '-'], { input: BOUND_POD });
    expect(created.stdout.trim()).toBe('pod/bound created');
    const r = await c.kubectl(['describe', 'node', 'node-1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(describeField(out, 'Name')).toBe('node-1');
    expect(describeField(out, 'Roles')).toBe('control-plane');
    expect(describeField(out, 'Labels').split('\n')).toEqual([
      'kubernetes.io/arch=amd64',
      'kubernetes.io/hostname=node-1',
      'kubernetes.io/os=linux',
      'node-role.kubernetes.io/control-plane=',
    ]);
    expect(describeField(out, 'Taints')).toBe('<none>');
    expect(describeField(out, 'Unschedulable')).toBe('false');
    expect(describeField(out, 'CreationTimestamp')).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    const lease = describeSection(out, 'Lease').map((l) => l.trim());
    expect(lease).toContain('HolderIdentity:  node-1');
    expect(lease).toContain(`RenewTime:       ${described(heartbeat)}`);
    const conditions = describeSection(out, 'Conditions');
    expect(conditions[0]!.trim().split(/\s{2,}/)).toEqual(['Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message']);
    const ready = conditions.find((l) => l.trim().startsWith('Ready'));
    expect(ready?.trim().split(/\s{2,}/)).toEqual(['Ready', 'True', described(heartbeat), described(heartbeat), 'KubeletReady', 'kubelet is posting ready status']);
    expect(describeSection(out, 'Addresses').map((l) => l.trim())).toEqual(['InternalIP:  127.0.1.1', 'Hostname:    node-1']);
    const capacity = describeSection(out, 'Capacity').map((l) => l.trim().split(/:\s+/));
    expect(Object.fromEntries(capacity)).toEqual({ cpu: '4', 'ephemeral-storage': '100Gi', memory: '8Gi', pods: '110' });
    const info = Object.fromEntries(describeSection(out, 'System Info').map((l) => l.trim().split(/:\s+/)));
    expect(info).toMatchObject({
      'Kernel Version': '6.1.0-kubemu',
      'OS Image': 'kubemu process runtime',
      'Operating System': 'linux',
      Architecture: 'amd64',
      'Container Runtime Version': 'kubemu://0.1.0',
      'Kubelet Version': 'v1.32.0',
    });
    expect(describeField(out, 'PodCIDR')).toBe('10.244.1.0/24');
    expect(describeField(out, 'Non-terminated Pods')).toBe('(1 in total)');
    const pods = describeSection(out, 'Non-terminated Pods');
    expect(pods.some((l) => /^\s+default\s+bound\s+100m \(2%\)\s+200m \(5%\)\s+64Mi \(0%\)\s+128Mi \(1%\)\s+\d+s$/.test(l))).toBe(true);
    const allocated = describeSection(out, 'Allocated resources').map((l) => l.trim().split(/\s{2,}/));
    expect(allocated).toContainEqual(['Resource', 'Requests', 'Limits']);
    expect(allocated).toContainEqual(['cpu', '100m (2%)', '200m (5%)']);
    expect(allocated).toContainEqual(['memory', '64Mi (0%)', '128Mi (1%)']);
  });

  it("describe node shows the node controller's RegisteredNode event", async () => {
    await eventually(async () => {
      const r = await c.kubectl(['describe', 'node', 'node-1']);
      const events = describeSection(r.stdout, 'Events').map((l) => l.trim().split(/\s{2,}/));
      expect(events[0]).toEqual(['Type', 'Reason', 'Age', 'From', 'Message']);
      expect(events).toContainEqual(['Normal', 'RegisteredNode', expect.stringMatching(/^\d+s$/), 'node-controller', 'Node node-1 event: Registered Node node-1 in Controller']);
    });
  });

  it('describe node without a name describes every node', async () => {
    const r = await c.kubectl(['describe', 'node']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('Name:'))).toEqual(['Name:               node-1']);
    expect(describeField(r.stdout, 'Non-terminated Pods')).toBe('(1 in total)');
  });

  it('explain pods prints the Pod schema with its top-level fields', async () => {
    const r = await c.kubectl(['explain', 'pods']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n\nDESCRIPTION:\n {4}\S/);
    const fields = r.stdout.split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim());
    expect(fields).toEqual(['apiVersion\t<string>', 'kind\t<string>', 'metadata\t<ObjectMeta>', 'spec\t<PodSpec>', 'status\t<PodStatus>']);
  });

  it('explain pod.spec.containers describes the container fields, marking required ones', async () => {
    const r = await c.kubectl(['explain', 'pod.spec.containers']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n\nFIELD: containers <\[\]Container>\n/);
    const fields = r.stdout.split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim());
    expect(fields).toContain('name\t<string> -required-');
    expect(fields).toContain('image\t<string>');
    expect(fields).toContain('ports\t<[]ContainerPort>');
    expect(fields).toContain('livenessProbe\t<Probe>');
  });
});
