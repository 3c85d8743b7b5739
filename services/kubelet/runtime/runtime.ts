/**
 * The container runtime contract of the kubelet (kubemu's CRI): what the pod workers, the probes
 * and the streaming handlers (logs, exec, port-forward) need from a runtime, and nothing more.
 *
 * Two implementations: `ProcessRuntime` (runtime/process/: every container a real child process,
 * pods in their own Linux namespaces where the machine allows) and `SimulatedRuntime`
 * (runtime/simulated.ts: no processes, containers move through states after delays given as data).
 *
 * Rules every implementation keeps:
 * - calls are idempotent per id (a second runPodSandbox of the same pod uid returns the sandbox);
 * - a container's state only moves forward: waiting → running → terminated; a restart is a new
 *   container (new id) in the same sandbox;
 * - exits are pushed through `onContainerExit` so pod workers wake at once (no polling needed);
 * - nothing a workload does (crash, garbage output, exit storms) can throw into the kubelet;
 * - when the kubelet process dies by any signal, every container it started dies within a second.
 */

export interface VolumeMountConfig {
  /** Directory on the node that backs the volume (an emptyDir under the pod's dir, a hostPath, …). */
  hostPath: string;
  mountPath: string;
  readOnly: boolean;
}

export interface PortConfig {
  name?: string;
  containerPort: number;
  protocol: string;
  hostPort?: number;
}

export interface SandboxConfig {
  podUid: string;
  namespace: string;
  name: string;
  /** The pod's IP (from the node's pod CIDR); built-in images bind it. */
  ip: string;
  /** Hostname inside the pod (the pod name, or spec.hostname). */
  hostname: string;
  /** Volumes by name → directory on the node (the runtime creates emptyDir dirs under its pod dir). */
  volumes: { name: string; kind: 'emptyDir' | 'hostPath' | 'other'; hostPath?: string }[];
}

export interface Sandbox {
  podUid: string;
  ip: string;
  /** Per-volume host directory, by volume name. */
  volumeDirs: Record<string, string>;
  /** Whether the pod got its own Linux namespaces (mount, UTS, PID) or runs as plain processes. */
  isolation: 'namespaces' | 'none';
  /** Why there is no isolation, when there is none (shown in events and node status). */
  isolationNote?: string;
}

export interface ContainerConfig {
  podUid: string;
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  /** Final environment (service env vars, POD_IP, HOSTNAME, the container's env), already resolved. */
  env: Record<string, string>;
  ports: PortConfig[];
  mounts: VolumeMountConfig[];
  /** Restart number of this container in the pod (0 for the first run); keeps log files apart. */
  attempt: number;
  resources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> };
  stdin?: boolean;
  tty?: boolean;
}

export type ContainerState =
  | { state: 'waiting'; reason: string; message?: string }
  | { state: 'running'; startedAt: string }
  | { state: 'terminated'; exitCode: number; signal?: number; reason: string; message?: string; startedAt: string; finishedAt: string };

export interface ContainerInfo {
  id: string; // `process://<pod uid>/<name>/<attempt>` or `simulated://…`
  podUid: string;
  name: string;
  attempt: number;
  image: string;
  imageID: string;
  state: ContainerState;
  /** OS process id while running (process runtime only). */
  pid?: number;
}

/** An image the runtime cannot provide: the pod worker reports ErrImagePull, then ImagePullBackOff. */
export class ImagePullError extends Error {
  override name = 'ImagePullError';
  constructor(readonly image: string, message: string) {
    super(message);
  }
}

export interface LogOptions {
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
  timestamps?: boolean;
  follow?: boolean;
}

export interface LogStream {
  /** Called with raw bytes as they are read (and, with follow, as the container writes them). */
  onData(chunk: Uint8Array): void;
  /** The stream ended (container gone, not following, or cancelled). */
  onEnd(err?: Error): void;
}

/** A running `readLogs`. `pause`/`resume` (optional) let a slow reader hold the runtime back instead of buffering. */
export interface LogReader {
  cancel(): void;
  pause?(): void;
  resume?(): void;
}

export interface ExecOptions {
  command: string[];
  stdin: boolean;
  tty: boolean;
}

export interface ExecSession {
  write(chunk: Uint8Array): void;
  closeStdin(): void;
  resize(cols: number, rows: number): void;
  onStdout(cb: (chunk: Uint8Array) => void): void;
  onStderr(cb: (chunk: Uint8Array) => void): void;
  /** Resolves with the exit code (or rejects when the command could not start). */
  readonly exited: Promise<number>;
  kill(): void;
  /** Optional back-pressure: stop / restart delivering output while the reader is full. */
  pause?(): void;
  resume?(): void;
}

export interface ResourceUsage {
  /** CPU in millicores over the last sampling window. */
  cpuMillicores: number;
  memoryBytes: number;
}

export interface Runtime {
  readonly kind: 'process' | 'simulated';
  /** A short runtime version for node status (`kubemu://process`). */
  readonly version: string;

  /** Resolves an image to an id, or throws ImagePullError (unknown image, …). */
  pullImage(image: string): Promise<{ imageID: string }>;

  runPodSandbox(cfg: SandboxConfig): Promise<Sandbox>;
  /** Kills everything in the pod's sandbox at once (SIGKILL) and releases its namespaces. */
  stopPodSandbox(podUid: string): Promise<void>;
  /** Removes the pod's directories (volumes, logs). */
  removePodSandbox(podUid: string): Promise<void>;

  /** Starts a container in a running sandbox; the returned info is already `running` or `terminated`. */
  startContainer(sandbox: Sandbox, cfg: ContainerConfig): Promise<ContainerInfo>;
  /** SIGTERM, wait up to `graceSeconds`, then SIGKILL; resolves once it is terminated. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  /** Current info of a container this runtime started (undefined when unknown). */
  container(id: string): ContainerInfo | undefined;
  /** Every container of a pod, newest attempt last. */
  containersOf(podUid: string): ContainerInfo[];
  /** Called whenever a container terminates. */
  onContainerExit(listener: (info: ContainerInfo) => void): () => void;

  /** Logs of the current (or, with `previous`, the last terminated) instance of a pod's container. */
  readLogs(podUid: string, container: string, opts: LogOptions, stream: LogStream): LogReader;
  /** Runs a command inside a running container's pod environment. */
  exec(containerId: string, opts: ExecOptions): ExecSession;
  /** Recent CPU / memory of a running container (undefined when unknown). */
  usage(containerId: string): ResourceUsage | undefined;

  /** Stops everything (kubelet shutdown). */
  close(): Promise<void>;
}
