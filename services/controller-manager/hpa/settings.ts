/**
 * The horizontal pod autoscaler's settings, kube-controller-manager's `--horizontal-pod-autoscaler-*`
 * flags, with defaults per profile: Kubernetes' own under `--profile kubernetes`, faster ones by
 * default so a demo scales up and back down within a minute or two.
 *
 *                                      default   kubernetes
 *   sync period                        3 s       15 s     (each HPA is evaluated this often)
 *   downscale stabilisation window     15 s      300 s    (highest recent recommendation wins when
 *                                                          scaling down; HPAs without their own
 *                                                          scaleDown.stabilizationWindowSeconds)
 *   tolerance                          0.1       0.1      (no change while |1 - ratio| <= tolerance)
 *   CPU initialisation period          20 s      300 s    (a new pod's CPU samples need care)
 *   initial readiness delay            5 s       30 s     (readiness flapping right after start)
 */
import type { Profile } from '../../../shared/runtime/profile.js';

export interface HpaSettings {
  syncPeriodMs: number;
  downscaleStabilizationMs: number;
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
}

export function hpaSettingsFor(profile: Pick<Profile, 'name'>, overrides: Partial<HpaSettings> = {}): HpaSettings {
  const kube = profile.name === 'kubernetes';
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<HpaSettings>;
  return {
    syncPeriodMs: kube ? 15_000 : 3000,
    downscaleStabilizationMs: kube ? 300_000 : 15_000,
    tolerance: 0.1,
    cpuInitializationPeriodMs: kube ? 300_000 : 20_000,
    initialReadinessDelayMs: kube ? 30_000 : 5000,
    ...defined,
  };
}
