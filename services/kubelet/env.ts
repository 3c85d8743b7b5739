/**
 * A container's final environment and command line, as the kubelet builds them:
 *
 * 1. kubemu's base: `POD_IP`, `HOSTNAME` (the pod's hostname), then the service variables
 *    (./service-env.ts) of the services that exist when the container starts;
 * 2. `envFrom` (ConfigMaps / Secrets, with `prefix`; keys that are not valid variable names are
 *    skipped, as Kubernetes does);
 * 3. `env`, in order: `value` with `$(VAR)` expanded against what is defined so far (`$$` escapes,
 *    unknown references stay as written); `valueFrom.fieldRef` (metadata.name / namespace / uid,
 *    metadata.labels['k'], metadata.annotations['k'], spec.nodeName, spec.serviceAccountName,
 *    status.podIP(s), status.hostIP(s)), `resourceFieldRef` (limits / requests of cpu, memory,
 *    ephemeral-storage with a divisor; unset limits read as the node's allocatable),
 *    `configMapKeyRef` / `secretKeyRef` (`optional` honoured).
 * `command` / `args` get the same `$(VAR)` expansion against the final environment.
 *
 * A missing ConfigMap / Secret / key that is not optional is a `ContainerConfigError` (the pod
 * worker shows CreateContainerConfigError with this message and retries).
 */
import type { ConfigMap, Container, Pod, Secret, Service } from '../../shared/api/core.js';
import { milliValueOrZero } from '../../shared/api/quantity.js';
import { serviceEnv } from './service-env.js';

export class ContainerConfigError extends Error {
  override name = 'ContainerConfigError';
}

export interface EnvSources {
  /** Services of a namespace (a lister read; may be empty). */
  services(namespace: string): Service[];
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

export interface EnvContext {
  podIP: string;
  hostIP: string;
  hostname: string;
  /** The node's allocatable cpu / memory / ephemeral-storage (defaults for unset limits). */
  allocatable: Record<string, string | number>;
}

const VALID_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Kubernetes' `$(VAR)` expansion: defined references replaced, `$$` → `$`, the rest untouched. */
export function expand(input: string, vars: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += Object.hasOwn(vars, name) ? vars[name] : `$(${name})`;
      i = close;
    } else out += ch;
  }
  return out;
}

function fieldValue(pod: Pod, ctx: EnvContext, path: string): string {
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[sub[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    default:
      throw new ContainerConfigError(`unsupported fieldRef path "${path}"`);
  }
}

function resourceValue(pod: Pod, self: Container, ctx: EnvContext, ref: { containerName?: string; resource?: string; divisor?: string | number }): string {
  const c = ref.containerName ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === ref.containerName) : self;
  if (!c) throw new ContainerConfigError(`container "${ref.containerName}" not found in pod for resourceFieldRef`);
  const [kind, resource] = (ref.resource ?? '').split('.', 2);
  if ((kind !== 'limits' && kind !== 'requests') || !['cpu', 'memory', 'ephemeral-storage'].includes(resource)) {
    throw new ContainerConfigError(`unsupported container resource "${ref.resource}"`);
  }
  let q = c.resources?.[kind]?.[resource];
  if (q === undefined && kind === 'limits') q = ctx.allocatable[resource];
  q ??= 0;
  // In thousandths of the unit on both sides, so `250m` cpu with divisor `1m` and `64Mi` with `1Mi` are exact.
  const divisor = milliValueOrZero(ref.divisor ?? '1') || 1000;
  return String(Math.ceil(milliValueOrZero(q) / divisor));
}

function decodeSecret(s: Secret, key: string): string | undefined {
  const raw = s.data?.[key];
  return raw === undefined ? s.stringData?.[key] : Buffer.from(raw, 'base64').toString('utf8');
}

async function keyRef(pod: Pod, sources: EnvSources, kind: 'configMap' | 'secret', ref: { name?: string; key?: string; optional?: boolean }): Promise<string | undefined> {
  const ns = pod.metadata.namespace ?? 'default';
  const name = ref.name ?? '';
  const obj = kind === 'configMap' ? await sources.configMap(ns, name) : await sources.secret(ns, name);
  if (!obj) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`${kind === 'configMap' ? 'configmap' : 'secret'} "${name}" not found`);
  }
  const value = kind === 'configMap' ? (obj as ConfigMap).data?.[ref.key ?? ''] : decodeSecret(obj as Secret, ref.key ?? '');
  if (value === undefined) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind === 'configMap' ? 'ConfigMap' : 'Secret'} ${ns}/${name}`);
  }
  return value;
}

async function envFrom(pod: Pod, c: Container, sources: EnvSources, into: Record<string, string>): Promise<void> {
  const ns = pod.metadata.namespace ?? 'default';
  for (const from of ((c as { envFrom?: Record<string, unknown>[] }).envFrom ?? [])) {
    const prefix = typeof from.prefix === 'string' ? from.prefix : '';
    const cmRef = from.configMapRef as { name?: string; optional?: boolean } | undefined;
    const secRef = from.secretRef as { name?: string; optional?: boolean } | undefined;
    const ref = cmRef ?? secRef;
    if (!ref) continue;
    const obj = cmRef ? await sources.configMap(ns, ref.name ?? '') : await sources.secret(ns, ref.name ?? '');
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${cmRef ? 'configmap' : 'secret'} "${ref.name}" not found`);
    }
    const keys = Object.keys(cmRef ? (obj as ConfigMap).data ?? {} : { ...((obj as Secret).stringData ?? {}), ...((obj as Secret).data ?? {}) });
    for (const k of keys) {
      const name = `${prefix}${k}`;
      if (!VALID_NAME.test(name)) continue;
      into[name] = cmRef ? (obj as ConfigMap).data![k] : decodeSecret(obj as Secret, k) ?? '';
    }
  }
}

/** The environment of container `c` of `pod`. */
export async function containerEnv(pod: Pod, c: Container, ctx: EnvContext, sources: EnvSources): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace ?? 'default';
  const master = sources.services('default').find((s) => s.metadata.name === 'kubernetes');
  const env: Record<string, string> = {
    POD_IP: ctx.podIP,
    HOSTNAME: ctx.hostname,
    ...serviceEnv(pod, sources.services(ns), master),
  };
  await envFrom(pod, c, sources, env);
  for (const e of c.env ?? []) {
    const from = e.valueFrom as Record<string, Record<string, unknown>> | undefined;
    if (!from) {
      env[e.name] = expand(e.value ?? '', env);
    } else if (from.fieldRef) {
      env[e.name] = fieldValue(pod, ctx, String(from.fieldRef.fieldPath ?? ''));
    } else if (from.resourceFieldRef) {
      env[e.name] = resourceValue(pod, c, ctx, from.resourceFieldRef as { containerName?: string; resource?: string; divisor?: string });
    } else if (from.configMapKeyRef || from.secretKeyRef) {
      const kind = from.configMapKeyRef ? 'configMap' : 'secret';
      const v = await keyRef(pod, sources, kind, (from.configMapKeyRef ?? from.secretKeyRef) as { name?: string; key?: string; optional?: boolean });
      if (v !== undefined) env[e.name] = v;
    }
  }
  return env;
}

/** `command` / `args` with `$(VAR)` expanded against the container's environment. */
export function expandCommand(c: Container, env: Record<string, string>): { command?: string[]; args?: string[] } {
  return {
    ...(c.command ? { command: c.command.map((s) => expand(s, env)) } : {}),
    ...(c.args ? { args: c.args.map((s) => expand(s, env)) } : {}),
  };
}
