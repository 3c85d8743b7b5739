/**
 * Schemas of the Pod kind: Pod, PodSpec, PodStatus with its conditions and container statuses,
 * PodTemplateSpec (embedded by every workload controller), Binding (the pods/binding
 * subresource) and the small pod-level types (DNS config, host aliases, readiness and scheduling
 * gates, OS, resource claims). Containers, probes, security, scheduling and volumes have files
 * of their own.
 *
 * Data only; imports only ./dsl.
 */
import {
  CORE,
  OBJECT_META,
  atomicList,
  bool,
  dateTime,
  gvk,
  int,
  int64,
  keyedList,
  kindObj,
  list,
  map,
  obj,
  quantity,
  ref,
  string,
  type ObjectDef,
} from './dsl.js';

const CONDITION_STATUS = ['False', 'True', 'Unknown'] as const;

export const pod = kindObj(
  `${CORE}Pod`,
  'A group of containers that run together on one node, sharing network and storage. Created by users or by controllers, scheduled onto a node, and run by its kubelet.',
  gvk('', 'v1', 'Pod'),
  {
    spec: ref(`${CORE}PodSpec`, 'The desired behaviour of the pod.'),
    status: ref(`${CORE}PodStatus`, 'The most recently observed state of the pod, written by the system. May lag behind reality.'),
  },
);

export const podSpec = obj(
  `${CORE}PodSpec`,
  'The desired state of a pod: its containers, volumes, and how and where it should run.',
  {
    volumes: list(ref(`${CORE}Volume`), 'Volumes that containers of the pod can mount.', {
      mergeKey: 'name',
      patchStrategy: 'merge,retainKeys',
      listType: 'map',
      listMapKeys: ['name'],
    }),
    initContainers: keyedList(ref(`${CORE}Container`), 'Containers run one after another, each to completion, before the app containers start. A failure restarts the pod per its restart policy.', 'name'),
    containers: keyedList(ref(`${CORE}Container`), 'The app containers. At least one is required; the list cannot be changed once the pod exists.', 'name'),
    ephemeralContainers: keyedList(ref(`${CORE}EphemeralContainer`), 'Debugging containers added to the running pod through the ephemeralcontainers subresource.', 'name'),
    restartPolicy: string('When containers are restarted after they exit: Always (the default), OnFailure, or Never.', { enum: ['Always', 'Never', 'OnFailure'] }),
    terminationGracePeriodSeconds: int64('Seconds between the termination signal and the forced kill. Defaults to 30; 0 kills at once.'),
    activeDeadlineSeconds: int64('Seconds the pod may be active, counted from its start, before the system fails it.'),
    dnsPolicy: string('How DNS is configured for the pod. Defaults to ClusterFirst.', { enum: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] }),
    nodeSelector: map(string(), 'Labels a node must have for the pod to be scheduled onto it.', { mapType: 'atomic' }),
    serviceAccountName: string('The service account the pod runs as.'),
    serviceAccount: string('Deprecated alias of serviceAccountName.'),
    automountServiceAccountToken: bool('Whether the service account token is mounted automatically.'),
    nodeName: string('The node the pod is bound to. Set by the scheduler (through a binding); setting it directly bypasses scheduling.'),
    hostNetwork: bool("Use the node's network namespace; ports must then be host ports."),
    hostPID: bool("Use the node's PID namespace."),
    hostIPC: bool("Use the node's IPC namespace."),
    shareProcessNamespace: bool('Share one PID namespace between all containers of the pod, so they can see and signal each other.'),
    securityContext: ref(`${CORE}PodSecurityContext`, 'Security settings for the whole pod.'),
    imagePullSecrets: keyedList(ref(`${CORE}LocalObjectReference`), 'Secrets in the same namespace used to pull the images.', 'name'),
    hostname: string("Hostname of the pod; the pod name by default."),
    subdomain: string('With a headless Service of this name, the pod gets the DNS name <hostname>.<subdomain>.<namespace>.svc.<cluster domain>.'),
    affinity: ref(`${CORE}Affinity`, 'Scheduling constraints based on nodes and other pods.'),
    schedulerName: string('The scheduler that handles the pod; the default scheduler when empty.'),
    tolerations: atomicList(ref(`${CORE}Toleration`), 'Taints the pod tolerates.'),
    hostAliases: keyedList(ref(`${CORE}HostAlias`), "Extra entries for the pod's /etc/hosts.", 'ip'),
    priorityClassName: string('Name of the PriorityClass giving the pod its priority.'),
    priority: int('The priority value, resolved from priorityClassName by admission. Higher runs first.'),
    dnsConfig: ref(`${CORE}PodDNSConfig`, 'DNS settings merged with those chosen by dnsPolicy.'),
    readinessGates: atomicList(ref(`${CORE}PodReadinessGate`), 'Extra conditions that must be True for the pod to be ready.'),
    runtimeClassName: string('The RuntimeClass used to run the pod.'),
    enableServiceLinks: bool('Inject Service information as environment variables, Docker-links style. Defaults to true.'),
    preemptionPolicy: string('Whether the pod may preempt lower-priority pods. Defaults to PreemptLowerPriority.', { enum: ['Never', 'PreemptLowerPriority'] }),
    overhead: map(quantity(), 'Resources consumed by the pod sandbox on top of its containers, set by RuntimeClass admission.', { goType: 'v1.ResourceList' }),
    topologySpreadConstraints: list(ref(`${CORE}TopologySpreadConstraint`), 'How matching pods should be spread across topology domains.', {
      mergeKey: 'topologyKey',
      patchStrategy: 'merge',
      listType: 'map',
      listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
    }),
    setHostnameAsFQDN: bool("Make the pod's hostname its fully qualified domain name."),
    os: ref(`${CORE}PodOS`, 'The operating system the containers need; used for validation and scheduling.'),
    hostUsers: bool("Use the node's user namespace (the default); false gives the pod its own."),
    schedulingGates: keyedList(ref(`${CORE}PodSchedulingGate`), 'While any gate remains the pod is not scheduled. Gates may only be removed.', 'name'),
    resourceClaims: list(ref(`${CORE}PodResourceClaim`), 'Resource claims the containers may use (dynamic resource allocation).', {
      mergeKey: 'name',
      patchStrategy: 'merge,retainKeys',
      listType: 'map',
      listMapKeys: ['name'],
    }),
    resources: ref(`${CORE}ResourceRequirements`, 'Resources for the pod as a whole, shared by its containers.'),
  },
  { required: ['containers'] },
);

