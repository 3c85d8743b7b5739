/**
 * Schemas of Service (spec, ports, status, load-balancer ingress, session affinity) and the
 * legacy Endpoints kind (subsets of addresses and ports) in the core group.
 *
 * Data only; imports only ./dsl and ./core-container (the protocol names).
 */
import { CORE, META, atomicList, bool, gvk, int, intOrString, keyedList, kindObj, list, map, obj, ref, string, type ObjectDef } from './dsl.js';
import { PROTOCOLS } from './core-container.js';

const TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;

export const service = kindObj(
  `${CORE}Service`,
  'A named, stable address for a set of pods chosen by label, with a virtual IP, ports and proxying or load balancing in front of them.',
  gvk('', 'v1', 'Service'),
  {
    spec: ref(`${CORE}ServiceSpec`, 'The desired behaviour of the service.'),
    status: ref(`${CORE}ServiceStatus`, 'The most recently observed state of the service, written by the system.'),
  },
);

export const serviceSpec = obj(`${CORE}ServiceSpec`, 'What a Service exposes and how.', {
  ports: list(ref(`${CORE}ServicePort`), 'Ports the service exposes.', {
    mergeKey: 'port',
    patchStrategy: 'merge',
    listType: 'map',
    listMapKeys: ['port', 'protocol'],
  }),
  selector: map(string(), 'Pods with all of these labels receive the traffic. When empty, endpoints are managed by someone else.', {
    mapType: 'atomic',
  }),
  clusterIP: string('The virtual IP of the service, allocated when empty; "None" makes a headless service. Cannot be changed except to switch types.'),
  clusterIPs: atomicList(string(), 'Virtual IPs of the service, at most one per family; the first equals clusterIP.'),
  type: string('How the service is exposed: ClusterIP (the default), NodePort, LoadBalancer, or ExternalName.', {
    enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
  }),
  externalIPs: atomicList(string(), 'Extra IPs on which nodes accept traffic for the service; not managed by Kubernetes.'),
  sessionAffinity: string('ClientIP sends each client to the same pod; None (the default) does not.', { enum: ['ClientIP', 'None'] }),
  loadBalancerIP: string('Deprecated: an IP requested from the load balancer implementation.'),
  loadBalancerSourceRanges: atomicList(string(), 'Client CIDRs allowed through the cloud load balancer.'),
  externalName: string('DNS name returned as a CNAME when type is ExternalName.'),
  externalTrafficPolicy: string('Whether external traffic may be routed to pods on other nodes (Cluster) or only to local ones (Local, keeping the client IP).', {
    enum: TRAFFIC_POLICIES,
  }),
  healthCheckNodePort: int('Node port serving the health check for Local external traffic on LoadBalancer services.'),
  publishNotReadyAddresses: bool('Publish endpoints of pods that are not ready (for peer discovery of stateful sets).'),
  sessionAffinityConfig: ref(`${CORE}SessionAffinityConfig`, 'Settings of session affinity.'),
  ipFamilies: atomicList(string(), 'IP families (IPv4, IPv6) of the service, in order.'),
  ipFamilyPolicy: string('How many families the service gets: SingleStack, PreferDualStack, or RequireDualStack.', {
    enum: ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
  }),
  allocateLoadBalancerNodePorts: bool('Whether LoadBalancer services get node ports. Defaults to true.'),
  loadBalancerClass: string('Which load balancer implementation handles the service.'),
  internalTrafficPolicy: string('Whether cluster-internal traffic may go to any ready pod (Cluster) or only to pods on the same node (Local).', {
    enum: TRAFFIC_POLICIES,
  }),
  trafficDistribution: string('A preference for how traffic is spread over endpoints, such as PreferClose.'),
});

export const servicePort = obj(
  `${CORE}ServicePort`,
  'One port of a service.',
  {
    name: string('Name of the port, unique within the service; required when there are several.'),
    protocol: string('TCP (the default), UDP or SCTP.', { enum: PROTOCOLS }),
    appProtocol: string('Application protocol carried by the port, as a hint to implementations.'),
    port: int('The port the service listens on.'),
    targetPort: intOrString("Number or name of the port on the pods; defaults to the same value as port."),
    nodePort: int('Port opened on every node for NodePort and LoadBalancer services; allocated when unset.'),
  },
  { required: ['port'] },
);

