/**
 * Schemas of the Node kind: Node, NodeSpec (taints, pod CIDRs, unschedulable), NodeStatus
 * (capacity, conditions, addresses, system info, images, volumes, runtime handlers) and their
 * parts.
 *
 * Data only; imports only ./dsl and ./core-scheduling (the taint effects).
 */
import { CORE, atomicList, bool, dateTime, gvk, int, int64, keyedList, kindObj, list, map, obj, quantity, ref, string, type ObjectDef } from './dsl.js';
import { TAINT_EFFECTS } from './core-scheduling.js';

const CONDITION_STATUS = ['False', 'True', 'Unknown'] as const;

export const node = kindObj(
  `${CORE}Node`,
  'A worker machine that runs pods. Each node is registered and kept up to date by its kubelet.',
  gvk('', 'v1', 'Node'),
  {
    spec: ref(`${CORE}NodeSpec`, 'How the node is configured for scheduling.'),
    status: ref(`${CORE}NodeStatus`, 'The most recently observed state of the node, reported by its kubelet and the node controller.'),
  },
);

export const nodeSpec = obj(`${CORE}NodeSpec`, 'Scheduling-related configuration of a node.', {
  podCIDR: string('The pod IP range assigned to the node.'),
  podCIDRs: list(string(), 'The pod IP ranges of the node, at most one per address family; the first equals podCIDR.', {
    patchStrategy: 'merge',
    listType: 'set',
  }),
  providerID: string('Identifier of the node given by the cloud provider, as <provider>://<id>.'),
  unschedulable: bool('Keep new pods off the node (cordon). Pods already there keep running.'),
  taints: atomicList(ref(`${CORE}Taint`), 'Taints that repel pods which do not tolerate them.'),
  configSource: ref(`${CORE}NodeConfigSource`, 'Deprecated dynamic kubelet configuration; ignored.'),
  externalID: string('Deprecated; kept only for compatibility.'),
});

export const taint = obj(
  `${CORE}Taint`,
  'Marks a node so that pods without a matching toleration are kept off (or evicted).',
  {
    key: string('Taint key.'),
    value: string('Taint value.'),
    effect: string('What happens to pods that do not tolerate the taint: not scheduled, scheduled only as a last resort, or evicted.', {
      enum: TAINT_EFFECTS,
    }),
    timeAdded: dateTime('When the taint was added; only kept for NoExecute taints.'),
  },
  { required: ['key', 'effect'] },
);

export const nodeConfigSource = obj(`${CORE}NodeConfigSource`, 'Deprecated: where the kubelet took its dynamic configuration from.', {
  configMap: ref(`${CORE}ConfigMapNodeConfigSource`, 'A ConfigMap holding the configuration.'),
});

export const configMapNodeConfigSource = obj(
  `${CORE}ConfigMapNodeConfigSource`,
  'Deprecated: a ConfigMap holding kubelet configuration.',
  {
    namespace: string('Namespace of the ConfigMap.'),
    name: string('Name of the ConfigMap.'),
    uid: string('Uid of the ConfigMap.'),
    resourceVersion: string('ResourceVersion of the ConfigMap.'),
    kubeletConfigKey: string('Key holding the KubeletConfiguration.'),
  },
  { required: ['namespace', 'name', 'kubeletConfigKey'] },
);

export const nodeStatus = obj(`${CORE}NodeStatus`, 'The observed state of a node.', {
  capacity: map(quantity(), 'Total resources of the node (cpu, memory, pods, ephemeral-storage, …).', { goType: 'v1.ResourceList' }),
  allocatable: map(quantity(), 'Resources available to pods, after system reservations. Defaults to capacity.', { goType: 'v1.ResourceList' }),
  phase: string('Deprecated lifecycle phase of the node.', { enum: ['Pending', 'Running', 'Terminated'] }),
  conditions: keyedList(ref(`${CORE}NodeCondition`), 'Current conditions of the node: Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable.', 'type'),
  addresses: keyedList(ref(`${CORE}NodeAddress`), 'Addresses at which the node can be reached.', 'type'),
  daemonEndpoints: ref(`${CORE}NodeDaemonEndpoints`, 'Ports of the daemons on the node.'),
  nodeInfo: ref(`${CORE}NodeSystemInfo`, 'Identifiers and versions of the node software.'),
  images: atomicList(ref(`${CORE}ContainerImage`), 'Container images present on the node.'),
  volumesInUse: atomicList(string(), 'Attachable volumes currently in use (mounted).'),
  volumesAttached: atomicList(ref(`${CORE}AttachedVolume`), 'Volumes attached to the node.'),
  config: ref(`${CORE}NodeConfigStatus`, 'Deprecated status of dynamic kubelet configuration.'),
  runtimeHandlers: atomicList(ref(`${CORE}NodeRuntimeHandler`), 'Runtime handlers available on the node.'),
  features: ref(`${CORE}NodeFeatures`, 'Optional features the node implements.'),
});

