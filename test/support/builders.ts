/**
 * Test objects in their Kubernetes shapes: the kubia pod of the study notes and friends.
 */
import type { Service } from '../../shared/api/core.js';

export function pod(name: string, opts: { namespace?: string; labels?: Record<string, string>; nodeName?: string; image?: string } = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      containers: [{ name: 'kubia', image: opts.image ?? 'luksa/kubia', ports: [{ containerPort: 8080 }] }],
    },
  };
}

export function namespace(name: string): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function configMap(name: string, data: Record<string, string> = {}, labels?: Record<string, string>): any {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

export function rc(name: string, replicas = 3): any {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name },
    spec: {
      replicas,
      selector: { app: name },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'luksa/kubia', ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

/** A Service selecting app=kubia, port 80 → 8080, with a fixed ClusterIP (controller unit tests). */
export function kubiaService(name: string, spec: Partial<Service['spec']> = {}, labels?: Record<string, string>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
    spec: { selector: { app: 'kubia' }, clusterIP: '127.64.0.20', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
  };
}