export const sessionAffinityConfig = obj(`${CORE}SessionAffinityConfig`, 'Settings of session affinity.', {
  clientIP: ref(`${CORE}ClientIPConfig`, 'Settings of ClientIP affinity.'),
});

export const clientIPConfig = obj(`${CORE}ClientIPConfig`, 'Settings of ClientIP session affinity.', {
  timeoutSeconds: int('How long a client sticks to a pod, 1 to 86400 seconds. Defaults to 10800 (3 hours).'),
});

export const serviceStatus = obj(`${CORE}ServiceStatus`, 'The observed state of a service.', {
  loadBalancer: ref(`${CORE}LoadBalancerStatus`, 'The load balancer in front of the service, when there is one.'),
  conditions: keyedList(ref(`${META}Condition`), 'Current conditions of the service.', 'type'),
});

export const loadBalancerStatus = obj(`${CORE}LoadBalancerStatus`, 'The state of a load balancer.', {
  ingress: atomicList(ref(`${CORE}LoadBalancerIngress`), 'Entry points of the load balancer.'),
});

export const loadBalancerIngress = obj(`${CORE}LoadBalancerIngress`, 'One entry point of a load balancer.', {
  ip: string('IP address of the entry point.'),
  hostname: string('DNS name of the entry point.'),
  ipMode: string('VIP delivers traffic with the load balancer IP as destination; Proxy delivers it to node or pod addresses.', {
    enum: ['Proxy', 'VIP'],
  }),
  ports: atomicList(ref(`${CORE}PortStatus`), 'State of each service port at this entry point.'),
});

export const portStatus = obj(
  `${CORE}PortStatus`,
  'State of one service port.',
  {
    port: int('The port number.'),
    protocol: string('TCP, UDP or SCTP.', { enum: PROTOCOLS }),
    error: string('Problem with the port, as a CamelCase reason or domain/reason.'),
  },
  { required: ['port', 'protocol'] },
);

export const endpoints = kindObj(
  `${CORE}Endpoints`,
  'The addresses and ports that implement a service, grouped into subsets.',
  gvk('', 'v1', 'Endpoints'),
  { subsets: atomicList(ref(`${CORE}EndpointSubset`), 'Groups of addresses that share the same ports.') },
);

export const endpointSubset = obj(`${CORE}EndpointSubset`, 'Addresses that all expose the same ports.', {
  addresses: atomicList(ref(`${CORE}EndpointAddress`), 'Addresses of ready endpoints.'),
  notReadyAddresses: atomicList(ref(`${CORE}EndpointAddress`), 'Addresses of endpoints that are not ready yet (or failed readiness).'),
  ports: atomicList(ref(`${CORE}EndpointPort`), 'Ports available on every address.'),
});

export const endpointAddress = obj(
  `${CORE}EndpointAddress`,
  'One endpoint address.',
  {
    ip: string('IP address of the endpoint.'),
    hostname: string('Hostname of the endpoint.'),
    nodeName: string('Node hosting the endpoint.'),
    targetRef: ref(`${CORE}ObjectReference`, 'The object (usually a pod) behind the endpoint.'),
  },
  { required: ['ip'] },
);

export const endpointPort = obj(
  `${CORE}EndpointPort`,
  'One port of an endpoint subset.',
  {
    name: string('Name of the port, matching the service port name; optional when there is one port.'),
    port: int('The port number.'),
    protocol: string('TCP (the default), UDP or SCTP.', { enum: PROTOCOLS }),
    appProtocol: string('Application protocol carried by the port.'),
  },
  { required: ['port'] },
);

export const serviceDefinitions: readonly ObjectDef[] = [
  service,
  serviceSpec,
  servicePort,
  sessionAffinityConfig,
  clientIPConfig,
  serviceStatus,
  loadBalancerStatus,
  loadBalancerIngress,
  portStatus,
  endpoints,
  endpointSubset,
  endpointAddress,
  endpointPort,
];
