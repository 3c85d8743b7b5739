/**
 * Test objects in their Kubernetes shapes: the kubia pod of the study notes and friends.
 */
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
