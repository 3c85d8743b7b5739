/**
 * kubemu's address plan: every address is real and lives in 127.0.0.0/8 of one network namespace
 * (Linux routes all of it to `lo`, so any of these can be bound without configuration).
 *
 * Several clusters can share one machine: each takes a **network slot** s (0–31, `--network-slot`,
 * env KUBEMU_NETWORK_SLOT; the launcher picks a free one) and gets ranges no other slot touches:
 *
 *   nodes            127.(1+s).0.0/16          node n (1-based): 127.(1+s).(n >> 8).(n & 255)
 *   service IPs      127.(64+s).0.0 – .191.255 `kubernetes` = …0.1, `kube-dns` = …0.10
 *   load balancers   127.(64+s).192.0 – .255.255   external IPs of LoadBalancer Services
 *   pod CIDRs        127.(128+4s).0.0/14       one /24 per node, up to 1,024 nodes
 *   node ports       30000–32767 on every node address
 *
 * Slot 0: nodes 127.1.0.n, services 127.64.x.y, load balancers 127.64.192.x, pods 127.128.n.0/24.
 * Pure data and arithmetic; imports nothing.
 */

export const MAX_SLOTS = 32;
export const MAX_NODES = 1024;
const SERVICE_HOSTS = 192 * 256;
const LB_HOSTS = 64 * 256;

export interface NetworkPlan {
  slot: number;
  /** The address of the node with 1-based index `n`. */
  nodeAddress(n: number): string;
  /** The /24 pod CIDR with index `i` (0-based). */
  podCidr(i: number): string;
  /** Index of a pod CIDR of this plan, or undefined. */
  podCidrIndex(cidr: string): number | undefined;
  /** Service IP number `n` (1 = `kubernetes`, 10 = `kube-dns`). */
  serviceIp(n: number): string;
  /** Service IP number of an address of this plan's service range, or undefined. */
  serviceIpIndex(ip: string): number | undefined;
  /** The service range as shown to users (`127.64.0.0/16`, load balancers included). */
  serviceCidr: string;
  serviceIpCount: number;
  /** Load balancer address number `n` (1-based). */
  loadBalancerAddress(n: number): string;
  loadBalancerIndex(ip: string): number | undefined;
  loadBalancerCount: number;
  /** Every second octet this slot uses (for checking that a slot is free on this machine). */
  secondOctets: number[];
}

function quad(second: number, n: number): string {
  return `127.${second}.${n >> 8}.${n & 255}`;
}

function parse(ip: string): number[] | undefined {
  const parts = ip.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) && parts[0] === 127 ? parts : undefined;
}

export function networkPlan(slot = 0): NetworkPlan {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_SLOTS) throw new Error(`network slot must be 0–${MAX_SLOTS - 1}, got ${slot}`);
  const nodeSecond = 1 + slot;
  const serviceSecond = 64 + slot;
  const podSecond = 128 + 4 * slot;
  return {
    slot,
    nodeAddress(n) {
      if (!Number.isInteger(n) || n < 1 || n > 65_534) throw new Error(`node index out of range: ${n}`);
      return quad(nodeSecond, n);
    },
    podCidr(i) {
      if (!Number.isInteger(i) || i < 0 || i >= MAX_NODES) throw new Error(`pod CIDR index out of range: ${i}`);
      return `127.${podSecond + (i >> 8)}.${i & 255}.0/24`;
    },
    podCidrIndex(cidr) {
      const m = /^127\.(\d+)\.(\d+)\.0\/24$/.exec(cidr);
      if (!m) return undefined;
      const second = Number(m[1]) - podSecond;
      const third = Number(m[2]);
      return second >= 0 && second < 4 && third <= 255 ? second * 256 + third : undefined;
    },
    serviceIp(n) {
      if (!Number.isInteger(n) || n < 1 || n >= SERVICE_HOSTS) throw new Error(`service IP index out of range: ${n}`);
      return quad(serviceSecond, n);
    },
    serviceIpIndex(ip) {
      const p = parse(ip);
      if (!p || p[1] !== serviceSecond) return undefined;
      const n = p[2] * 256 + p[3];
      return n >= 1 && n < SERVICE_HOSTS ? n : undefined;
    },
    serviceCidr: `127.${serviceSecond}.0.0/16`,
    serviceIpCount: SERVICE_HOSTS - 1,
    loadBalancerAddress(n) {
      if (!Number.isInteger(n) || n < 1 || n >= LB_HOSTS) throw new Error(`load balancer index out of range: ${n}`);
      return quad(serviceSecond, SERVICE_HOSTS + n);
    },
    loadBalancerIndex(ip) {
      const p = parse(ip);
      if (!p || p[1] !== serviceSecond) return undefined;
      const n = p[2] * 256 + p[3] - SERVICE_HOSTS;
      return n >= 1 && n < LB_HOSTS ? n : undefined;
    },
    loadBalancerCount: LB_HOSTS - 1,
    secondOctets: [nodeSecond, serviceSecond, podSecond, podSecond + 1, podSecond + 2, podSecond + 3],
  };
}

/** The index a kubemu node name carries (`node-3` → 3), or undefined for other names. */
export function nodeIndexOf(name: string): number | undefined {
  const m = /-(\d+)$/.exec(name);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 && n <= 65_534 ? n : undefined;
}

/** The host addresses of a /24 pod CIDR available to pods (.2 – .254; .1 is the node's gateway by convention). */
export function podAddresses(cidr: string): string[] {
  const base = cidr.replace(/\.0\/24$/, '');
  const out: string[] = [];
  for (let h = 2; h <= 254; h++) out.push(`${base}.${h}`);
  return out;
}