export const podStatus = obj(`${CORE}PodStatus`, 'The observed state of a pod.', {
  phase: string('Where the pod is in its lifecycle: Pending, Running, Succeeded, Failed, or Unknown.', {
    enum: ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'],
  }),
  conditions: keyedList(ref(`${CORE}PodCondition`), 'Current service state of the pod (PodScheduled, Initialized, ContainersReady, Ready, …).', 'type'),
  message: string('Human-readable detail about why the pod is in this state.'),
  reason: string('Short CamelCase reason for the state, such as Evicted.'),
  nominatedNodeName: string('The node the scheduler preempted other pods on for this pod; not a guarantee it will be bound there.'),
  hostIP: string('Primary IP address of the node the pod runs on.'),
  hostIPs: list(ref(`${CORE}HostIP`), 'IP addresses of the node, the first equal to hostIP.', { mergeKey: 'ip', patchStrategy: 'merge', listType: 'atomic' }),
  podIP: string('Primary IP address of the pod; empty until assigned.'),
  podIPs: keyedList(ref(`${CORE}PodIP`), 'IP addresses of the pod, at most one per family, the first equal to podIP.', 'ip'),
  startTime: dateTime('When the kubelet acknowledged the pod, before any image was pulled.'),
  initContainerStatuses: atomicList(ref(`${CORE}ContainerStatus`), 'One status per init container.'),
  containerStatuses: atomicList(ref(`${CORE}ContainerStatus`), 'One status per app container.'),
  qosClass: string('Quality of service class derived from the resource requests and limits.', { enum: ['BestEffort', 'Burstable', 'Guaranteed'] }),
  ephemeralContainerStatuses: atomicList(ref(`${CORE}ContainerStatus`), 'One status per ephemeral container.'),
  resize: string('Progress of an in-place resize of the pod resources.', { enum: ['Deferred', 'InProgress', 'Infeasible', 'Proposed'] }),
  resourceClaimStatuses: list(ref(`${CORE}PodResourceClaimStatus`), 'Names of the ResourceClaims generated for the pod resource claims.', {
    mergeKey: 'name',
    patchStrategy: 'merge,retainKeys',
    listType: 'map',
    listMapKeys: ['name'],
  }),
});

