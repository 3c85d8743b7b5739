/**
 * Wire descriptors of core/v1 PodSpec and PodStatus with their scheduling, security and status
 * parts. Numbers, names and types as in k8s.io/api/core/v1/generated.proto (v1.32), fields in Go
 * struct order; `?` marks Go pointers (see descriptor.ts). Data only.
 */
import { protoPackage } from '../descriptor.js';

export const corePodMessages = protoPackage('core.v1', {
  PodSpec: `
    1 volumes []Volume
    20 initContainers []Container
    2 containers []Container
    34 ephemeralContainers []EphemeralContainer
    3 restartPolicy string
    4 terminationGracePeriodSeconds int64?
    5 activeDeadlineSeconds int64?
    6 dnsPolicy string
    7 nodeSelector map<string,string>
    8 serviceAccountName string
    9 serviceAccount string
    21 automountServiceAccountToken bool?
    10 nodeName string
    11 hostNetwork bool
    12 hostPID bool
    13 hostIPC bool
    27 shareProcessNamespace bool?
    14 securityContext PodSecurityContext?
    15 imagePullSecrets []LocalObjectReference
    16 hostname string
    17 subdomain string
    18 affinity Affinity?
    19 schedulerName string
    22 tolerations []Toleration
    23 hostAliases []HostAlias
    24 priorityClassName string
    25 priority int32?
    26 dnsConfig PodDNSConfig?
    28 readinessGates []PodReadinessGate
    29 runtimeClassName string?
    30 enableServiceLinks bool?
    31 preemptionPolicy string?
    32 overhead map<string,resource.Quantity>
    33 topologySpreadConstraints []TopologySpreadConstraint
    35 setHostnameAsFQDN bool?
    36 os PodOS?
    37 hostUsers bool?
    38 schedulingGates []PodSchedulingGate
    39 resourceClaims []PodResourceClaim
    40 resources ResourceRequirements?
  `,
  PodSecurityContext: `
    1 seLinuxOptions SELinuxOptions?
    8 windowsOptions WindowsSecurityContextOptions?
    2 runAsUser int64?
    6 runAsGroup int64?
    3 runAsNonRoot bool?
    4 supplementalGroups []int64
    12 supplementalGroupsPolicy string?
    5 fsGroup int64?
    7 sysctls []Sysctl
    9 fsGroupChangePolicy string?
    10 seccompProfile SeccompProfile?
    11 appArmorProfile AppArmorProfile?
    13 seLinuxChangePolicy string?
  `,
  Sysctl: '1 name string; 2 value string',
  Affinity: '1 nodeAffinity NodeAffinity?; 2 podAffinity PodAffinity?; 3 podAntiAffinity PodAntiAffinity?',
  NodeAffinity: `
    1 requiredDuringSchedulingIgnoredDuringExecution NodeSelector?
    2 preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm
  `,
  NodeSelector: '1 nodeSelectorTerms []NodeSelectorTerm',
  NodeSelectorTerm: '1 matchExpressions []NodeSelectorRequirement; 2 matchFields []NodeSelectorRequirement',
  NodeSelectorRequirement: '1 key string; 2 operator string; 3 values []string',
  PreferredSchedulingTerm: '1 weight int32; 2 preference NodeSelectorTerm',
  PodAffinity: `
    1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm
    2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm
  `,
  PodAntiAffinity: `
    1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm
    2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm
  `,
  PodAffinityTerm: `
    1 labelSelector meta.v1.LabelSelector?
    2 namespaces []string
    3 topologyKey string
    4 namespaceSelector meta.v1.LabelSelector?
    5 matchLabelKeys []string
    6 mismatchLabelKeys []string
  `,
  WeightedPodAffinityTerm: '1 weight int32; 2 podAffinityTerm PodAffinityTerm',
  Toleration: '1 key string; 2 operator string; 3 value string; 4 effect string; 5 tolerationSeconds int64?',
  TopologySpreadConstraint: `
    1 maxSkew int32
    2 topologyKey string
    3 whenUnsatisfiable string
    4 labelSelector meta.v1.LabelSelector?
    5 minDomains int32?
    6 nodeAffinityPolicy string?
    7 nodeTaintsPolicy string?
    8 matchLabelKeys []string
  `,
  HostAlias: '1 ip string; 2 hostnames []string',
  PodDNSConfig: '1 nameservers []string; 2 searches []string; 3 options []PodDNSConfigOption',
  PodDNSConfigOption: '1 name string; 2 value string?',
  PodReadinessGate: '1 conditionType string',
  PodOS: '1 name string',
  PodSchedulingGate: '1 name string',
  PodResourceClaim: '1 name string; 3 resourceClaimName string?; 4 resourceClaimTemplateName string?',
  PodStatus: `
    1 phase string
    2 conditions []PodCondition
    3 message string
    4 reason string
    11 nominatedNodeName string
    5 hostIP string
    16 hostIPs []HostIP
    6 podIP string
    12 podIPs []PodIP
    7 startTime meta.v1.Time?
    10 initContainerStatuses []ContainerStatus
    8 containerStatuses []ContainerStatus
    9 qosClass string
    13 ephemeralContainerStatuses []ContainerStatus
    14 resize string
    15 resourceClaimStatuses []PodResourceClaimStatus
  `,
  PodCondition: `
    1 type string
    2 status string
    3 lastProbeTime meta.v1.Time
    4 lastTransitionTime meta.v1.Time
    5 reason string
    6 message string
  `,
  HostIP: '1 ip string',
  PodIP: '1 ip string',
  ContainerStatus: `
    1 name string
    2 state ContainerState
    3 lastState ContainerState
    4 ready bool
    5 restartCount int32
    6 image string
    7 imageID string
    8 containerID string
    9 started bool?
    10 allocatedResources map<string,resource.Quantity>
    11 resources ResourceRequirements?
    12 volumeMounts []VolumeMountStatus
    13 user ContainerUser?
    14 allocatedResourcesStatus []ResourceStatus
  `,
  ContainerState: `
    1 waiting ContainerStateWaiting?
    2 running ContainerStateRunning?
    3 terminated ContainerStateTerminated?
  `,
  ContainerStateWaiting: '1 reason string; 2 message string',
  ContainerStateRunning: '1 startedAt meta.v1.Time',
  ContainerStateTerminated: `
    1 exitCode int32
    2 signal int32
    3 reason string
    4 message string
    5 startedAt meta.v1.Time
    6 finishedAt meta.v1.Time
    7 containerID string
  `,
  VolumeMountStatus: '1 name string; 2 mountPath string; 3 readOnly bool; 4 recursiveReadOnly string?',
  ContainerUser: '1 linux LinuxContainerUser?',
  LinuxContainerUser: '1 uid int64; 2 gid int64; 3 supplementalGroups []int64',
  ResourceStatus: '1 name string; 2 resources []ResourceHealth',
  ResourceHealth: '1 resourceID string; 2 health string',
  PodResourceClaimStatus: '1 name string; 2 resourceClaimName string?',
});
