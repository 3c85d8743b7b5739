/**
 * Wire descriptors of the core/v1 kinds other than the pod's insides: Namespace, ConfigMap,
 * Secret, ServiceAccount, Service, ReplicationController, Pod, PodTemplateSpec and their parts.
 * Numbers, names and types as in k8s.io/api/core/v1/generated.proto (v1.32), fields in Go struct
 * order; `?` marks Go pointers (see descriptor.ts). Data only.
 */
import { protoPackage } from '../descriptor.js';

export const coreObjectMessages = protoPackage('core.v1', {
  Namespace: '1 metadata meta.v1.ObjectMeta; 2 spec NamespaceSpec; 3 status NamespaceStatus',
  NamespaceSpec: '1 finalizers []string',
  NamespaceStatus: '1 phase string; 2 conditions []NamespaceCondition',
  NamespaceCondition: '1 type string; 2 status string; 4 lastTransitionTime meta.v1.Time; 5 reason string; 6 message string',
  ConfigMap: `
    1 metadata meta.v1.ObjectMeta
    4 immutable bool?
    2 data map<string,string>
    3 binaryData map<string,bytes>
  `,
  Secret: `
    1 metadata meta.v1.ObjectMeta
    5 immutable bool?
    2 data map<string,bytes>
    4 stringData map<string,string>
    3 type string
  `,
  ServiceAccount: `
    1 metadata meta.v1.ObjectMeta
    2 secrets []ObjectReference
    3 imagePullSecrets []LocalObjectReference
    4 automountServiceAccountToken bool?
  `,
  ObjectReference: `
    1 kind string
    2 namespace string
    3 name string
    4 uid string
    5 apiVersion string
    6 resourceVersion string
    7 fieldPath string
  `,
  LocalObjectReference: '1 name string',
  Service: '1 metadata meta.v1.ObjectMeta; 2 spec ServiceSpec; 3 status ServiceStatus',
  ServiceSpec: `
    1 ports []ServicePort
    2 selector map<string,string>
    3 clusterIP string
    18 clusterIPs []string
    4 type string
    5 externalIPs []string
    7 sessionAffinity string
    8 loadBalancerIP string
    9 loadBalancerSourceRanges []string
    10 externalName string
    11 externalTrafficPolicy string
    12 healthCheckNodePort int32
    13 publishNotReadyAddresses bool
    14 sessionAffinityConfig SessionAffinityConfig?
    19 ipFamilies []string
    17 ipFamilyPolicy string?
    20 allocateLoadBalancerNodePorts bool?
    21 loadBalancerClass string?
    22 internalTrafficPolicy string?
    23 trafficDistribution string?
  `,
  ServicePort: `
    1 name string
    2 protocol string
    6 appProtocol string?
    3 port int32
    4 targetPort intstr.IntOrString
    5 nodePort int32
  `,
  SessionAffinityConfig: '1 clientIP ClientIPConfig?',
  ClientIPConfig: '1 timeoutSeconds int32?',
  ServiceStatus: '1 loadBalancer LoadBalancerStatus; 2 conditions []meta.v1.Condition',
  LoadBalancerStatus: '1 ingress []LoadBalancerIngress',
  LoadBalancerIngress: '1 ip string; 2 hostname string; 3 ipMode string?; 4 ports []PortStatus',
  PortStatus: '1 port int32; 2 protocol string; 3 error string?',
  ReplicationController: `
    1 metadata meta.v1.ObjectMeta
    2 spec ReplicationControllerSpec
    3 status ReplicationControllerStatus
  `,
  ReplicationControllerSpec: `
    1 replicas int32?
    4 minReadySeconds int32
    2 selector map<string,string>
    3 template PodTemplateSpec?
  `,
  ReplicationControllerStatus: `
    1 replicas int32
    2 fullyLabeledReplicas int32
    4 readyReplicas int32
    5 availableReplicas int32
    3 observedGeneration int64
    6 conditions []ReplicationControllerCondition
  `,
  ReplicationControllerCondition: '1 type string; 2 status string; 3 lastTransitionTime meta.v1.Time; 4 reason string; 5 message string',
  Pod: '1 metadata meta.v1.ObjectMeta; 2 spec PodSpec; 3 status PodStatus',
  PodTemplateSpec: '1 metadata meta.v1.ObjectMeta; 2 spec PodSpec',
});
