/**
 * HorizontalPodAutoscalers and resource metrics through a real api-server:
 * - one HPA, two versions: created through autoscaling/v1 (what `kubectl autoscale` sends) and read
 *   through autoscaling/v2 (the preferred, stored version), listed and watched in both, printed the
 *   same way in both; v2-only metrics survive a v1 read-modify-write in the round-trip annotations;
 * - discovery lists autoscaling v2 first and metrics.k8s.io v1beta1;
 * - metrics.k8s.io serves NodeMetrics and PodMetrics from summaries kubelets publish on the bus,
 *   joined with the live pods and nodes (labels, selectors, uids), and forgets what goes stale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiCluster, type ApiCluster } from '../support/api-cluster.js';
import { eventually } from '../support/eventually.js';
import { pod } from '../support/builders.js';
import { subjects } from '../../shared/nats/subjects.js';
import type { NodeMetricsSummary } from '../../shared/api/metrics.js';

const V1 = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers';
const V2 = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

function hpaV1(name: string, cpu?: number): any {
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'kubia' }, minReplicas: 1, maxReplicas: 5, ...(cpu ? { targetCPUUtilizationPercentage: cpu } : {}) },
  };
}

describe('api-server: HorizontalPodAutoscaler in autoscaling/v1 and v2', () => {
  let c: ApiCluster;
  beforeAll(async () => {
    c = await startApiCluster();
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('stores a v1 HPA as v2: the CPU percentage becomes a Resource metric, minReplicas and status defaulted', async () => {
    const created = await c.http('POST', V1, hpaV1('kubia', 50));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ apiVersion: 'autoscaling/v1', spec: { targetCPUUtilizationPercentage: 50, maxReplicas: 5 }, status: { currentReplicas: 0, desiredReplicas: 0 } });
    const v2 = await c.http('GET', `${V2}/kubia`);
    expect(v2.json).toMatchObject({
      apiVersion: 'autoscaling/v2',
      spec: { minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
      status: { desiredReplicas: 0 },
    });
    expect(v2.json.metadata.annotations).toBeUndefined();
    expect(v2.json.metadata.resourceVersion).toBe(created.json.metadata.resourceVersion);
  });

  it('gives a v1 HPA without a target the 80% CPU default', async () => {
    await c.http('POST', V1, hpaV1('no-target'));
    const v2 = await c.http('GET', `${V2}/no-target`);
    expect(v2.json.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect((await c.http('GET', `${V1}/no-target`)).json.spec.targetCPUUtilizationPercentage).toBe(80);
  });

  it('keeps v2-only metrics and behaviour through a v1 read-modify-write', async () => {
    const body = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'mixed' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'kubia' },
        maxReplicas: 4,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 30 } },
      },
    };
    expect((await c.http('POST', V2, body)).status).toBe(201);
    const v1 = (await c.http('GET', `${V1}/mixed`)).json;
    expect(v1.spec.targetCPUUtilizationPercentage).toBe(60);
    expect(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([body.spec.metrics[1]]);
    v1.spec.maxReplicas = 6;
    const put = await c.http('PUT', `${V1}/mixed`, v1);
    expect(put.status).toBe(200);
    const v2 = (await c.http('GET', `${V2}/mixed`)).json;
    expect(v2.spec.maxReplicas).toBe(6);
    expect(v2.spec.metrics).toEqual(body.spec.metrics);
    expect(v2.spec.behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    expect(v2.spec.behavior.scaleUp.policies).toHaveLength(2);
    expect(v2.metadata.annotations).toBeUndefined();
  });

  it('patches through v1 (merge patch on the v1 view) and through v2 alike', async () => {
    const p1 = await c.http('PATCH', `${V1}/kubia`, { spec: { targetCPUUtilizationPercentage: 70 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(p1.status).toBe(200);
    expect(p1.json.spec.targetCPUUtilizationPercentage).toBe(70);
    expect((await c.http('GET', `${V2}/kubia`)).json.spec.metrics[0].resource.target.averageUtilization).toBe(70);
    const p2 = await c.http('PATCH', `${V2}/kubia`, { spec: { maxReplicas: 7 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(p2.json.apiVersion).toBe('autoscaling/v2');
    expect((await c.http('GET', `${V1}/kubia`)).json.spec).toMatchObject({ maxReplicas: 7, targetCPUUtilizationPercentage: 70 });
  });

  it('lists in the asked version with the asked list kind', async () => {
    const l1 = (await c.http('GET', V1)).json;
    expect(l1).toMatchObject({ kind: 'HorizontalPodAutoscalerList', apiVersion: 'autoscaling/v1' });
    expect(l1.items.every((i: any) => i.apiVersion === 'autoscaling/v1' && i.spec.targetCPUUtilizationPercentage !== undefined)).toBe(true);
    const l2 = (await c.http('GET', V2)).json;
    expect(l2.items.map((i: any) => i.metadata.name).sort()).toEqual(l1.items.map((i: any) => i.metadata.name).sort());
  });

  it('writes status through either version; v1 shows the current CPU utilisation', async () => {
    const cur = (await c.http('GET', `${V2}/kubia`)).json;
    cur.status = {
      currentReplicas: 2,
      desiredReplicas: 3,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 91, averageValue: '91m' } } }],
      conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'ok' }],
    };
    expect((await c.http('PUT', `${V2}/kubia/status`, cur)).status).toBe(200);
    const v1 = (await c.http('GET', `${V1}/kubia`)).json;
    expect(v1.status).toEqual({ currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 91 });
    expect(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/conditions'])[0].reason).toBe('SucceededRescale');
  });

  it('prints NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE, the same row in v1 and v2', async () => {
    const t2 = (await c.http('GET', V2, undefined, { Accept: TABLE })).json;
    expect(t2.columnDefinitions.map((d: any) => d.name)).toEqual(['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    const row = t2.rows.find((r: any) => r.cells[0] === 'kubia');
    expect(row.cells.slice(0, 6)).toEqual(['kubia', 'Deployment/kubia', 'cpu: 91%/70%', '1', 7, 2]);
    const mixed = t2.rows.find((r: any) => r.cells[0] === 'mixed');
    expect(mixed.cells[2]).toBe('cpu: <unknown>/60%, memory: <unknown>/100Mi');
    const t1 = (await c.http('GET', V1, undefined, { Accept: TABLE })).json;
    expect(t1.rows.map((r: any) => r.cells.slice(0, 6))).toEqual(t2.rows.map((r: any) => r.cells.slice(0, 6)));
  });

  it('watches in the asked version', async () => {
    const rv = (await c.http('GET', V1)).json.metadata.resourceVersion;
    const ctl = new AbortController();
    const res = await fetch(`${c.baseUrl}${V1}?watch=true&resourceVersion=${rv}`, { signal: ctl.signal });
    const events: any[] = [];
    const reading = (async () => {
      let buf = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += Buffer.from(chunk).toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) if (l.trim()) events.push(JSON.parse(l));
        }
      } catch {
        /* aborted */
      }
    })();
    await c.http('PATCH', `${V2}/kubia`, { spec: { minReplicas: 2 } }, { 'Content-Type': 'application/merge-patch+json' });
    await eventually(() => events.length >= 1);
    expect(events[0]).toMatchObject({ type: 'MODIFIED', object: { apiVersion: 'autoscaling/v1', spec: { minReplicas: 2, targetCPUUtilizationPercentage: 70 } } });
    ctl.abort();
    await reading;
  });

  it('refuses invalid HPAs with Kubernetes messages', async () => {
    const bad = hpaV1('bad', 50);
    bad.spec.minReplicas = 3;
    bad.spec.maxReplicas = 2;
    const res = await c.http('POST', V1, bad);
    expect(res.status).toBe(422);
    expect(res.json.message).toContain('spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`');
    const zero = hpaV1('zero', 0);
    zero.spec.minReplicas = 0;
    expect((await c.http('POST', V1, zero)).json.message).toContain('spec.minReplicas: Invalid value: 0: must be greater than or equal to 1');
  });

  it('is discovered as autoscaling v2 (preferred) and v1, short name hpa, in category all', async () => {
    const group = (await c.http('GET', '/apis/autoscaling')).json;
    expect(group.preferredVersion.version).toBe('v2');
    expect(group.versions.map((v: any) => v.version)).toEqual(['v2', 'v1']);
    const res = (await c.http('GET', '/apis/autoscaling/v1')).json.resources.find((r: any) => r.name === 'horizontalpodautoscalers');
    expect(res).toMatchObject({ kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], categories: ['all'] });
  });

  it('deletes through v1 what v2 created', async () => {
    expect((await c.http('DELETE', `${V1}/mixed`)).status).toBe(200);
    expect((await c.http('GET', `${V2}/mixed`)).status).toBe(404);
  });
});

