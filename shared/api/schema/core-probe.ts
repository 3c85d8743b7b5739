/**
 * Schemas of container probes and the actions they (and lifecycle hooks) run: exec, HTTP GET,
 * TCP socket and gRPC. The handler fields sit directly on Probe, as Kubernetes inlines its
 * ProbeHandler, so `livenessProbe.httpGet` is a field of Probe itself.
 *
 * Data only; imports only ./dsl.
 */
import { CORE, atomicList, int, int64, intOrString, obj, ref, string, type ObjectDef } from './dsl.js';

export const probe = obj(
  `${CORE}Probe`,
  'A periodic health check the kubelet runs against a container. Exactly one action may be set.',
  {
    exec: ref(`${CORE}ExecAction`, 'Run a command in the container; exit status 0 means healthy.'),
    httpGet: ref(`${CORE}HTTPGetAction`, 'Send an HTTP GET; a status from 200 to 399 means healthy.'),
    tcpSocket: ref(`${CORE}TCPSocketAction`, 'Open a TCP connection; success means healthy.'),
    grpc: ref(`${CORE}GRPCAction`, 'Call the standard gRPC health service.'),
    initialDelaySeconds: int('Seconds to wait after the container starts before the first probe.'),
    timeoutSeconds: int('Seconds after which a probe attempt counts as failed. Defaults to 1.'),
    periodSeconds: int('Seconds between probe attempts. Defaults to 10.'),
    successThreshold: int('Consecutive successes needed to count as healthy after a failure. Defaults to 1; must be 1 for liveness and startup probes.'),
    failureThreshold: int('Consecutive failures needed to count as unhealthy. Defaults to 3.'),
    terminationGracePeriodSeconds: int64("Grace period used when a failing probe kills the container, overriding the pod's."),
  },
);

export const execAction = obj(`${CORE}ExecAction`, 'Runs a command inside the container.', {
  command: atomicList(string(), 'The command line, run without a shell in the container\'s working directory. Use ["sh", "-c", "..."] for shell syntax.'),
});

export const httpGetAction = obj(
  `${CORE}HTTPGetAction`,
  'An HTTP GET request against the container.',
  {
    path: string('Path to request.'),
    port: intOrString('Port number or named container port to connect to.'),
    host: string('Host to connect to; the pod IP by default. Use the Host header for virtual hosts.'),
    scheme: string('HTTP (the default) or HTTPS; HTTPS does not verify certificates.', { enum: ['HTTP', 'HTTPS'] }),
    httpHeaders: atomicList(ref(`${CORE}HTTPHeader`), 'Extra request headers; repeated names are allowed.'),
  },
  { required: ['port'] },
);

export const httpHeader = obj(
  `${CORE}HTTPHeader`,
  'One HTTP header.',
  {
    name: string('Header name; normalised on output so case-variants are the same header.'),
    value: string('Header value.'),
  },
  { required: ['name', 'value'] },
);

export const tcpSocketAction = obj(
  `${CORE}TCPSocketAction`,
  'A TCP connection attempt.',
  {
    port: intOrString('Port number or named container port to connect to.'),
    host: string('Host to connect to; the pod IP by default.'),
  },
  { required: ['port'] },
);

export const grpcAction = obj(
  `${CORE}GRPCAction`,
  'A call to the gRPC health checking protocol.',
  {
    port: int('Port number of the gRPC service (1-65535).'),
    service: string('Service name sent in the health request; empty asks about the server as a whole.'),
  },
  { required: ['port'] },
);

export const probeDefinitions: readonly ObjectDef[] = [probe, execAction, httpGetAction, httpHeader, tcpSocketAction, grpcAction];
