/**
 * Services, Endpoints and EndpointSlices. Services: DNS-1035 names, type ClusterIP by default,
 * ports default to TCP with targetPort = port, names required when there are several ports,
 * session affinity None, single-stack IPv4, status (load balancer ingress) owned by the controller.
 * ClusterIP / NodePort allocation is done by the service registry, not here.
 */
import type { Service } from '../../../../shared/api/core.js';
import type { EndpointSlice } from '../../../../shared/api/apps.js';
import type { Strategy } from '../strategy.js';

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

export const serviceStrategy: Strategy = {
  nameRule: 'dns1035',
  statusSubresource: true,
  default(obj) {
    const svc = obj as Service;
    if (!svc.spec || typeof svc.spec !== 'object') return;
    const s = svc.spec;
    s.type ??= 'ClusterIP';
    s.sessionAffinity ??= 'None';
    for (const p of s.ports ?? []) {
      p.protocol ??= 'TCP';
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
    if (s.type !== 'ExternalName') {
      s.ipFamilies ??= ['IPv4'];
      s.ipFamilyPolicy ??= 'SingleStack';
      s.internalTrafficPolicy ??= 'Cluster';
    }
    if (s.type === 'NodePort' || s.type === 'LoadBalancer') s.externalTrafficPolicy ??= 'Cluster';
    if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
  },
  prepareForCreate(obj) {
    (obj as Service).status = { loadBalancer: {} };
  },
  validate(obj, errs) {
    const s = (obj as Service).spec;
    if (!s || typeof s !== 'object') return errs.required('spec');
    if (s.type && !TYPES.includes(s.type)) errs.notSupported('spec.type', s.type, TYPES);
    const headless = s.clusterIP === 'None';
    if (s.type !== 'ExternalName' && !headless && (!s.ports || s.ports.length === 0)) errs.required('spec.ports');
    if (s.type === 'ExternalName' && !s.externalName) errs.required('spec.externalName');
    const names = new Set<string>();
    (s.ports ?? []).forEach((p, i) => {
      const f = `spec.ports[${i}]`;
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) errs.invalid(`${f}.port`, p.port, 'must be between 1 and 65535, inclusive');
      if (p.protocol && !PROTOCOLS.includes(p.protocol)) errs.notSupported(`${f}.protocol`, p.protocol, PROTOCOLS);
      if ((s.ports?.length ?? 0) > 1 && !p.name) errs.required(`${f}.name`);
      if (p.name) {
        if (names.has(p.name)) errs.duplicate(`${f}.name`, p.name);
        names.add(p.name);
      }
      if (typeof p.targetPort === 'number' && (p.targetPort < 1 || p.targetPort > 65535)) {
        errs.invalid(`${f}.targetPort`, p.targetPort, 'must be between 1 and 65535, inclusive');
      }
      if (p.nodePort !== undefined && (p.nodePort < 30000 || p.nodePort > 32767)) {
        errs.invalid(`${f}.nodePort`, p.nodePort, 'provided port is not in the valid range. The range of valid ports is 30000-32767');
      }
    });
    if (s.sessionAffinity && !['None', 'ClientIP'].includes(s.sessionAffinity)) errs.notSupported('spec.sessionAffinity', s.sessionAffinity, ['ClientIP', 'None']);
  },
  validateUpdate(obj, old, errs) {
    const a = (obj as Service).spec?.clusterIP;
    const b = (old as Service).spec?.clusterIP;
    if (b && a !== b && a !== undefined && a !== '') errs.invalid('spec.clusterIPs[0]', a, 'may not change once set');
  },
};

export const endpointsStrategy: Strategy = {};

export const endpointSliceStrategy: Strategy = {
  validate(obj, errs) {
    const s = obj as EndpointSlice;
    if (!s.addressType) errs.required('addressType');
    else if (!['IPv4', 'IPv6', 'FQDN'].includes(s.addressType)) errs.notSupported('addressType', s.addressType, ['FQDN', 'IPv4', 'IPv6']);
  },
};
