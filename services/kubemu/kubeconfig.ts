/**
 * The kubeconfig `kubemu up` writes to `<data-dir>/kubeconfig`, so the real kubectl finds the
 * cluster with `export KUBECONFIG=…` or `--kubeconfig`.
 *
 * One cluster `kubemu` (plain HTTP on loopback: no certificate data), one user `kubemu-admin` with
 * no credentials (kubemu does not authenticate), one context `kubemu` with namespace `default`,
 * selected as the current context. Written with mode 0600 like kubectl's own files.
 *
 * The cluster says `insecure-skip-tls-verify: true`: kubectl ignores it for an http:// server, but
 * @kubernetes/client-node refuses any http:// server without it ("HTTP protocol is not allowed
 * when skipTLSVerify is not set or false"), so programs loading this file would fail.
 */
import { writeFileSync } from 'node:fs';
import yaml from 'js-yaml';

export const KUBECONFIG_CLUSTER = 'kubemu';
export const KUBECONFIG_USER = 'kubemu-admin';
export const KUBECONFIG_CONTEXT = 'kubemu';

export interface KubeconfigOptions {
  server: string;
  namespace?: string;
}

export function kubeconfigObject(opts: KubeconfigOptions): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: KUBECONFIG_CLUSTER, cluster: { server: opts.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: KUBECONFIG_USER, user: {} }],
    contexts: [
      {
        name: KUBECONFIG_CONTEXT,
        context: { cluster: KUBECONFIG_CLUSTER, user: KUBECONFIG_USER, namespace: opts.namespace ?? 'default' },
      },
    ],
    'current-context': KUBECONFIG_CONTEXT,
  };
}

export function kubeconfigYaml(opts: KubeconfigOptions): string {
  return yaml.dump(kubeconfigObject(opts), { lineWidth: -1 });
}

export function writeKubeconfig(path: string, opts: KubeconfigOptions): void {
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
}
