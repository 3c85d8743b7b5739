import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { kubeconfigYaml, writeKubeconfig } from '../../services/kubemu/kubeconfig.js';

describe('kubemu kubeconfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubemu-kubeconfig-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('points context kubemu at the API server as kubemu-admin in namespace default', () => {
    const cfg = yaml.load(kubeconfigYaml({ server: 'http://127.0.0.1:6443' })) as Record<string, any>;
    expect(cfg.apiVersion).toBe('v1');
    expect(cfg.kind).toBe('Config');
    expect(cfg['current-context']).toBe('kubemu');
    expect(cfg.clusters).toEqual([{ name: 'kubemu', cluster: { server: 'http://127.0.0.1:6443', 'insecure-skip-tls-verify': true } }]);
    expect(cfg.users).toEqual([{ name: 'kubemu-admin', user: {} }]);
    expect(cfg.contexts).toEqual([{ name: 'kubemu', context: { cluster: 'kubemu', user: 'kubemu-admin', namespace: 'default' } }]);
  });

  it('writes the file readable only by its owner', () => {
    const path = join(dir, 'kubeconfig');
    writeKubeconfig(path, { server: 'http://127.0.0.1:7000', namespace: 'demo' });
    const cfg = yaml.load(readFileSync(path, 'utf8')) as Record<string, any>;
    expect(cfg.clusters[0].cluster.server).toBe('http://127.0.0.1:7000');
    expect(cfg.contexts[0].context.namespace).toBe('demo');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
