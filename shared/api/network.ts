/**
 * kubemu's address plan: every address is real and lives in 127.0.0.0/8 of one network namespace
 * (Linux routes all of it to `lo`, so any of these can be bound without configuration).
 *
 *   nodes            127.1.<hi>.<lo>       node with index n (1-based): 127.1.(n >> 8).(n & 255)
 *   pod CIDRs        127.244.0.0 – 127.253.255.0, one /24 per node (up to 2,560 nodes)
 *   service IPs      127.96.0.0/16         (`kubernetes` = .0.1, `kube-dns` = .0.10)
 *   load balancers   127.200.0.0/16        external IPs of LoadBalancer Services
 *   node ports       30000–32767 on every node address
 *
 * Pure data and arithmetic; imports nothing.
 */

export const SERVICE_PREFIX = '127.96';
export const LOAD_BALANCER_PREFIX = '127.200';
export const POD_SECOND_OCTET_MIN = 244;
export const POD_SECOND_OCTET_MAX = 253;
export const MAX_NODES = (POD_SECOND_OCTET_MAX - POD_SECOND_OCTET_MIN + 1) * 256;

/** The address of the node with 1-based index `n`. */
export function nodeAddress(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 65_534) throw new Error(`node index out of range: ${n}`);
  return `127.1.${n >> 8}.${n & 255}`;
}

/** The index a kubemu node name carries (`node-3` → 3), or undefined for other names. */
export function nodeIndexOf(name: string): number | undefined {
  const m = /-(\d+)$/.exec(name);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 && n <= 65_534 ? n : undefined;
}

/** The /24 pod CIDR with index `i` (0-based), e.g. 0 → 127.244.0.0/24. */
export function podCidr(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= MAX_NODES) throw new Error(`pod CIDR index out of range: ${i}`);
  return `127.${POD_SECOND_OCTET_MIN + Math.floor(i / 256)}.${i % 256}.0/24`;
}

/** Index of a pod CIDR produced by `podCidr`, or undefined. */
export function podCidrIndex(cidr: string): number | undefined {
  const m = /^127\.(\d+)\.(\d+)\.0\/24$/.exec(cidr);
  if (!m) return undefined;
  const second = Number(m[1]);
  const third = Number(m[2]);
  if (second < POD_SECOND_OCTET_MIN || second > POD_SECOND_OCTET_MAX || third > 255) return undefined;
  return (second - POD_SECOND_OCTET_MIN) * 256 + third;
}

/** The host addresses of a /24 pod CIDR available to pods (.2 – .254; .1 is the node's gateway by convention). */
export function podAddresses(cidr: string): string[] {
  const base = cidr.replace(/\.0\/24$/, '');
  const out: string[] = [];
  for (let h = 2; h <= 254; h++) out.push(`${base}.${h}`);
  return out;
}

export function loadBalancerAddress(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 65_534) throw new Error(`load balancer index out of range: ${n}`);
  return `${LOAD_BALANCER_PREFIX}.${n >> 8}.${n & 255}`;
}
