/**
 * Horizontal pod autoscaling on a whole cluster (compiled launcher, process runtime, real kubectl),
 * Kubernetes' php-apache walkthrough: the CPU-burner image (`registry.k8s.io/hpa-example`) with a
 * 200m CPU request behind a Service, `kubectl autoscale deployment php-apache --cpu-percent=50
 * --min=1 --max=5`, a load loop against the Service's ClusterIP → more replicas; load stops → back
 * to one after the default profile's short stabilisation window. On the way: `kubectl top pod` and
 * `kubectl top node` print real usage, `kubectl get hpa` its columns, `kubectl describe hpa` the
 * rescale events, and the HPA reads as autoscaling/v1 too.
 *
 * The tests run in order on one cluster; each starts from the state the previous one left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { tryHttpGet } from '../support/http.js';
import { parseTable, row } from '../support/kubectl-output.js';

const PHP_APACHE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
  labels:
    run: php-apache
spec:
  ports:
  - port: 80
  selector:
    run: php-apache
`;

/**
 * The walkthrough's load generator (`while true; do wget -q -O- http://php-apache; done`), one
 * request at a time with a short pause between requests so the machine keeps some CPU for the rest
 * of the cluster: enough to keep one pod far above 50% of its 200m request.
 */
class LoadLoop {
  ok = 0;
  failed = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor(host: string) {
    this.done = (async () => {
      while (this.running) {
        const r = await tryHttpGet(host, 80, '/', 5000);
        if (!('error' in r) && r.status === 200 && r.body === 'OK!') this.ok++;
        else this.failed++;
        // Pacing of the load itself, not a wait for a condition.
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

describe('HorizontalPodAutoscaler with the real kubectl: autoscale, top, load up and down', () => {
  let c: E2ECluster;
  let clusterIP = '';
  let load: LoadLoop | undefined;

  beforeAll(async () => {
    c = await startCluster({ nodes: 2 });
  }, 180_000);
  afterAll(async () => {
    await load?.stop();
    await c?.down();
  });

  const ok = async (args: string[], input?: string, timeoutMs?: number): Promise<string> => {
    const r = await c.kubectl(args, { ...(input === undefined ? {} : { input }), ...(timeoutMs ? { timeoutMs } : {}) });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const hpa = async (): Promise<Record<string, string>> => row(parseTable(await ok(['get', 'hpa'])), 'php-apache');

  it('runs php-apache behind a Service and autoscales it with `kubectl autoscale` (an autoscaling/v1 HPA)', async () => {
    expect(await ok(['apply', '-f', '-'], PHP_APACHE)).toBe('deployment.apps/php-apache created\nservice/php-apache created\n');
    expect(await ok(['rollout', 'status', 'deployment', 'php-apache', '--timeout=90s'], undefined, 100_000)).toContain('successfully rolled out');
    expect(await ok(['autoscale', 'deployment', 'php-apache', '--cpu-percent=50', '--min=1', '--max=5'])).toBe('horizontalpodautoscaler.autoscaling/php-apache autoscaled\n');
    clusterIP = (await ok(['get', 'svc', 'php-apache', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(clusterIP).toMatch(/^127\./);
    expect((await ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'php-apache', '-o', 'jsonpath={.spec.targetCPUUtilizationPercentage}'])).trim()).toBe('50');
  });

  it('prints the HPA columns and, once metrics arrive, the current CPU utilisation', async () => {
    const table = parseTable(await ok(['get', 'hpa']));
    expect(table.headers).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    expect(row(table, 'php-apache')).toMatchObject({ REFERENCE: 'Deployment/php-apache', MINPODS: '1', MAXPODS: '5' });
    await eventually(async () => expect(await hpa()).toMatchObject({ TARGETS: expect.stringMatching(/^cpu: \d+%\/50%$/), REPLICAS: '1' }), { timeoutMs: 30_000, intervalMs: 1000 });
  });

  it('shows real usage with `kubectl top pod` and `kubectl top node`', async () => {
    const pods = await eventually(async () => {
      const t = parseTable(await ok(['top', 'pod']));
      expect(t.rows.length).toBeGreaterThan(0);
      return t;
    }, { timeoutMs: 30_000, intervalMs: 1000 });
    expect(pods.headers).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    const php = pods.rows.find((r) => r.NAME.startsWith('php-apache-'))!;
    expect(php['CPU(cores)']).toMatch(/^\d+m$/);
    expect(php['MEMORY(bytes)']).toMatch(/^\d+Mi$/);
    expect(parseInt(php['MEMORY(bytes)'], 10)).toBeGreaterThan(1); // a real node process has megabytes resident
    const nodes = parseTable(await ok(['top', 'node']));
    expect(nodes.headers).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(nodes.rows.map((r) => r.NAME).sort()).toEqual(['node-1', 'node-2']);
    for (const n of nodes.rows) {
      expect(n['CPU(cores)']).toMatch(/^\d+m$/);
      expect(n['CPU(%)']).toMatch(/^\d+%$/);
      expect(parseInt(n['MEMORY(bytes)'], 10)).toBeGreaterThan(1);
    }
  });

  it('scales up under load through the Service', async () => {
    load = new LoadLoop(clusterIP);
    const up = await eventually(async () => {
      const r = await hpa();
      expect(Number(r.REPLICAS)).toBeGreaterThan(1);
      return r;
    }, { timeoutMs: 90_000, intervalMs: 2000 });
    expect(Number(up.MAXPODS)).toBe(5);
    await eventually(async () => {
      const pods = parseTable(await ok(['get', 'po', '-l', 'run=php-apache']));
      expect(pods.rows.filter((p) => p.STATUS === 'Running').length).toBeGreaterThan(1);
    }, { timeoutMs: 60_000, intervalMs: 2000 });
    const describe = await ok(['describe', 'hpa', 'php-apache']);
    expect(describe).toMatch(/SuccessfulRescale\s+.*New size: \d; reason: cpu resource utilization \(percentage of request\) above target/);
    expect(describe).toMatch(/ScalingActive\s+True\s+ValidMetricFound/);
    expect(load.ok).toBeGreaterThan(0);
  });

  it('scales back down to one replica after the load stops', async () => {
    await load!.stop();
    load = undefined;
    await eventually(async () => expect((await hpa()).REPLICAS).toBe('1'), { timeoutMs: 120_000, intervalMs: 2000 });
    const describe = await ok(['describe', 'hpa', 'php-apache']);
    expect(describe).toMatch(/SuccessfulRescale\s+.*New size: \d; reason: All metrics below target/);
    await eventually(async () => {
      const pods = parseTable(await ok(['get', 'po', '-l', 'run=php-apache'])).rows.filter((p) => p.STATUS === 'Running');
      expect(pods).toHaveLength(1);
    }, { timeoutMs: 60_000, intervalMs: 2000 });
  });
});
