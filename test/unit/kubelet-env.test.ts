import { describe, expect, it } from 'vitest';
import type { ConfigMap, Pod, Secret, Service } from '../../shared/api/core.js';
import { containerEnv, ContainerConfigError, expand, expandCommand, type EnvSources } from '../../services/kubelet/env.js';
import { serviceVariables } from '../../services/kubelet/service-env.js';

function svc(namespace: string, name: string, clusterIP: string, ports: Service['spec']['ports']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, uid: `${namespace}-${name}` }, spec: { clusterIP, ports } };
}

const services: Service[] = [
  svc('default', 'kubernetes', '127.64.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('default', 'kubia-http', '127.64.0.23', [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }]),
  svc('default', 'headless', 'None', [{ port: 80 }]),
  svc('other', 'elsewhere', '127.64.0.30', [{ port: 8080 }]),
];

function sources(cms: ConfigMap[] = [], secrets: Secret[] = []): EnvSources {
  return {
    services: (ns) => services.filter((s) => s.metadata.namespace === ns),
    configMap: async (_ns, name) => cms.find((c) => c.metadata.name === name),
    secret: async (_ns, name) => secrets.find((s) => s.metadata.name === name),
  };
}

function pod(extra: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kubia-1', namespace: 'default', uid: 'uid-1', labels: { app: 'kubia' }, annotations: { note: 'x' } },
    spec: { nodeName: 'node-1', serviceAccountName: 'default', containers: [{ name: 'main', image: 'luksa/kubia', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }], ...extra },
  };
}

const ctx = { podIP: '127.128.1.5', hostIP: '127.1.0.1', hostname: 'kubia-1', allocatable: { cpu: '2', memory: '4194304Ki', 'ephemeral-storage': '1Gi' } };

describe('container environment', () => {
  it('gives POD_IP, HOSTNAME and the service variables of the namespace (headless ones left out)', async () => {
    const p = pod();
    const env = await containerEnv(p, p.spec.containers[0], ctx, sources());
    expect(env).toMatchObject({
      POD_IP: '127.128.1.5',
      HOSTNAME: 'kubia-1',
      KUBERNETES_SERVICE_HOST: '127.64.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBIA_HTTP_SERVICE_HOST: '127.64.0.23',
      KUBIA_HTTP_SERVICE_PORT: '80',
      KUBIA_HTTP_SERVICE_PORT_HTTP: '80',
      KUBIA_HTTP_PORT: 'tcp://127.64.0.23:80',
      KUBIA_HTTP_PORT_443_TCP: 'tcp://127.64.0.23:443',
      KUBIA_HTTP_PORT_443_TCP_PROTO: 'tcp',
      KUBIA_HTTP_PORT_443_TCP_PORT: '443',
      KUBIA_HTTP_PORT_443_TCP_ADDR: '127.64.0.23',
    });
    expect(Object.keys(env).some((k) => k.startsWith('HEADLESS_') || k.startsWith('ELSEWHERE_'))).toBe(false);
  });

  it('keeps only the kubernetes service when enableServiceLinks is false', async () => {
    const p = pod({ enableServiceLinks: false });
    const env = await containerEnv(p, p.spec.containers[0], ctx, sources());
    expect(env.KUBERNETES_SERVICE_HOST).toBe('127.64.0.1');
    expect(env.KUBIA_HTTP_SERVICE_HOST).toBeUndefined();
  });

  it('resolves fieldRef, resourceFieldRef and $(VAR) references in order', async () => {
    const p = pod();
    p.spec.containers[0].env = [
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'GREETING', value: 'hello $(NAME) in $(NS), $$(NAME) stays, $(UNKNOWN) too' },
    ];
    const env = await containerEnv(p, p.spec.containers[0], ctx, sources());
    expect(env).toMatchObject({
      NAME: 'kubia-1',
      NS: 'default',
      APP: 'kubia',
      NODE: 'node-1',
      IP: '127.128.1.5',
      HOST_IP: '127.1.0.1',
      MEM_LIMIT: '64',
      CPU_REQ_M: '250',
      CPU_LIMIT: '2',
      GREETING: 'hello kubia-1 in default, $(NAME) stays, $(UNKNOWN) too',
    });
  });

  it('reads ConfigMap and Secret keys, envFrom with a prefix, and skips optional missing ones', async () => {
    const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { interval: '5', 'bad key': 'x' } };
    const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64') } };
    const p = pod();
    (p.spec.containers[0] as any).envFrom = [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }];
    p.spec.containers[0].env = [
      { name: 'INTERVAL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'interval' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'MAYBE', valueFrom: { configMapKeyRef: { name: 'absent', key: 'x', optional: true } } },
    ];
    const env = await containerEnv(p, p.spec.containers[0], ctx, sources([cm], [secret]));
    expect(env).toMatchObject({ INTERVAL: '5', PASSWORD: 's3cret', CFG_interval: '5' });
    expect(env.MAYBE).toBeUndefined();
    expect(Object.keys(env)).not.toContain('CFG_bad key');
  });

  it('fails with the kubelet’s message for a missing ConfigMap or key', async () => {
    const p = pod();
    p.spec.containers[0].env = [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'x' } } }];
    await expect(containerEnv(p, p.spec.containers[0], ctx, sources())).rejects.toThrow(new ContainerConfigError('configmap "absent" not found'));
    const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'absent' }, data: {} };
    await expect(containerEnv(p, p.spec.containers[0], ctx, sources([cm]))).rejects.toThrow("couldn't find key x in ConfigMap default/absent");
  });

  it('expands command and args against the environment', () => {
    expect(expand('$(A)-$(B)-$$-$', { A: '1' })).toBe('1-$(B)-$-$');
    expect(expandCommand({ name: 'c', command: ['sh', '-c'], args: ['echo $(MSG)'] }, { MSG: 'hi' })).toEqual({ command: ['sh', '-c'], args: ['echo hi'] });
  });

  it('names service variables after the service, dashes as underscores', () => {
    expect(Object.keys(serviceVariables(svc('default', 'my-db', '127.64.0.5', [{ port: 5432 }])))).toEqual([
      'MY_DB_SERVICE_HOST',
      'MY_DB_SERVICE_PORT',
      'MY_DB_PORT',
      'MY_DB_PORT_5432_TCP',
      'MY_DB_PORT_5432_TCP_PROTO',
      'MY_DB_PORT_5432_TCP_PORT',
      'MY_DB_PORT_5432_TCP_ADDR',
    ]);
  });
});