export const nodeCondition = obj(
  `${CORE}NodeCondition`,
  'One aspect of the state of a node.',
  {
    type: string('Which aspect: Ready, MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable.'),
    status: string('Whether it holds: True, False or Unknown.', { enum: CONDITION_STATUS }),
    lastHeartbeatTime: dateTime('When the condition was last reported.'),
    lastTransitionTime: dateTime('When the status last changed.'),
    reason: string('CamelCase reason for the last transition.'),
    message: string('Human-readable detail about the last transition.'),
  },
  { required: ['type', 'status'] },
);

export const nodeAddress = obj(
  `${CORE}NodeAddress`,
  'One address of a node.',
  {
    type: string('Hostname, ExternalIP, InternalIP, ExternalDNS or InternalDNS.'),
    address: string('The address.'),
  },
  { required: ['type', 'address'] },
);

export const nodeDaemonEndpoints = obj(`${CORE}NodeDaemonEndpoints`, 'Ports opened by daemons on the node.', {
  kubeletEndpoint: ref(`${CORE}DaemonEndpoint`, 'The port the kubelet listens on.'),
});

export const daemonEndpoint = obj(`${CORE}DaemonEndpoint`, 'One daemon port.', { Port: int('The port number.') }, { required: ['Port'] });

export const nodeSystemInfo = obj(
  `${CORE}NodeSystemInfo`,
  'Identifiers and software versions reported by the node.',
  {
    machineID: string('Machine id from /etc/machine-id.'),
    systemUUID: string('System UUID reported by the hardware.'),
    bootID: string('Identifier of the current boot.'),
    kernelVersion: string('Kernel version (uname -r).'),
    osImage: string('Operating system image name.'),
    containerRuntimeVersion: string('Container runtime and version, as <runtime>://<version>.'),
    kubeletVersion: string('Kubelet version.'),
    kubeProxyVersion: string('Deprecated: kube-proxy version, not reliable.'),
    operatingSystem: string('Operating system, such as linux.'),
    architecture: string('CPU architecture, such as amd64.'),
  },
  {
    required: [
      'machineID',
      'systemUUID',
      'bootID',
      'kernelVersion',
      'osImage',
      'containerRuntimeVersion',
      'kubeletVersion',
      'kubeProxyVersion',
      'operatingSystem',
      'architecture',
    ],
  },
);

export const containerImage = obj(`${CORE}ContainerImage`, 'One container image on a node.', {
  names: atomicList(string(), 'Names and digests the image is known by.'),
  sizeBytes: int64('Size of the image in bytes.'),
});

export const attachedVolume = obj(
  `${CORE}AttachedVolume`,
  'A volume attached to a node.',
  {
    name: string('Name of the attached volume.'),
    devicePath: string('Device path where the volume should be available.'),
  },
  { required: ['name', 'devicePath'] },
);

export const nodeConfigStatus = obj(`${CORE}NodeConfigStatus`, 'Deprecated: the dynamic kubelet configuration state.', {
  assigned: ref(`${CORE}NodeConfigSource`, 'Configuration the node should use.'),
  active: ref(`${CORE}NodeConfigSource`, 'Configuration the node is using.'),
  lastKnownGood: ref(`${CORE}NodeConfigSource`, 'Configuration the node falls back to.'),
  error: string('Problem applying the configuration.'),
});

export const nodeRuntimeHandler = obj(`${CORE}NodeRuntimeHandler`, 'One runtime handler of the node.', {
  name: string('Handler name; empty for the default handler.'),
  features: ref(`${CORE}NodeRuntimeHandlerFeatures`, 'Features the handler supports.'),
});

export const nodeRuntimeHandlerFeatures = obj(`${CORE}NodeRuntimeHandlerFeatures`, 'Features of one runtime handler.', {
  recursiveReadOnlyMounts: bool('Whether recursive read-only mounts are supported.'),
  userNamespaces: bool('Whether user namespaces are supported for pods.'),
});

export const nodeFeatures = obj(`${CORE}NodeFeatures`, 'Optional features the node implements.', {
  supplementalGroupsPolicy: bool('Whether the node honours the pod supplementalGroupsPolicy.'),
});

export const nodeDefinitions: readonly ObjectDef[] = [
  node,
  nodeSpec,
  taint,
  nodeConfigSource,
  configMapNodeConfigSource,
  nodeStatus,
  nodeCondition,
  nodeAddress,
  nodeDaemonEndpoints,
  daemonEndpoint,
  nodeSystemInfo,
  containerImage,
  attachedVolume,
  nodeConfigStatus,
  nodeRuntimeHandler,
  nodeRuntimeHandlerFeatures,
  nodeFeatures,
];
