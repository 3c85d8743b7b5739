/**
 * The Kubernetes service environment variables a container gets at start (the kubelet's
 * "service links", plus Docker-link style variables):
 *
 *   KUBIA_HTTP_SERVICE_HOST=127.64.0.23      KUBIA_HTTP_SERVICE_PORT=80 (first port)
 *   KUBIA_HTTP_SERVICE_PORT_HTTP=80           (one per named port)
 *   KUBIA_HTTP_PORT=tcp://127.64.0.23:80
 *   KUBIA_HTTP_PORT_80_TCP=tcp://127.64.0.23:80   …_PROTO=tcp  …_PORT=80  …_ADDR=127.64.0.23
 *
 * Which services: those of the pod's namespace when `enableServiceLinks` is not false, and always
 * the `kubernetes` service of `default` (so KUBERNETES_SERVICE_HOST/PORT are always there).
 * Headless (`clusterIP: None`), ExternalName and not-yet-allocated services give nothing. Pure.
 */
import type { Pod, Service } from '../../shared/api/core.js';

export function envName(s: string): string {
  return s.toUpperCase().replace(/-/g, '_');
}

function hasClusterIP(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None' && svc.spec.type !== 'ExternalName';
}

/** The variables of one service. */
export function serviceVariables(svc: Service): Record<string, string> {
  const out: Record<string, string> = {};
  if (!hasClusterIP(svc)) return out;
  const ip = svc.spec.clusterIP!;
  const name = envName(svc.metadata.name ?? '');
  const ports = svc.spec.ports ?? [];
  out[`${name}_SERVICE_HOST`] = ip;
  if (ports.length > 0) out[`${name}_SERVICE_PORT`] = String(ports[0].port);
  for (const p of ports) if (p.name) out[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
  if (ports.length > 0) {
    const first = ports[0];
    out[`${name}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`;
  }
  for (const p of ports) {
    const proto = (p.protocol ?? 'TCP').toUpperCase();
    const prefix = `${name}_PORT_${p.port}_${proto}`;
    out[prefix] = `${proto.toLowerCase()}://${ip}:${p.port}`;
    out[`${prefix}_PROTO`] = proto.toLowerCase();
    out[`${prefix}_PORT`] = String(p.port);
    out[`${prefix}_ADDR`] = ip;
  }
  return out;
}

/**
 * The service variables for `pod`: `inNamespace` are the services of the pod's namespace,
 * `masterService` the `kubernetes` service of `default` (when it exists).
 */
export function serviceEnv(pod: Pod, inNamespace: Service[], masterService: Service | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const links = pod.spec.enableServiceLinks !== false;
  const chosen = links ? [...inNamespace] : [];
  if (masterService && !chosen.some((s) => s.metadata.uid === masterService.metadata.uid && s.metadata.namespace === masterService.metadata.namespace)) {
    // In another namespace with links on, a service named `kubernetes` there would clash: the master one wins, as in the kubelet.
    const clash = chosen.findIndex((s) => s.metadata.name === 'kubernetes');
    if (clash >= 0) chosen.splice(clash, 1);
    chosen.push(masterService);
  }
  for (const svc of chosen) Object.assign(out, serviceVariables(svc));
  return out;
}
