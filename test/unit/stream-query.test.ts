import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/api/meta.js';
import { resourceByPlural, resourceFor, type ResourceInfo } from '../../shared/api/resources.js';
import { StatusError } from '../../shared/api/errors.js';
import { parseStreamQuery, streamSelection, streamableResources } from '../../services/api-server/stream/query.js';
import type { CacheEvent } from '../../services/api-server/watch-cache.js';

const q = (s: string) => parseStreamQuery(new URLSearchParams(s));
const obj = (name: string, ns?: string, labels?: Record<string, string>): KubeObject => ({ metadata: { name, namespace: ns, labels } });
const change = (r: ResourceInfo, object: KubeObject, prev?: KubeObject): CacheEvent => ({ type: prev ? 'MODIFIED' : 'ADDED', resource: r, key: 'k', rev: 1, object, prev });

describe('stream query', () => {
  it('streams every stored, watchable kind once by default, in its storage version', () => {
    const all = q('').resources;
    expect(all).toEqual(streamableResources());
    expect(all.map((r) => r.plural)).toEqual(expect.arrayContaining(['pods', 'nodes', 'events', 'replicationcontrollers', 'deployments', 'leases', 'horizontalpodautoscalers']));
    expect(all.filter((r) => r.plural === 'horizontalpodautoscalers').map((r) => r.version)).toEqual(['v2']);
    expect(all.some((r) => r.group === 'metrics.k8s.io')).toBe(false);
  });

  it('names kinds by plural, singular, short name, Kind or plural.group, in any case', () => {
    expect(q('kinds=pods,NODE,ev,Deployment,replicasets.apps').resources.map((r) => r.plural)).toEqual(['pods', 'nodes', 'events', 'deployments', 'replicasets']);
    expect(q('kinds=hpa').resources[0]).toBe(resourceFor('autoscaling', 'v2', 'horizontalpodautoscalers'));
  });

  it('refuses unknown kinds, bad selectors, resource versions and objects values with 400', () => {
    for (const bad of ['kinds=pods,gizmos', 'kinds=,', 'labelSelector=a%20in%20(', 'resourceVersion=-1', 'resourceVersion=x', 'objects=maybe']) {
      let err: unknown;
      try {
        q(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(StatusError);
      expect((err as StatusError).status.code, bad).toBe(400);
    }
  });

  it('reads resourceVersion and objects', () => {
    expect(q('resourceVersion=0')).toMatchObject({ resourceVersion: 0, objects: true });
    expect(q('resourceVersion=42&objects=false')).toMatchObject({ resourceVersion: 42, objects: false });
    expect(q('').resourceVersion).toBeUndefined();
  });

  it('leaves the node Leases out by default, and only those', () => {
    const leases = resourceByPlural('leases');
    const byDefault = streamSelection(q(''));
    expect(byDefault.view(change(leases, obj('node-1', 'kube-node-lease')))).toBeUndefined();
    expect(byDefault.view(change(leases, obj('kube-scheduler', 'kube-system')))).toBe('ADDED');
    expect(streamSelection(q('kinds=leases')).view(change(leases, obj('node-1', 'kube-node-lease')))).toBe('ADDED');
  });

  it('filters namespaced kinds by namespace and lets cluster-scoped ones pass', () => {
    const s = streamSelection(q('namespace=a'));
    expect(s.view(change(resourceByPlural('pods'), obj('p', 'a')))).toBe('ADDED');
    expect(s.view(change(resourceByPlural('pods'), obj('p', 'b')))).toBeUndefined();
    expect(s.view(change(resourceByPlural('nodes'), obj('node-1')))).toBe('ADDED');
    expect(streamSelection(q('kinds=pods')).view(change(resourceByPlural('nodes'), obj('node-1')))).toBeUndefined();
  });

  it('applies a label selector to both sides of a change, as a watch does', () => {
    const pods = resourceByPlural('pods');
    const s = streamSelection(q('labelSelector=app%3Dweb'));
    expect(s.view(change(pods, obj('p', 'd', { app: 'web' }), obj('p', 'd', { app: 'db' })))).toBe('ADDED');
    expect(s.view(change(pods, obj('p', 'd', { app: 'db' }), obj('p', 'd', { app: 'web' })))).toBe('DELETED');
    expect(s.view(change(pods, obj('p', 'd', { app: 'web' }), obj('p', 'd', { app: 'web' })))).toBe('MODIFIED');
    expect(s.view(change(pods, obj('p', 'd')))).toBeUndefined();
    expect(s.matches(pods, obj('p', 'd', { app: 'web' }))).toBe(true);
  });
});
