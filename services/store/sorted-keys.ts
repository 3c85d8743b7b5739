/**
 * The live keys of the store in sorted order, for `range` by prefix with `limit` / `continue`.
 *
 * A sorted set of strings kept in chunks (each a small sorted array), so inserting a key moves at
 * most a chunk's worth of pointers instead of the whole key space, while iteration and rank stay
 * simple. Order is JavaScript's string order (UTF-16 code units), the same order `range` pages in
 * and continue tokens resume from.
 *
 * Invariants: no chunk is empty; keys are strictly increasing across the chunks; `size` is exact.
 * Pure data structure: no I/O, no time.
 */

/** A chunk is split in two once it grows past twice this. */
const CHUNK = 256;

/** First index in `arr` whose element is ≥ key (inclusive) or > key (exclusive). */
function bound(arr: string[], key: string, inclusive: boolean): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const before = inclusive ? arr[mid] < key : arr[mid] <= key;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when no
 * such string exists (empty prefix, or a prefix made only of U+FFFF).
 */
export function prefixEnd(prefix: string): string | undefined {
  let p = prefix;
  while (p.length > 0) {
    const last = p.charCodeAt(p.length - 1);
    if (last < 0xffff) return p.slice(0, -1) + String.fromCharCode(last + 1);
    p = p.slice(0, -1);
  }
  return undefined;
}

export class SortedKeys {
  private chunks: string[][] = [];
  private total = 0;

  get size(): number {
    return this.total;
  }

  /** Index of the first chunk that holds a key ≥ key (inclusive) or > key (exclusive). */
  private chunkAt(key: string, inclusive: boolean): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.chunks[mid];
      const last = c[c.length - 1];
      const before = inclusive ? last < key : last <= key;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(key: string): boolean {
    const ci = this.chunkAt(key, true);
    if (ci === this.chunks.length) return false;
    const c = this.chunks[ci];
    return c[bound(c, key, true)] === key;
  }

  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.total = 1;
      return true;
    }
    let ci = this.chunkAt(key, true);
    if (ci === this.chunks.length) ci--; // larger than every key: goes at the end of the last chunk
    const c = this.chunks[ci];
    const i = bound(c, key, true);
    if (c[i] === key) return false;
    c.splice(i, 0, key);
    this.total++;
    if (c.length > 2 * CHUNK) this.chunks.splice(ci, 1, c.slice(0, CHUNK), c.slice(CHUNK));
    return true;
  }

  /** Removes `key`; false when it was not there. */
  delete(key: string): boolean {
    const ci = this.chunkAt(key, true);
    if (ci === this.chunks.length) return false;
    const c = this.chunks[ci];
    const i = bound(c, key, true);
    if (c[i] !== key) return false;
    c.splice(i, 1);
    this.total--;
    if (c.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  /** How many keys are < key (inclusive = false) or ≤ key (inclusive = true). */
  rank(key: string, inclusive = false): number {
    const ci = this.chunkAt(key, !inclusive);
    let n = 0;
    for (let i = 0; i < ci; i++) n += this.chunks[i].length;
    if (ci < this.chunks.length) n += bound(this.chunks[ci], key, !inclusive);
    return n;
  }

  /** Keys ≥ start (inclusive) or > start (exclusive), in order. */
  *from(start: string, inclusive = true): Generator<string> {
    let ci = this.chunkAt(start, inclusive);
    if (ci === this.chunks.length) return;
    let i = bound(this.chunks[ci], start, inclusive);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const c = this.chunks[ci];
      for (; i < c.length; i++) yield c[i];
    }
  }

  /** Number of keys that start with `prefix`. */
  countPrefix(prefix: string): number {
    const end = prefixEnd(prefix);
    const upto = end === undefined ? this.total : this.rank(end);
    return upto - this.rank(prefix);
  }
}
