/**
 * The random choices of `kubemu chaos`, made reproducible: a seeded generator (the same `--seed`
 * gives the same sequence of victims and modes for the same cluster states), which node to fail
 * next, and how.
 *
 * A victim is a candidate node that is Ready in the API and not already down by our hand; one is
 * only chosen while at least one other node of the cluster stays Ready, so chaos never takes the
 * whole cluster down (there would be nothing to heal onto). Pure.
 */

export type ChaosMode = 'kill' | 'partition' | 'mixed';
export const CHAOS_MODES: readonly ChaosMode[] = ['kill', 'partition', 'mixed'];

/** mulberry32: small, fast, good enough to pick nodes; `seed` any 32-bit integer. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type ReadyMap = ReadonlyMap<string, 'True' | 'False' | 'Unknown'>;

/** The node to fail now, or why there is none. */
export function pickVictim(candidates: readonly string[], ready: ReadyMap, down: ReadonlySet<string>, rng: () => number): { node: string } | { none: string } {
  const readyNodes = [...ready].filter(([, r]) => r === 'True').map(([n]) => n);
  const eligible = candidates.filter((n) => ready.get(n) === 'True' && !down.has(n));
  if (eligible.length === 0) return { none: 'no candidate node is Ready' };
  if (readyNodes.length < 2) return { none: 'only one node is Ready; failing it would leave nothing to heal onto' };
  return { node: eligible[Math.floor(rng() * eligible.length)]! };
}

export function pickAction(mode: ChaosMode, rng: () => number): 'kill' | 'partition' {
  if (mode === 'mixed') return rng() < 0.5 ? 'kill' : 'partition';
  return mode;
}
