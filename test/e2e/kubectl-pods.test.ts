/**
 * Pods with the real kubectl, as chapter 3 of the notes uses them: `create -f` of the notes'
 * manifests, every `get` output format (table, wide, yaml, json, name, --show-labels, -L, -A),
 * every label-selector form, `get -w` seeing changes live, `describe` with its Events, `get events`,
 * `run` + `expose --type=LoadBalancer`, and the three ways to delete pods. The cluster has no node,
 * so pods stay Pending with no node or IP (the scheduler reports them unschedulable); the
 * assertions say so.
 */
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { column, describeField, describeSection, parseTable, row, startKubectl } from '../support/kubectl-output.js';

const M = 'test/fixtures/manifests';

function eventManifest(name: string, pod: { name: string; uid: string }, e: { type: string; reason: string; message: string; component: string; count: number }): string {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.name, namespace: 'default', uid: pod.uid },
    type: e.type,
    reason: e.reason,
    message: e.message,
    source: { component: e.component },
    firstTimestamp: now,
    lastTimestamp: now,
    count: e.count,
  });
}

describe('kubectl with pods: create, get in every format, selectors, watch, describe, events, delete', () => {
  let c: E2ECluster;
  beforeAll(async () => {
    c = await startCluster({ nodes: 0 });
  }, 180_000);
  afterAll(async () => {
    await c?.down();
  });

  const names = async (args: string[]): Promise<string[]> => {
    const r = await c.kubectl(['get', 'po', ...args]);
    expect(r.code, r.stderr).toBe(0);
    if (r.stdout.trim() === '') return [];
    return column(parseTable(r.stdout), 'NAME');
  };

  it('get po on an empty namespace says so on stderr', async () => {
    const r = await c.kubectl(['get', 'po']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('No resources found in default namespace.');
  });

  it('create -f makes the pods of the notes', async () => {
    for (const [file, name] of [
      ['kubia-manual.yaml', 'kubia-manual'],
      ['kubia-manual-with-labels.yaml', 'kubia-manual-v2'],
    ]) {
      const r = await c.kubectl(['create', '-f', `${M}/${file}`]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`pod/${name} created\n`);
      expect(r.code).toBe(0);
    }
    const devel = await c.kubectl(['run', 'kubia-devel', '--image=luksa/kubia', '--labels=env=devel,app=kubia']);
    expect(devel.stdout).toBe('pod/kubia-devel created\n');
  });

  it('get po prints the pod columns: not ready, Pending, no restarts, an age', async () => {
    const r = await c.kubectl(['get', 'po']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(column(t, 'NAME')).toEqual(['kubia-devel', 'kubia-manual', 'kubia-manual-v2']);
    for (const p of t.rows) {
      expect(p).toMatchObject({ READY: '0/1', STATUS: 'Pending', RESTARTS: '0' });
      expect(p.AGE).toMatch(/^\d+s$/);
    }
  });

  it('get po NAME prints one row; pods and po name the same resource', async () => {
    const r = await c.kubectl(['get', 'pods', 'kubia-manual']);
    expect(r.code).toBe(0);
    expect(column(parseTable(r.stdout), 'NAME')).toEqual(['kubia-manual']);
  });

  it('get po -o wide adds IP, node, nominated node and readiness gates (all unset while unscheduled)', async () => {
    const r = await c.kubectl(['get', 'po', '-o', 'wide']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(row(t, 'kubia-manual')).toMatchObject({ IP: '<none>', NODE: '<none>', 'NOMINATED NODE': '<none>', 'READINESS GATES': '<none>' });
  });

  it('get po -o yaml prints the stored object with API defaults and status, without managedFields', async () => {
    const r = await c.kubectl(['get', 'po', 'kubia-manual', '-o', 'yaml']);
    expect(r.code).toBe(0);
    const pod = load(r.stdout) as any;
    expect(pod.apiVersion).toBe('v1');
    expect(pod.kind).toBe('Pod');
    expect(pod.metadata).toMatchObject({ name: 'kubia-manual', namespace: 'default' });
    expect(pod.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(pod.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(pod.metadata.creationTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(pod.metadata.managedFields).toBeUndefined();
    expect(pod.spec.containers).toEqual([
      {
        name: 'kubia',
        image: 'luksa/kubia',
        imagePullPolicy: 'Always',
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ]);
    expect(pod.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', serviceAccountName: 'default', terminationGracePeriodSeconds: 30 });
    expect(pod.status).toMatchObject({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('get po -o json prints the same object as -o yaml', async () => {
    const json = await c.kubectl(['get', 'po', 'kubia-manual', '-o', 'json']);
    const yaml = await c.kubectl(['get', 'po', 'kubia-manual', '-o', 'yaml']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(load(yaml.stdout));
  });

  it('get po -o name prints kind/name per pod', async () => {
    const r = await c.kubectl(['get', 'po', '-o', 'name']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('pod/kubia-devel\npod/kubia-manual\npod/kubia-manual-v2\n');
  });

  it('get po --show-labels adds the labels column', async () => {
    const r = await c.kubectl(['get', 'po', '--show-labels']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'LABELS']);
    expect(Object.fromEntries(t.rows.map((p) => [p.NAME, p.LABELS]))).toEqual({
      'kubia-devel': 'app=kubia,env=devel',
      'kubia-manual': '<none>',
      'kubia-manual-v2': 'creation_method=manual,env=prod',
    });
  });

  it('get po -L creation_method,env adds one column per label key, empty where unset', async () => {
    const r = await c.kubectl(['get', 'po', '-L', 'creation_method,env']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'CREATION_METHOD', 'ENV']);
    expect(t.rows.map((p) => [p.NAME, p.CREATION_METHOD, p.ENV])).toEqual([
      ['kubia-devel', '', 'devel'],
      ['kubia-manual', '', ''],
      ['kubia-manual-v2', 'manual', 'prod'],
    ]);
  });

  it('every label selector form of the notes selects the right pods', async () => {
    expect(await names(['-l', 'creation_method=manual'])).toEqual(['kubia-manual-v2']);
    expect(await names(['-l', 'env'])).toEqual(['kubia-devel', 'kubia-manual-v2']);
    expect(await names(['-l', '!env'])).toEqual(['kubia-manual']);
    expect(await names(['-l', 'env in (prod,devel)'])).toEqual(['kubia-devel', 'kubia-manual-v2']);
    expect(await names(['-l', 'env notin (prod,devel)'])).toEqual(['kubia-manual']);
    expect(await names(['-l', 'creation_method!=manual'])).toEqual(['kubia-devel', 'kubia-manual']);
    expect(await names(['-l', 'app=kubia,env!=prod'])).toEqual(['kubia-devel']);
  });

  it('a selector that matches nothing prints no table and says so', async () => {
    const r = await c.kubectl(['get', 'po', '-l', 'env=nothing']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('No resources found in default namespace.');
  });

  it('get po -A adds the namespace column', async () => {
    const r = await c.kubectl(['get', 'po', '-A']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(t.rows.map((p) => `${p.NAMESPACE}/${p.NAME}`)).toEqual(['default/kubia-devel', 'default/kubia-manual', 'default/kubia-manual-v2']);
  });

  it('get po -w prints the list, then a row for each change until stopped', async () => {
    // --show-labels makes the row of a relabelled pod tell itself apart from any other update.
    const w = startKubectl(c, ['get', 'po', '-w', '--show-labels']);
    try {
      await w.waitFor((out) => /^kubia-manual-v2\s/m.test(out), 15_000, 'the initial list');
      expect(w.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS$/);
      expect(w.stdout).not.toContain('watched=yes');
      expect((await c.kubectl(['label', 'po', 'kubia-manual', 'watched=yes'])).code).toBe(0);
      await w.waitFor((out) => /^kubia-manual\s+0\/1\s+Pending\s+0\s+\d+s\s+watched=yes$/m.test(out), 10_000, 'a row for the relabelled pod');
      expect((await c.kubectl(['run', 'watched', '--image=busybox'])).code).toBe(0);
      const out = await w.waitFor((o) => /^watched\s+0\/1\s+Pending\s+0\s+\d+s\s+run=watched$/m.test(o), 10_000, 'a row for the new pod');
      expect(out.split('\n').filter((l) => l.startsWith('NAME')).length).toBe(1);
    } finally {
      await w.stop();
    }
    expect((await c.kubectl(['delete', 'po', 'watched'])).code).toBe(0);
  });

  it('describe pod shows the pod, its container and its Events section', async () => {
    const uid = (await c.kubectl(['get', 'po', 'kubia-manual-v2', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const ev = [
      eventManifest('kubia-manual-v2.1', { name: 'kubia-manual-v2', uid }, { type: 'Warning', reason: 'BackOff', message: 'Back-off pulling image "luksa/kubia"', component: 'kubelet', count: 3 }),
      eventManifest('kubia-manual-v2.2', { name: 'kubia-manual-v2', uid }, { type: 'Normal', reason: 'Pulling', message: 'Pulling image "luksa/kubia"', component: 'kubelet', count: 1 }),
    ];
    const created = await c.kubectl(['create', '-f', '-'], { input: ev.join('\n') });
    expect(created.stdout).toBe('event/kubia-manual-v2.1 created\nevent/kubia-manual-v2.2 created\n');

    const r = await c.kubectl(['describe', 'pod', 'kubia-manual-v2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(describeField(out, 'Name')).toBe('kubia-manual-v2');
    expect(describeField(out, 'Namespace')).toBe('default');
    expect(describeField(out, 'Service Account')).toBe('default');
    expect(describeField(out, 'Node')).toBe('<none>');
    expect(describeField(out, 'Labels').split('\n')).toEqual(['creation_method=manual', 'env=prod']);
    expect(describeField(out, 'Annotations')).toBe('<none>');
    expect(describeField(out, 'Status')).toBe('Pending');
    expect(describeField(out, 'QoS Class')).toBe('BestEffort');
    const containers = describeSection(out, 'Containers').map((l) => l.trim());
    expect(containers[0]).toBe('kubia:');
    expect(containers).toContain('Image:        luksa/kubia');
    expect(containers).toContain('Port:         8080/TCP');
    const events = describeSection(out, 'Events').map((l) => l.trim().split(/\s{2,}/));
    expect(events[0]).toEqual(['Type', 'Reason', 'Age', 'From', 'Message']);
    expect(events).toContainEqual(['Warning', 'BackOff', expect.stringMatching(/^\d+s \(x3 over \d+s\)$/), 'kubelet', 'Back-off pulling image "luksa/kubia"']);
    expect(events).toContainEqual(['Normal', 'Pulling', expect.stringMatching(/^\d+s$/), 'kubelet', 'Pulling image "luksa/kubia"']);
  });

  it("describe pod of an unschedulable pod shows the scheduler's reason, in Conditions and Events", async () => {
    await eventually(async () => {
      const r = await c.kubectl(['describe', 'pods', 'kubia-manual']);
      expect(r.code).toBe(0);
      const conditions = describeSection(r.stdout, 'Conditions').map((l) => l.trim().split(/\s+/));
      expect(conditions).toContainEqual(['PodScheduled', 'False']);
      const events = describeSection(r.stdout, 'Events').map((l) => l.trim().split(/\s{2,}/));
      expect(events).toContainEqual(['Warning', 'FailedScheduling', expect.stringMatching(/^\d+s/), 'default-scheduler', 'no nodes available to schedule pods']);
    });
  });

  it('get events lists them with last seen, type, reason, object and message', async () => {
    const r = await c.kubectl(['get', 'events']);
    expect(r.code).toBe(0);
    const t = parseTable(r.stdout);
    expect(t.headers).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const backOff = row(t, 'BackOff', 'REASON');
    expect(backOff).toMatchObject({ TYPE: 'Warning', OBJECT: 'pod/kubia-manual-v2', MESSAGE: 'Back-off pulling image "luksa/kubia"' });
    expect(backOff['LAST SEEN']).toMatch(/^\d+s$/);
    const wide = parseTable((await c.kubectl(['get', 'ev', '-o', 'wide'])).stdout);
    expect(wide.headers).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
    expect(row(wide, 'kubia-manual-v2.1', 'NAME')).toMatchObject({ SOURCE: 'kubelet', COUNT: '3' });
  });

  it('run creates a pod labelled run=<name> with its container port', async () => {
    const r = await c.kubectl(['run', 'kubia', '--image=luksa/kubia', '--port=8080']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/kubia created\n');
    const pod = JSON.parse((await c.kubectl(['get', 'po', 'kubia', '-o', 'json'])).stdout);
    expect(pod.metadata.labels).toEqual({ run: 'kubia' });
    expect(pod.spec.containers[0]).toMatchObject({ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8080, protocol: 'TCP' }] });
  });

  it('expose pod --type=LoadBalancer makes a service with a cluster IP, a node port and (soon) an external IP', async () => {
    const r = await c.kubectl(['expose', 'pod', 'kubia', '--type=LoadBalancer', '--name', 'kubia-http']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('service/kubia-http exposed\n');
    const t = parseTable((await c.kubectl(['get', 'svc', '-o', 'wide'])).stdout);
    expect(t.headers).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    const svc = row(t, 'kubia-http');
    expect(svc).toMatchObject({ TYPE: 'LoadBalancer', SELECTOR: 'run=kubia' });
    // `<pending>` until the load-balancer controller has given it an address, which takes a moment.
    expect(svc['EXTERNAL-IP']).toMatch(/^(<pending>|127\.\d+\.\d+\.\d+)$/);
    await eventually(async () => {
      const now = row(parseTable((await c.kubectl(['get', 'svc', 'kubia-http'])).stdout), 'kubia-http');
      expect(now['EXTERNAL-IP']).toMatch(/^127\.\d+\.\d+\.\d+$/);
    });
    expect(svc['CLUSTER-IP']).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const port = /^8080:(\d+)\/TCP$/.exec(svc['PORT(S)']!);
    expect(port, svc['PORT(S)']).not.toBeNull();
    expect(Number(port![1])).toBeGreaterThanOrEqual(30000);
    expect(Number(port![1])).toBeLessThanOrEqual(32767);
    expect(row(t, 'kubernetes').TYPE).toBe('ClusterIP');
    const long = await c.kubectl(['get', 'services']);
    expect(column(parseTable(long.stdout), 'NAME')).toEqual(['kubernetes', 'kubia-http']);
    expect(svc['CLUSTER-IP']).not.toBe(row(t, 'kubernetes')['CLUSTER-IP']);
  });

  it('delete po NAME prints it and returns once the pod is gone', async () => {
    const r = await c.kubectl(['delete', 'po', 'kubia']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod "kubia" deleted\n');
    const after = await c.kubectl(['get', 'po', 'kubia']);
    expect(after.code).toBe(1);
    expect(after.stderr.trim()).toBe('Error from server (NotFound): pods "kubia" not found');
  });

  it('delete po -l deletes exactly the pods the selector matches', async () => {
    const r = await c.kubectl(['delete', 'po', '-l', 'creation_method=manual']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('pod "kubia-manual-v2" deleted\n');
    expect(await names([])).toEqual(['kubia-devel', 'kubia-manual']);
  });

  it('delete po --all deletes every pod of the namespace and leaves the services', async () => {
    const r = await c.kubectl(['delete', 'po', '--all']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('pod "kubia-devel" deleted\npod "kubia-manual" deleted\n');
    const left = await c.kubectl(['get', 'po']);
    expect(left.stdout).toBe('');
    expect(left.stderr.trim()).toBe('No resources found in default namespace.');
    expect(column(parseTable((await c.kubectl(['get', 'svc'])).stdout), 'NAME')).toEqual(['kubernetes', 'kubia-http']);
  });
});
