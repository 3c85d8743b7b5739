/**
 * The real kubectl pointed at an api-server built in-process (`startApiCluster()`): a kubeconfig
 * (cluster `t`, namespace `default`, no credentials) and a discovery cache in a temp dir of its
 * own, removed by `dispose()`. `run` answers the exit code and both outputs; it never throws.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL } from './cluster.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ApiKubectl {
  readonly kubeconfig: string;
  run(args: string[], input?: string): Promise<KubectlResult>;
  dispose(): void;
}

export function apiKubectl(baseUrl: string): ApiKubectl {
  const dir = mkdtempSync(join(tmpdir(), 'kubemu-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: ${baseUrl}\ncontexts:\n- name: t\n  context:\n    cluster: t\n    namespace: default\ncurrent-context: t\nusers: []\n`,
  );
  return {
    kubeconfig,
    run(args, input) {
      return new Promise((resolve) => {
        const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
        if (input !== undefined) child.stdin?.end(input);
      });
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