export const podCondition = obj(
  `${CORE}PodCondition`,
  'One aspect of the state of a pod.',
  {
    type: string('Which aspect: PodScheduled, Initialized, ContainersReady, Ready, PodReadyToStartContainers, DisruptionTarget, or a readiness gate.'),
    status: string('Whether it holds: True, False or Unknown.', { enum: CONDITION_STATUS }),
    lastProbeTime: dateTime('When the condition was last checked.'),
    lastTransitionTime: dateTime('When the status last changed.'),
    reason: string('CamelCase reason for the last transition.'),
    message: string('Human-readable detail about the last transition.'),
  },
  { required: ['type', 'status'] },
);

export const hostIP = obj(`${CORE}HostIP`, 'One IP address of the node.', { ip: string('The address.') }, { required: ['ip'] });
export const podIP = obj(`${CORE}PodIP`, 'One IP address of the pod.', { ip: string('The address.') }, { required: ['ip'] });

export const containerStatus = obj(
  `${CORE}ContainerStatus`,
  'What the kubelet knows about one container of the pod.',
  {
    name: string('Name of the container, as in the pod spec.'),
    state: ref(`${CORE}ContainerState`, 'What the container is doing now.'),
    lastState: ref(`${CORE}ContainerState`, 'How the previous run of the container ended, when it was restarted.'),
    ready: bool('Whether the container passes its readiness probe (true when it has none and is running).'),
    restartCount: int('How many times the container has been restarted.'),
    image: string('The image the container runs.'),
    imageID: string('The resolved image identifier, such as a digest.'),
    containerID: string('Runtime identifier of the container, as <type>://<id>.'),
    started: bool('Whether the container has passed its startup probe (true when it has none and is running).'),
    allocatedResources: map(quantity(), 'Resources the node has set aside for the container.', { goType: 'v1.ResourceList' }),
    resources: ref(`${CORE}ResourceRequirements`, 'Resource requests and limits actually applied to the running container.'),
    volumeMounts: keyedList(ref(`${CORE}VolumeMountStatus`), 'State of each volume mount.', 'mountPath'),
    user: ref(`${CORE}ContainerUser`, 'Identity the first process of the container runs as.'),
    allocatedResourcesStatus: keyedList(ref(`${CORE}ResourceStatus`), 'Health of the devices allocated to the container.', 'name'),
  },
  { required: ['name', 'ready', 'restartCount', 'image', 'imageID'] },
);

export const containerState = obj(`${CORE}ContainerState`, 'The state of a container; exactly one member is set, waiting by default.', {
  waiting: ref(`${CORE}ContainerStateWaiting`, 'The container is not running yet.'),
  running: ref(`${CORE}ContainerStateRunning`, 'The container is running.'),
  terminated: ref(`${CORE}ContainerStateTerminated`, 'The container has exited.'),
});

export const containerStateWaiting = obj(`${CORE}ContainerStateWaiting`, 'A container that is not running yet.', {
  reason: string('Why it is waiting, such as ContainerCreating, ErrImagePull or CrashLoopBackOff.'),
  message: string('Detail about why it is waiting.'),
});

export const containerStateRunning = obj(`${CORE}ContainerStateRunning`, 'A running container.', {
  startedAt: dateTime('When the container last (re)started.'),
});

export const containerStateTerminated = obj(
  `${CORE}ContainerStateTerminated`,
  'A container that has exited.',
  {
    exitCode: int('Exit status of the last run.'),
    signal: int('Signal that ended the last run, if any.'),
    reason: string('Why it ended, such as Completed, Error or OOMKilled.'),
    message: string('Detail about how it ended.'),
    startedAt: dateTime('When the last run started.'),
    finishedAt: dateTime('When the last run ended.'),
    containerID: string('Runtime identifier of the container, as <type>://<id>.'),
  },
  { required: ['exitCode'] },
);

export const volumeMountStatus = obj(
  `${CORE}VolumeMountStatus`,
  'State of one volume mount.',
  {
    name: string('Name of the mount, as in the container spec.'),
    mountPath: string('Where the volume is mounted.'),
    readOnly: bool('Whether the mount is read-only.'),
    recursiveReadOnly: string('Whether read-only was applied recursively.', { enum: ['Disabled', 'Enabled', 'IfPossible'] }),
  },
  { required: ['name', 'mountPath'] },
);

export const containerUser = obj(`${CORE}ContainerUser`, 'Identity information of a container process.', {
  linux: ref(`${CORE}LinuxContainerUser`, 'The Linux identity; unset on other systems.'),
});

export const linuxContainerUser = obj(
  `${CORE}LinuxContainerUser`,
  'The Linux identity of the first process of a container.',
  {
    uid: int64('Primary user id.'),
    gid: int64('Primary group id.'),
    supplementalGroups: atomicList(int64(), 'Supplementary group ids.'),
  },
  { required: ['uid', 'gid'] },
);

