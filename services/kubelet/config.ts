/**
 * The kubelet process's configuration, from flags (env `KUBEMU_<FLAG>` as fallback), checked once:
 *
 *   --nats <url>               (required)
 *   --node-name <name>         (required unless --simulated-nodes)
 *   --node-ip <ip>             default nodeAddress(n) for a name ending in -n (`node-3` → 127.1.0.3)
 *   --runtime process|simulated   default process
 *   --stages <file>            simulated lifecycle (YAML or JSON), see runtime/stages.ts
 *   --simulated-nodes N        this process hosts N simulated nodes `<prefix>-1 … <prefix>-N`
 *   --node-prefix <p>          default `sim`; their IPs are nodeAddress(1000 + i) to stay clear of real nodes
 *   --cpu 2  --memory 4Gi  --max-pods 110  --labels k=v,k2=v2
 *   --data-dir <dir>           pod directories; default <tmp>/kubemu-kubelet/<process name>
 *   --isolation auto|none|namespaces   process runtime isolation (default auto)
 *   --profile default|kubernetes (+ per-timing overrides, shared/runtime/profile.ts)
 *   --backoff-initial-ms / --backoff-max-ms   restart and image pull back-off (profile default)
 *
 * The process name (health subject, bus connection name) is `kubelet-<node>`, or
 * `kubelet-<prefix>` for a process hosting simulated nodes. Invalid values throw with the flag's name.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeIndexOf } from '../../shared/api/network.js';
import { networkFromFlags } from '../../shared/runtime/network.js';
import { flag, numberFlag } from '../../shared/runtime/process.js';
import { profileFromFlags, type Profile } from '../../shared/runtime/profile.js';
import { backoffFor, type BackoffSettings } from './backoff.js';
import { milliValueOrZero, tryParseQuantity } from '../../shared/api/quantity.js';

export const SIMULATED_IP_OFFSET = 1000;

export interface KubeletConfig {
  nats: string;
  processName: string;
  nodes: { name: string; ip: string }[];
  runtime: 'process' | 'simulated';
  stagesFile?: string;
  cpu: string;
  memory: string;
  maxPods: number;
  labels: Record<string, string>;
  dataDir: string;
  isolation: 'auto' | 'none' | 'namespaces';
  profile: Profile;
  backoff: BackoffSettings;
}

export function parseLabels(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw new Error(`--labels: "${part}" is not key=value`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return v;
}

export function kubeletConfigFromFlags(argv: string[] = process.argv.slice(2)): KubeletConfig {
  const nats = flag('nats', undefined, argv);
  if (!nats) throw new Error('--nats <url> is required');
  const simulated = flag('simulated-nodes', undefined, argv);
  const { nodeAddress } = networkFromFlags(argv);
  let nodes: KubeletConfig['nodes'];
  let processName: string;
  if (simulated !== undefined) {
    const n = positiveInt('simulated-nodes', Number(simulated));
    const prefix = flag('node-prefix', 'sim', argv)!;
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(prefix)) throw new Error(`--node-prefix must be a DNS name, got "${prefix}"`);
    nodes = Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i + 1}`, ip: nodeAddress(SIMULATED_IP_OFFSET + i + 1) }));
    processName = `kubelet-${prefix}`;
  } else {
    const name = flag('node-name', undefined, argv);
    if (!name) throw new Error('--node-name is required (or --simulated-nodes N)');
    const index = nodeIndexOf(name);
    const ip = flag('node-ip', undefined, argv) ?? (index !== undefined ? nodeAddress(index) : undefined);
    if (!ip) throw new Error(`--node-ip is required for a node name without an index ("${name}")`);
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new Error(`--node-ip must be an IPv4 address, got "${ip}"`);
    nodes = [{ name, ip }];
    processName = `kubelet-${name}`;
  }
  const runtime = (simulated !== undefined ? 'simulated' : flag('runtime', 'process', argv)) as KubeletConfig['runtime'];
  if (runtime !== 'process' && runtime !== 'simulated') throw new Error(`--runtime must be process or simulated, got "${String(runtime)}"`);
  const isolation = flag('isolation', 'auto', argv) as KubeletConfig['isolation'];
  if (!['auto', 'none', 'namespaces'].includes(isolation)) throw new Error(`--isolation must be auto, none or namespaces, got "${isolation}"`);
  const cpu = flag('cpu', '2', argv)!;
  const memory = flag('memory', '4Gi', argv)!;
  for (const [name, q] of [['cpu', cpu], ['memory', memory]] as const) {
    if (!tryParseQuantity(q) || !(milliValueOrZero(q) > 0)) throw new Error(`--${name} must be a positive quantity, got "${q}"`);
  }
  const profile = profileFromFlags(argv);
  const defaults = backoffFor(profile.name);
  const backoff = {
    initialMs: numberFlag('backoff-initial-ms', defaults.initialMs, argv),
    maxMs: numberFlag('backoff-max-ms', defaults.maxMs, argv),
  };
  if (backoff.initialMs <= 0 || backoff.maxMs < backoff.initialMs) throw new Error('--backoff-initial-ms must be > 0 and --backoff-max-ms at least as large');
  return {
    nats,
    processName,
    nodes,
    runtime,
    ...(flag('stages', undefined, argv) ? { stagesFile: flag('stages', undefined, argv) } : {}),
    cpu,
    memory,
    maxPods: positiveInt('max-pods', numberFlag('max-pods', 110, argv)),
    labels: parseLabels(flag('labels', undefined, argv)),
    dataDir: flag('data-dir', undefined, argv) ?? join(tmpdir(), 'kubemu-kubelet', processName),
    isolation,
    profile,
    backoff,
  };
}
