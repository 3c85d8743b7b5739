/**
 * Schemas of a container and what hangs off it: ports, environment (EnvVar, EnvVarSource and the
 * selectors it points through, EnvFromSource), volume mounts and devices, resource requirements,
 * resize policy and lifecycle hooks. Probes and security contexts live in core-probe.ts and
 * core-security.ts.
 *
 * Container and EphemeralContainer share one field list (as Kubernetes' EphemeralContainerCommon
 * does), so the two can never drift apart.
 *
 * Data only; imports only ./dsl.
 */
import {
  CORE,
  atomicList,
  bool,
  int,
  keyedList,
  list,
  map,
  obj,
  quantity,
  ref,
  string,
  type ObjectDef,
  type Schema,
} from './dsl.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

/** The field list of Container, shared by EphemeralContainer. */
function containerFields(ephemeral: boolean): Record<string, Schema> {
  const e = ephemeral ? ' Not allowed for ephemeral containers.' : '';
  return {
    name: string('Name of the container, a DNS label unique within the pod. Cannot be changed.'),
    image: string('The container image to run. Workload controllers may leave it empty to be filled by defaults elsewhere.'),
    command: atomicList(string(), "Entrypoint, run without a shell. Replaces the image's ENTRYPOINT; $(VAR) references to the container's environment are expanded."),
    args: atomicList(string(), "Arguments to the entrypoint. Replace the image's CMD; $(VAR) references are expanded."),
    workingDir: string("The directory the process starts in; the image's default when empty."),
    ports: list(ref(`${CORE}ContainerPort`), `Ports the container exposes. Informational: any port the process listens on is reachable anyway.${e}`, {
      mergeKey: 'containerPort',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
    }),
    envFrom: atomicList(ref(`${CORE}EnvFromSource`), 'Sources whose every key becomes an environment variable. Explicit env entries win over these; later sources win over earlier ones.'),
    env: keyedList(ref(`${CORE}EnvVar`), 'Environment variables to set in the container.', 'name'),
    resources: ref(`${CORE}ResourceRequirements`, `Compute resources the container requests and is limited to.${e}`),
    resizePolicy: atomicList(ref(`${CORE}ContainerResizePolicy`), 'How each resource may be resized in place.'),
    restartPolicy: string(
      'Per-container restart behaviour. Only "Always" is accepted, and only on init containers, turning them into sidecars that keep running beside the main containers.',
      { enum: ['Always'] },
    ),
    volumeMounts: keyedList(ref(`${CORE}VolumeMount`), "Pod volumes to mount into the container's filesystem.", 'mountPath'),
    volumeDevices: keyedList(ref(`${CORE}VolumeDevice`), 'Block devices the container uses.', 'devicePath'),
    livenessProbe: ref(`${CORE}Probe`, `Periodic check that the container is alive; the container is restarted when it fails.${e}`),
    readinessProbe: ref(`${CORE}Probe`, `Periodic check that the container can serve; the pod leaves Service endpoints while it fails.${e}`),
    startupProbe: ref(`${CORE}Probe`, `Check that the container has started; other probes wait for it to succeed, and failure restarts the container.${e}`),
    lifecycle: ref(`${CORE}Lifecycle`, `Hooks run right after start and right before termination.${e}`),
    terminationMessagePath: string('File inside the container whose contents become the termination message. Defaults to /dev/termination-log.'),
    terminationMessagePolicy: string('Where the termination message comes from: the file only, or the tail of the log when the file is empty and the container failed.', {
      enum: ['FallbackToLogsOnError', 'File'],
    }),
    imagePullPolicy: string('When to pull the image: Always, Never, or IfNotPresent. Defaults to Always for :latest tags and IfNotPresent otherwise.', {
      enum: ['Always', 'IfNotPresent', 'Never'],
    }),
    securityContext: ref(`${CORE}SecurityContext`, 'Security options for this container, overriding the pod-level ones.'),
    stdin: bool('Keep a stdin buffer open for the container (for attach).'),
    stdinOnce: bool('Close stdin after the first attached client disconnects.'),
    tty: bool('Allocate a terminal for the container; needs stdin.'),
  };
}

export const container = obj(`${CORE}Container`, 'A single application container in a pod.', containerFields(false), { required: ['name'] });

