/**
 * Wire descriptors of the named API groups kubectl's typed generators write to: apps/v1
 * (Deployment, ReplicaSet), autoscaling/v1 (HorizontalPodAutoscaler from `kubectl autoscale`,
 * Scale) and policy/v1 (Eviction). Numbers, names and types as in k8s.io/api/<group>/v1/
 * generated.proto (v1.32), fields in Go struct order; `?` marks Go pointers. Data only.
 */
import { protoPackage, type MessageDescriptor } from '../descriptor.js';

export const groupMessages: MessageDescriptor[] = [
  ...protoPackage('apps.v1', {
    Deployment: '1 metadata meta.v1.ObjectMeta; 2 spec DeploymentSpec; 3 status DeploymentStatus',
    ReplicaSet: '1 metadata meta.v1.ObjectMeta; 2 spec ReplicaSetSpec; 3 status ReplicaSetStatus',
    DeploymentSpec: `
      1 replicas int32?
      2 selector meta.v1.LabelSelector?
      3 template core.v1.PodTemplateSpec
      4 strategy DeploymentStrategy
      5 minReadySeconds int32
      6 revisionHistoryLimit int32?
      7 paused bool
      9 progressDeadlineSeconds int32?
    `,
    DeploymentStatus: `
      1 observedGeneration int64
      2 replicas int32
      3 updatedReplicas int32
      7 readyReplicas int32
      4 availableReplicas int32
      5 unavailableReplicas int32
      6 conditions []DeploymentCondition
      8 collisionCount int32?
    `,
    ReplicaSetSpec: `
      1 replicas int32?
      4 minReadySeconds int32
      2 selector meta.v1.LabelSelector?
      3 template core.v1.PodTemplateSpec
    `,
    ReplicaSetStatus: `
      1 replicas int32
      2 fullyLabeledReplicas int32
      4 readyReplicas int32
      5 availableReplicas int32
      3 observedGeneration int64
      6 conditions []ReplicaSetCondition
    `,
    DeploymentStrategy: '1 type string; 2 rollingUpdate RollingUpdateDeployment?',
    DeploymentCondition: `
      1 type string
      2 status string
      6 lastUpdateTime meta.v1.Time
      7 lastTransitionTime meta.v1.Time
      4 reason string
      5 message string
    `,
    ReplicaSetCondition: '1 type string; 2 status string; 3 lastTransitionTime meta.v1.Time; 4 reason string; 5 message string',
    RollingUpdateDeployment: '1 maxUnavailable intstr.IntOrString?; 2 maxSurge intstr.IntOrString?',
  }),
  ...protoPackage('autoscaling.v1', {
    HorizontalPodAutoscaler: `
      1 metadata meta.v1.ObjectMeta
      2 spec HorizontalPodAutoscalerSpec
      3 status HorizontalPodAutoscalerStatus
    `,
    Scale: '1 metadata meta.v1.ObjectMeta; 2 spec ScaleSpec; 3 status ScaleStatus',
    HorizontalPodAutoscalerSpec: `
      1 scaleTargetRef CrossVersionObjectReference
      2 minReplicas int32?
      3 maxReplicas int32
      4 targetCPUUtilizationPercentage int32?
    `,
    HorizontalPodAutoscalerStatus: `
      1 observedGeneration int64?
      2 lastScaleTime meta.v1.Time?
      3 currentReplicas int32
      4 desiredReplicas int32
      5 currentCPUUtilizationPercentage int32?
    `,
    ScaleSpec: '1 replicas int32',
    ScaleStatus: '1 replicas int32; 2 selector string',
    CrossVersionObjectReference: '1 kind string; 2 name string; 3 apiVersion string',
  }),
  ...protoPackage('policy.v1', {
    Eviction: '1 metadata meta.v1.ObjectMeta; 2 deleteOptions meta.v1.DeleteOptions?',
  }),
];
