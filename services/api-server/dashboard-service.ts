/**
 * The dashboard as a cluster service: `kube-system/kubemu-dashboard`, labelled
 * `kubernetes.io/cluster-service: "true"` and `kubernetes.io/name: Dashboard`, so `kubectl
 * cluster-info` prints `Dashboard is running at …/api/v1/namespaces/kube-system/services/
 * kubemu-dashboard:http/proxy` (kubectl builds that link from the first port's name, `http`).
 *
 * The api-server itself serves the dashboard (under `/ui/`), so the Service has no selector and
 * its Endpoints name this api-server: the endpoint-slice mirroring turns them into a slice and
 * kube-proxy makes the ClusterIP (port 80) reach the api-server's port. The ClusterIP is allocated
 * like any other (no well-known address to collide with a user's Service in an older data dir).
 * The service proxy recognises the name and serves the dashboard in-process rather than dialling
 * itself (`isDashboardService`).
 */
import type { KubeObject } from '../../shared/api/meta.js';

export const DASHBOARD_NAMESPACE = 'kube-system';
export const DASHBOARD_NAME = 'kubemu-dashboard';
const PORT_NAME = 'http';

export function isDashboardService(namespace: string, name: string): boolean {
  return namespace === DASHBOARD_NAMESPACE && name === DASHBOARD_NAME;
}

export function dashboardService(apiPort: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: DASHBOARD_NAME,
      namespace: DASHBOARD_NAMESPACE,
      labels: { 'k8s-app': DASHBOARD_NAME, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'Dashboard' },
    },
    spec: { type: 'ClusterIP', ports: [{ name: PORT_NAME, port: 80, protocol: 'TCP', targetPort: apiPort }], sessionAffinity: 'None' },
  };
}

/** The api-server as the dashboard's one endpoint (mirrored into an EndpointSlice by the controller-manager). */
export function dashboardEndpoints(apiHost: string, apiPort: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: DASHBOARD_NAME, namespace: DASHBOARD_NAMESPACE, labels: { 'k8s-app': DASHBOARD_NAME } },
    subsets: [{ addresses: [{ ip: apiHost }], ports: [{ name: PORT_NAME, port: apiPort, protocol: 'TCP' }] }],
  };
}