export const ephemeralContainer = obj(
  `${CORE}EphemeralContainer`,
  'A temporary container added to a running pod for troubleshooting. It has no resources or ports, is never restarted, and cannot be removed.',
  {
    ...containerFields(true),
    targetContainerName: string('Name of a container whose process namespace this one joins; the pod-level namespace when empty.'),
  },
  { required: ['name'] },
);

export const containerPort = obj(
  `${CORE}ContainerPort`,
  'A network port of a single container.',
  {
    name: string('An IANA_SVC_NAME unique within the pod, by which Services can refer to the port.'),
    hostPort: int('Port to open on the node and forward to containerPort. Rarely needed.'),
    containerPort: int('The port number on the pod IP (1-65535).'),
    protocol: string('TCP (the default), UDP or SCTP.', { enum: PROTOCOLS }),
    hostIP: string('Node address the host port binds to.'),
  },
  { required: ['containerPort'] },
);

export const envVar = obj(
  `${CORE}EnvVar`,
  'One environment variable of a container.',
  {
    name: string('Variable name (a C identifier).'),
    value: string('Literal value; $(VAR) references to earlier variables are expanded, $$ escapes. Defaults to "".'),
    valueFrom: ref(`${CORE}EnvVarSource`, 'Take the value from elsewhere instead; not allowed together with value.'),
  },
  { required: ['name'] },
);

export const envVarSource = obj(`${CORE}EnvVarSource`, 'Where an environment variable gets its value. Exactly one source may be set.', {
  fieldRef: ref(`${CORE}ObjectFieldSelector`, "A field of the pod, such as metadata.name, status.podIP or spec.nodeName."),
  resourceFieldRef: ref(`${CORE}ResourceFieldSelector`, "A limit or request of the container's resources."),
  configMapKeyRef: ref(`${CORE}ConfigMapKeySelector`, 'A key of a ConfigMap in the pod namespace.'),
  secretKeyRef: ref(`${CORE}SecretKeySelector`, 'A key of a Secret in the pod namespace.'),
});

export const objectFieldSelector = obj(
  `${CORE}ObjectFieldSelector`,
  'Selects a field of an object.',
  {
    apiVersion: string('Version of the schema the path is written in; defaults to "v1".'),
    fieldPath: string('Path of the field to select.'),
  },
  { required: ['fieldPath'] },
);

export const resourceFieldSelector = obj(
  `${CORE}ResourceFieldSelector`,
  "Selects a container's resource limit or request.",
  {
    containerName: string('The container whose resources are read; required for volumes, optional for env vars.'),
    resource: string('Which value to read, such as limits.cpu or requests.memory.'),
    divisor: quantity('Unit the value is expressed in; defaults to "1".'),
  },
  { required: ['resource'] },
);

export const configMapKeySelector = obj(
  `${CORE}ConfigMapKeySelector`,
  'Selects one key of a ConfigMap.',
  {
    name: string('Name of the ConfigMap.'),
    key: string('The key to read.'),
    optional: bool('Allow the ConfigMap or the key to be missing.'),
  },
  { required: ['key'] },
);

export const secretKeySelector = obj(
  `${CORE}SecretKeySelector`,
  'Selects one key of a Secret.',
  {
    name: string('Name of the Secret.'),
    key: string('The key to read; must be a valid secret key.'),
    optional: bool('Allow the Secret or the key to be missing.'),
  },
  { required: ['key'] },
);

export const envFromSource = obj(`${CORE}EnvFromSource`, 'A set of environment variables taken from a ConfigMap or a Secret.', {
  prefix: string('Prefix added to every key to form the variable name; must be a C identifier.'),
  configMapRef: ref(`${CORE}ConfigMapEnvSource`, 'The ConfigMap to read.'),
  secretRef: ref(`${CORE}SecretEnvSource`, 'The Secret to read.'),
});

export const configMapEnvSource = obj(`${CORE}ConfigMapEnvSource`, 'A ConfigMap whose keys become environment variables.', {
  name: string('Name of the ConfigMap.'),
  optional: bool('Allow the ConfigMap to be missing.'),
});

export const secretEnvSource = obj(`${CORE}SecretEnvSource`, 'A Secret whose keys become environment variables.', {
  name: string('Name of the Secret.'),
  optional: bool('Allow the Secret to be missing.'),
});

