/**
 * Schemas of `discovery.k8s.io/v1`: EndpointSlice, the scalable successor of Endpoints that
 * kubectl describe reads for a Service's endpoints, with its endpoints, conditions, hints and
 * ports.
 *
 * Data only; imports only ./dsl and ./core-container (the protocol names).
 */
import { CORE, atomicList, bool, gvk, int, kindObj, list, map, obj, ref, string, type ObjectDef } from './dsl.js';
import { PROTOCOLS } from './core-container.js';

const DISC = 'io.k8s.api.discovery.v1.';

export const endpointSlice = kindObj(
  `${DISC}EndpointSlice`,
  'A subset of the endpoints of a service, all of one address type. A service has as many slices as needed.',
  gvk('discovery.k8s.io', 'v1', 'EndpointSlice'),
  {
    addressType: string('Type of every address in the slice: IPv4, IPv6 or FQDN. Cannot change.', { enum: ['FQDN', 'IPv4', 'IPv6'] }),
    endpoints: atomicList(ref(`${DISC}Endpoint`), 'The endpoints, at most 1000.'),
    ports: atomicList(ref(`${DISC}EndpointPort`), 'Ports exposed by every endpoint; empty means no ports are exposed, a port without a number means all ports.'),
  },
  { required: ['addressType', 'endpoints'] },
);

export const endpoint = obj(
  `${DISC}Endpoint`,
  'One backend of a service.',
  {
    addresses: list(string(), 'Addresses of the endpoint, of the slice address type; consumers use the first.', { listType: 'set' }),
    conditions: ref(`${DISC}EndpointConditions`, 'Current state of the endpoint.'),
    hostname: string('Hostname of the endpoint, a DNS label, used for DNS records.'),
    targetRef: ref(`${CORE}ObjectReference`, 'The object (usually a pod) behind the endpoint.'),
    deprecatedTopology: map(string(), 'Deprecated topology labels, kept for old readers; do not use.'),
    nodeName: string('Node hosting the endpoint.'),
    zone: string('Zone the endpoint lives in.'),
    hints: ref(`${DISC}EndpointHints`, 'Hints for topology-aware routing.'),
  },
  { required: ['addresses'] },
);

export const endpointConditions = obj(`${DISC}EndpointConditions`, 'State of an endpoint.', {
  ready: bool('Whether the endpoint should get traffic: serving and not terminating (unless the service publishes not-ready addresses). Unknown counts as ready.'),
  serving: bool('Whether the endpoint passes readiness, whatever its termination state.'),
  terminating: bool('Whether the endpoint is shutting down.'),
});

export const endpointHints = obj(`${DISC}EndpointHints`, 'Where an endpoint should be consumed.', {
  forZones: atomicList(ref(`${DISC}ForZone`), 'Zones that should route to this endpoint.'),
});

export const forZone = obj(`${DISC}ForZone`, 'A zone that should consume an endpoint.', { name: string('Name of the zone.') }, { required: ['name'] });

export const endpointPort = obj(`${DISC}EndpointPort`, 'A port of an endpoint slice.', {
  name: string('Name of the port, matching the service port name; empty when there is one unnamed port.'),
  protocol: string('TCP (the default), UDP or SCTP.', { enum: PROTOCOLS }),
  port: int('The port number; unset means every port.'),
  appProtocol: string('Application protocol carried by the port.'),
});

export const discoveryDefinitions: readonly ObjectDef[] = [endpointSlice, endpoint, endpointConditions, endpointHints, forZone, endpointPort];
