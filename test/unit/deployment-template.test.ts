import { describe, expect, it } from 'vitest';
import type { PodTemplateSpec } from '../../shared/api/core.js';
import { computeHash, equalIgnoringHash, POD_TEMPLATE_HASH } from '../../services/controller-manager/deployment/template-hash.js';
import { fenceposts, maxUnavailable, scaledValue } from '../../services/controller-manager/deployment/deployment-spec.js';
import { kubiaDeployment } from '../support/deployment-harness.js';

const tpl = (image: string, extra: Partial<PodTemplateSpec['spec']> = {}): PodTemplateSpec => ({
  metadata: { labels: { app: 'kubia' } },
  spec: { containers: [{ name: 'nodejs', image }], ...extra },
});

describe('pod-template hash', () => {
  it('is stable for one template, different for another, and spelled in the safe alphabet', () => {
    const a = computeHash(tpl('luksa/kubia:v1'));
    expect(computeHash(tpl('luksa/kubia:v1'))).toBe(a);
    expect(computeHash(tpl('luksa/kubia:v2'))).not.toBe(a);
    expect(a).toMatch(/^[4-9bcdf]{1,10}$/); // digits map onto 4 5 6 7 8 9 b c d f
  });

  it('ignores key order and empty values, as a round trip through the api-server may change them', () => {
    const reordered: PodTemplateSpec = { spec: { containers: [{ image: 'luksa/kubia:v1', name: 'nodejs', env: [] }], volumes: [] }, metadata: { annotations: {}, labels: { app: 'kubia' } } };
    expect(computeHash(reordered)).toBe(computeHash(tpl('luksa/kubia:v1')));
  });

  it('changes with the collision count', () => {
    const base = computeHash(tpl('luksa/kubia:v1'));
    const c1 = computeHash(tpl('luksa/kubia:v1'), 1);
    expect(c1).not.toBe(base);
    expect(computeHash(tpl('luksa/kubia:v1'), 2)).not.toBe(c1);
    expect(computeHash(tpl('luksa/kubia:v1'), 0)).not.toBe(base); // a set count, even 0, is hashed as Kubernetes does
  });

  it('compares templates ignoring the pod-template-hash label only', () => {
    const withHash = tpl('luksa/kubia:v1');
    withHash.metadata!.labels![POD_TEMPLATE_HASH] = 'abc';
    expect(equalIgnoringHash(withHash, tpl('luksa/kubia:v1'))).toBe(true);
    expect(equalIgnoringHash(withHash, tpl('luksa/kubia:v2'))).toBe(false);
    expect(equalIgnoringHash(tpl('x', { restartPolicy: 'Always' }), tpl('x'))).toBe(false);
  });
});

describe('rolling-update fenceposts', () => {
  const rolling = (replicas: number, maxSurge?: number | string, maxUnavail?: number | string) =>
    kubiaDeployment('d', { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable: maxUnavail } } });

  it('rounds a percentage of surge up and of unavailability down (25 % of 3 → surge 1, unavailable 0)', () => {
    expect(fenceposts(rolling(3))).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(fenceposts(rolling(10, '25%', '25%'))).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(fenceposts(rolling(10, 2, '50%'))).toEqual({ maxSurge: 2, maxUnavailable: 5 });
  });

  it('lets one pod be unavailable when both come out 0, and never more than replicas', () => {
    expect(fenceposts(rolling(3, 0, 0))).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(maxUnavailable(rolling(2, 0, 5))).toBe(2);
    expect(maxUnavailable(rolling(0, 0, 5))).toBe(0);
  });

  it('gives Recreate no budget at all', () => {
    expect(fenceposts(kubiaDeployment('d', { strategy: { type: 'Recreate' } }))).toEqual({ maxSurge: 0, maxUnavailable: 0 });
  });

  it('refuses a string that is not a percentage with an Invalid Status', () => {
    expect(scaledValue('50%', 5, true, 'f')).toBe(3);
    expect(() => scaledValue('two', 5, true, 'spec.strategy.rollingUpdate.maxSurge', 'web')).toThrow(/maxSurge.*a valid percent string/);
  });
});