export const volumeMount = obj(
  `${CORE}VolumeMount`,
  'Mounts a pod volume into a container.',
  {
    name: string('Name of the pod volume to mount.'),
    readOnly: bool('Mount read-only when true; read-write by default.'),
    recursiveReadOnly: string('Whether read-only mounts are made read-only recursively (all sub-mounts too). Needs readOnly.', {
      enum: ['Disabled', 'Enabled', 'IfPossible'],
    }),
    mountPath: string("Path inside the container where the volume appears; must not contain ':'."),
    subPath: string("Path inside the volume to mount instead of its root."),
    mountPropagation: string('How mounts propagate between host and container; None by default.', {
      enum: ['Bidirectional', 'HostToContainer', 'None'],
    }),
    subPathExpr: string("Like subPath but $(VAR) references to the container's environment are expanded. Exclusive with subPath."),
  },
  { required: ['name', 'mountPath'] },
);

export const volumeDevice = obj(
  `${CORE}VolumeDevice`,
  'Exposes a raw block volume inside a container.',
  {
    name: string('Name of a persistentVolumeClaim volume of the pod.'),
    devicePath: string('Path inside the container where the device appears.'),
  },
  { required: ['name', 'devicePath'] },
);

export const resourceRequirements = obj(`${CORE}ResourceRequirements`, 'Compute resources requested and allowed.', {
  limits: map(quantity(), 'The most of each resource that may be used.', { goType: 'v1.ResourceList' }),
  requests: map(quantity(), 'The least of each resource needed, used for scheduling. Defaults to the limits when those are set.', {
    goType: 'v1.ResourceList',
  }),
  claims: list(ref(`${CORE}ResourceClaim`), 'Names of pod resource claims this container uses (dynamic resource allocation).', {
    listType: 'map',
    listMapKeys: ['name'],
  }),
});

export const resourceClaim = obj(
  `${CORE}ResourceClaim`,
  'A reference to one of the pod resource claims.',
  {
    name: string('Name of an entry in the pod spec resourceClaims.'),
    request: string('A single request within the claim; the whole claim when empty.'),
  },
  { required: ['name'] },
);

export const containerResizePolicy = obj(
  `${CORE}ContainerResizePolicy`,
  'How one resource of a container may be resized.',
  {
    resourceName: string('The resource the policy applies to (cpu or memory).'),
    restartPolicy: string('Whether the container must restart for the change to apply.', { enum: ['NotRequired', 'RestartContainer'] }),
  },
  { required: ['resourceName', 'restartPolicy'] },
);

export const lifecycle = obj(`${CORE}Lifecycle`, 'Actions run by the kubelet at container lifecycle events.', {
  postStart: ref(`${CORE}LifecycleHandler`, 'Run right after the container is created; a failure restarts it according to the restart policy.'),
  preStop: ref(`${CORE}LifecycleHandler`, 'Run right before the container is stopped by the API (delete, probe failure, preemption); counts against the grace period.'),
});

export const lifecycleHandler = obj(`${CORE}LifecycleHandler`, 'One lifecycle action; exactly one field may be set.', {
  exec: ref(`${CORE}ExecAction`, 'Run a command in the container.'),
  httpGet: ref(`${CORE}HTTPGetAction`, 'Send an HTTP GET request.'),
  tcpSocket: ref(`${CORE}TCPSocketAction`, 'Deprecated and ignored; kept for compatibility.'),
  sleep: ref(`${CORE}SleepAction`, 'Wait for a while.'),
});

export const sleepAction = obj(`${CORE}SleepAction`, 'A pause of a fixed length.', { seconds: int('How many seconds to sleep.', 'int64') }, { required: ['seconds'] });

export const containerDefinitions: readonly ObjectDef[] = [
  container,
  ephemeralContainer,
  containerPort,
  envVar,
  envVarSource,
  objectFieldSelector,
  resourceFieldSelector,
  configMapKeySelector,
  secretKeySelector,
  envFromSource,
  configMapEnvSource,
  secretEnvSource,
  volumeMount,
  volumeDevice,
  resourceRequirements,
  resourceClaim,
  containerResizePolicy,
  lifecycle,
  lifecycleHandler,
  sleepAction,
];

