import { describe, expect, it } from 'vitest';
import { CONTROLLERS, selectControllers } from '../../services/controller-manager/controllers.js';
import { settingsFor } from '../../services/controller-manager/context.js';
import { PROFILES } from '../../shared/runtime/profile.js';

const names = (spec?: string) => selectControllers(spec).map((c) => c.name);

describe('controller registry', () => {
  it('runs every controller by default, in registry order', () => {
    expect(names()).toEqual(CONTROLLERS.map((c) => c.name));
    expect(names()).toEqual(['node-lifecycle', 'node-lease', 'taint-eviction', 'pod-gc', 'deployment', 'replicationcontroller', 'replicaset', 'garbage-collector', 'endpoint', 'endpointslice', 'endpointslice-mirroring', 'service-lb', 'horizontalpodautoscaling']);
  });

  it("reads kube-controller-manager's --controllers grammar", () => {
    expect(names('*,-pod-gc')).toEqual(['node-lifecycle', 'node-lease', 'taint-eviction', 'deployment', 'replicationcontroller', 'replicaset', 'garbage-collector', 'endpoint', 'endpointslice', 'endpointslice-mirroring', 'service-lb', 'horizontalpodautoscaling']);
    expect(names('node-lifecycle, taint-eviction')).toEqual(['node-lifecycle', 'taint-eviction']);
    expect(names('-pod-gc')).toEqual([]);
  });

  it('refuses an unknown controller name instead of silently running nothing', () => {
    expect(() => names('*,-podgc')).toThrow('unknown controller "podgc"');
  });

  it('takes Kubernetes settings under the kubernetes profile and fast ones by default', () => {
    expect(settingsFor(PROFILES.kubernetes)).toEqual({
      terminatedPodGcThreshold: 12_500,
      podGcPeriodMs: 20_000,
      podGcQuarantineMs: 40_000,
      nodeLeaseRenewIntervalMs: 10_000,
      nodeLeaseWritesPerSecond: 20,
    });
    expect(settingsFor(PROFILES.default, { terminatedPodGcThreshold: 5, nodeLeaseWritesPerSecond: undefined })).toMatchObject({
      terminatedPodGcThreshold: 5,
      podGcPeriodMs: 1000,
      nodeLeaseRenewIntervalMs: 1000,
      nodeLeaseWritesPerSecond: 20,
    });
  });
});