describe('api-server: metrics.k8s.io from kubelet summaries', () => {
  let c: ApiCluster;
  let uid: string;
  const summary = (over: Partial<NodeMetricsSummary> = {}): NodeMetricsSummary => ({
    node: 'node-1',
    timestamp: new Date().toISOString(),
    windowMs: 2000,
    intervalMs: 2000,
    usage: { cpuMillicores: 1250, memoryBytes: 512 * 1024 * 1024 },
    pods: [{ namespace: 'default', name: 'kubia-1', uid, containers: [{ name: 'kubia', cpuMillicores: 250, memoryBytes: 20 * 1024 * 1024 }] }],
    ...over,
  });
  beforeAll(async () => {
    c = await startApiCluster();
    await c.http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { zone: 'a' } } });
    uid = (await c.http('POST', '/api/v1/namespaces/default/pods', pod('kubia-1', { labels: { app: 'kubia' } }))).json.metadata.uid;
    await c.http('POST', '/api/v1/namespaces/default/pods', pod('other', { labels: { app: 'other' } }));
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('is discovered under metrics.k8s.io/v1beta1 with nodes and pods', async () => {
    const groups = (await c.http('GET', '/apis')).json.groups.map((g: any) => g.name);
    expect(groups).toContain('metrics.k8s.io');
    const rl = (await c.http('GET', '/apis/metrics.k8s.io/v1beta1')).json.resources.map((r: any) => `${r.name}:${r.kind}:${r.namespaced}`);
    expect(rl).toEqual(['nodes:NodeMetrics:false', 'pods:PodMetrics:true']);
  });

  it('serves pod and node usage from the latest summary', async () => {
    c.bus.publish(subjects.node.metrics('node-1'), summary());
    const list = await eventually(async () => {
      const l = (await c.http('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods')).json;
      expect(l.items).toHaveLength(1);
      return l;
    });
    expect(list).toMatchObject({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1' });
    expect(list.items[0]).toMatchObject({
      kind: 'PodMetrics',
      metadata: { name: 'kubia-1', namespace: 'default', labels: { app: 'kubia' } },
      window: '2s',
      containers: [{ name: 'kubia', usage: { cpu: '250m', memory: '20480Ki' } }],
    });
    const node = (await c.http('GET', '/apis/metrics.k8s.io/v1beta1/nodes/node-1')).json;
    expect(node).toMatchObject({ kind: 'NodeMetrics', metadata: { name: 'node-1', labels: { zone: 'a' } }, usage: { cpu: '1250m', memory: '524288Ki' } });
    const one = await c.http('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/kubia-1');
    expect(one.json.containers[0].usage.cpu).toBe('250m');
  });

  it('filters by label selector, answers 404 for a pod without metrics and 405 for writes', async () => {
    const sel = (await c.http('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dother')).json;
    expect(sel.items).toEqual([]);
    expect((await c.http('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/other')).status).toBe(404);
    expect((await c.http('DELETE', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/kubia-1')).status).toBe(405);
  });

  it('ignores an older summary and samples of a pod uid that no longer matches', async () => {
    c.bus.publish(subjects.node.metrics('node-1'), summary({ timestamp: new Date(Date.now() - 60_000).toISOString(), usage: { cpuMillicores: 1, memoryBytes: 1 } }));
    c.bus.publish(subjects.node.metrics('node-1'), summary({ pods: [{ namespace: 'default', name: 'kubia-1', uid: 'another-uid', containers: [{ name: 'kubia', cpuMillicores: 9, memoryBytes: 9 }] }] }));
    await eventually(async () => {
      expect((await c.http('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods')).json.items).toEqual([]);
    });
    expect((await c.http('GET', '/apis/metrics.k8s.io/v1beta1/nodes')).json.items[0].usage.cpu).toBe('1250m');
  });
});
