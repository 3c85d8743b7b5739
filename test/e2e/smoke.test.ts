import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';

describe('e2e smoke: the launcher and the real kubectl', () => {
  let c: E2ECluster;
  beforeAll(async () => {
    c = await startCluster({ nodes: 1 });
  }, 180_000);
  afterAll(async () => {
    await c?.down();
  });

  it('kubectl version reports the 1.32 server', async () => {
    const r = await c.kubectl(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Server Version: v1.32.0-kubemu');
  });

  it('kubectl get ns lists the system namespaces', async () => {
    const r = await c.kubectl(['get', 'ns', '-o', 'name']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
  });
});