export const resourceStatus = obj(
  `${CORE}ResourceStatus`,
  'Health of the devices behind one allocated resource.',
  {
    name: string('Resource name, such as a device plugin resource or claim:<claim>/<request>.'),
    resources: list(ref(`${CORE}ResourceHealth`), 'Health of each allocated device.', { listType: 'map', listMapKeys: ['resourceID'] }),
  },
  { required: ['name'] },
);

export const resourceHealth = obj(
  `${CORE}ResourceHealth`,
  'Health of one device.',
  {
    resourceID: string('Identifier of the device.'),
    health: string('Healthy, Unhealthy, or Unknown.', { enum: ['Healthy', 'Unhealthy', 'Unknown'] }),
  },
  { required: ['resourceID'] },
);

export const podTemplateSpec = obj(`${CORE}PodTemplateSpec`, 'The pods a controller creates: their metadata and spec.', {
  metadata: ref(OBJECT_META, 'Metadata (mostly labels and annotations) given to every pod made from the template.'),
  spec: ref(`${CORE}PodSpec`, 'The spec of every pod made from the template.'),
});

export const podDNSConfig = obj(`${CORE}PodDNSConfig`, 'DNS parameters of a pod, on top of those from the DNS policy.', {
  nameservers: atomicList(string(), 'Name server addresses, appended to the generated ones without duplicates.'),
  searches: atomicList(string(), 'DNS search domains, appended to the generated ones without duplicates.'),
  options: atomicList(ref(`${CORE}PodDNSConfigOption`), 'Resolver options; these override generated options of the same name.'),
});

export const podDNSConfigOption = obj(`${CORE}PodDNSConfigOption`, 'One resolver option.', {
  name: string('Option name, such as ndots.'),
  value: string('Option value, if it takes one.'),
});

export const hostAlias = obj(
  `${CORE}HostAlias`,
  "An /etc/hosts entry of the pod.",
  {
    ip: string('The IP address.'),
    hostnames: atomicList(string(), 'Host names for the address.'),
  },
  { required: ['ip'] },
);

export const podReadinessGate = obj(
  `${CORE}PodReadinessGate`,
  'An extra condition the pod must meet to be ready.',
  { conditionType: string('The pod condition type that must be True.') },
  { required: ['conditionType'] },
);

export const podOS = obj(`${CORE}PodOS`, 'The operating system a pod needs.', { name: string('linux or windows.') }, { required: ['name'] });

export const podSchedulingGate = obj(
  `${CORE}PodSchedulingGate`,
  'One reason the pod must not be scheduled yet.',
  { name: string('Name of the gate; unique within the pod.') },
  { required: ['name'] },
);

export const podResourceClaim = obj(
  `${CORE}PodResourceClaim`,
  'A resource claim the pod uses, by claim name or generated from a template.',
  {
    name: string('Name by which containers refer to the claim; unique within the pod.'),
    resourceClaimName: string('An existing ResourceClaim in the pod namespace.'),
    resourceClaimTemplateName: string('A ResourceClaimTemplate from which a claim is generated for this pod.'),
  },
  { required: ['name'] },
);

export const podResourceClaimStatus = obj(
  `${CORE}PodResourceClaimStatus`,
  'The ResourceClaim generated for one pod resource claim.',
  {
    name: string('The pod resource claim this entry is about.'),
    resourceClaimName: string('Name of the generated ResourceClaim; unset when none was needed.'),
  },
  { required: ['name'] },
);

export const binding = kindObj(
  `${CORE}Binding`,
  'Binds one object to another; posted to pods/binding by a scheduler to place a pod on a node.',
  gvk('', 'v1', 'Binding'),
  { target: ref(`${CORE}ObjectReference`, 'The object to bind to (a Node for pods).') },
  { required: ['target'] },
);

export const podDefinitions: readonly ObjectDef[] = [
  pod,
  podSpec,
  podStatus,
  podCondition,
  hostIP,
  podIP,
  containerStatus,
  containerState,
  containerStateWaiting,
  containerStateRunning,
  containerStateTerminated,
  volumeMountStatus,
  containerUser,
  linuxContainerUser,
  resourceStatus,
  resourceHealth,
  podTemplateSpec,
  podDNSConfig,
  podDNSConfigOption,
  hostAlias,
  podReadinessGate,
  podOS,
  podSchedulingGate,
  podResourceClaim,
  podResourceClaimStatus,
  binding,
];
