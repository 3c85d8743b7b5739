/**
 * The few resource.Quantity conversions the kubelet needs: a quantity as a number of base units
 * (cores, bytes), CPU in millicores, and memory / storage in the `<n>Ki` form a real kubelet
 * writes into Node capacity. Malformed quantities throw a plain Error naming the value (the
 * api-server rejects them before they reach a pod, so this only guards kubelet flags).
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** `500m` → 0.5, `2` → 2, `4Gi` → 4294967296, `1e3` → 1000. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const s = q.trim();
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(s);
  if (!m) throw new Error(`invalid quantity "${q}"`);
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix in BINARY) return n * BINARY[suffix];
  if (suffix in DECIMAL) return n * DECIMAL[suffix];
  return n * 10 ** Number(suffix.slice(1));
}

export function cpuMillicores(q: string | number): number {
  return Math.round(parseQuantity(q) * 1000);
}

/** Bytes as the kubelet prints capacity: whole KiB (`4194304Ki`). */
export function kibibytes(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}
