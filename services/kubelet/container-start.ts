/**
 * Starting one container instance of a pod (the kubelet's startContainer): pull (./image-puller.ts),
 * resolve the environment and command line (./env.ts), ask the runtime to start it, record
 * `Created container x` / `Started container x`, and attach the instance's probes.
 *
 * Outcomes are written into the slot, never thrown: a failed pull or a missing ConfigMap leaves the
 * container waiting (ErrImagePull / ImagePullBackOff / CreateContainerConfigError) with a retry
 * scheduled; a runtime that cannot start it gives a terminated instance (StartError), which the
 * restart policy then handles like any exit.
 */
import type { Pod } from '../../shared/api/core.js';
import { isoTime, type Clock } from '../../shared/runtime/clock.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Backoff } from './backoff.js';
import { ContainerConfigError, containerEnv, expandCommand, type EnvSources } from './env.js';
import type { ImagePuller, Recorder } from './image-puller.js';
import type { ProbeExecutor } from './probe-executor.js';
import { ContainerProber, type ProbeKind } from './probes.js';
import type { ContainerConfig, ContainerInfo, Runtime, Sandbox } from './runtime/runtime.js';
import type { Slot } from './slot.js';

export interface StartDeps {
  pod: Pod;
  sandbox: Sandbox;
  hostIP: string;
  runtime: Runtime;
  puller: ImagePuller;
  recorder: Recorder;
  env: EnvSources;
  allocatable: Record<string, string>;
  probes: ProbeExecutor;
  backoff: Backoff;
  clock: Clock;
  log: Logger;
  /** Sync the pod again after `ms`. */
  wakeIn(ms: number): void;
  /** Sync the pod again soon (a probe result changed). */
  kick(): void;
}

const KIND_TEXT: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export async function startContainer(d: StartDeps, s: Slot): Promise<void> {
  const { pod, recorder } = d;
  const c = s.spec;
  const event = (type: 'Normal' | 'Warning', reason: string, message: string): void => recorder.record(pod, type, reason, message, { fieldPath: s.fieldPath });

  const pull = await d.puller.ensure(pod, c, s.fieldPath);
  if (!pull.ok) {
    s.waiting = pull.waiting;
    d.wakeIn(pull.retryInMs);
    return;
  }
  s.imageID = pull.imageID;

  let env: Record<string, string>;
  try {
    env = await containerEnv(pod, c, { podIP: d.sandbox.ip, hostIP: d.hostIP, hostname: pod.spec.hostname ?? pod.metadata.name ?? '', allocatable: d.allocatable }, d.env);
  } catch (err) {
    if (!(err instanceof ContainerConfigError)) throw err;
    s.waiting = { reason: 'CreateContainerConfigError', message: err.message };
    event('Warning', 'Failed', `Error: ${err.message}`);
    d.wakeIn(d.backoff.settings.initialMs * 2);
    return;
  }

  const mounts = (c.volumeMounts ?? []).flatMap((m) => {
    const dir = d.sandbox.volumeDirs[m.name];
    return dir ? [{ hostPath: m.subPath ? `${dir}/${m.subPath}` : dir, mountPath: m.mountPath, readOnly: !!m.readOnly }] : [];
  });
  const cfg: ContainerConfig = {
    podUid: pod.metadata.uid ?? '',
    name: c.name,
    image: c.image ?? '',
    ...expandCommand(c, env),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    env,
    ports: (c.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, protocol: p.protocol ?? 'TCP', ...(p.hostPort ? { hostPort: p.hostPort } : {}) })),
    mounts,
    attempt: s.attempt,
    ...(c.resources ? { resources: c.resources } : {}),
    ...(c.stdin ? { stdin: true } : {}),
    ...(c.tty ? { tty: true } : {}),
  };

  event('Normal', 'Created', `Created container ${c.name}`);
  let info: ContainerInfo;
  try {
    info = await d.runtime.startContainer(d.sandbox, cfg);
    info = d.runtime.container(info.id) ?? info; // it may have exited already
  } catch (err) {
    const now = isoTime(d.clock);
    const message = (err as Error).message;
    info = {
      id: `failed://${cfg.podUid}/${c.name}/${cfg.attempt}`,
      podUid: cfg.podUid,
      name: c.name,
      attempt: cfg.attempt,
      image: cfg.image,
      imageID: pull.imageID,
      state: { state: 'terminated', exitCode: 128, reason: 'StartError', message, startedAt: now, finishedAt: now },
    };
  }
  s.begin(info, d.clock.now());
  if (info.state.state === 'terminated' && info.state.reason === 'StartError') {
    event('Warning', 'Failed', `Error: ${info.state.message ?? 'failed to start container'}`);
    return;
  }
  event('Normal', 'Started', `Started container ${c.name}`);
  if (info.state.state !== 'running' || (!c.livenessProbe && !c.readinessProbe && !c.startupProbe)) return;

  const prober = new ContainerProber({
    clock: d.clock,
    executor: d.probes,
    container: c,
    containerId: info.id,
    podIP: d.sandbox.ip,
    startedAtMs: d.clock.now(),
    hooks: {
      onFailedAttempt: (kind, message) => event('Warning', 'Unhealthy', `${KIND_TEXT[kind]} probe failed: ${message}`),
      onChange: () => d.kick(),
      onKill: (kind) => {
        event('Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`);
        s.killReason = kind;
        d.kick();
      },
    },
  });
  s.prober = prober;
  prober.start();
}
