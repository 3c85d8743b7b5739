/**
 * Element order after a strategic merge of a list, as kube-apiserver decides it.
 *
 * After items are merged, the list holds two kinds of items: those the client named (in the
 * patch list, or in a `$setElementOrder/<list>` directive) and "server-only" items the client did
 * not mention (added by someone else since the client last looked). Precedence is:
 * the client's order > the order the server had. Named items come in the client's order;
 * server-only items keep their relative server order and are interleaved: a server-only item
 * goes before a named item only when both were in the server's list and it came first there.
 * Otherwise the named item wins the slot, so new named items go before unknown server-only ones.
 *
 * Items are compared by `keyOf` (the merge key value for lists of objects, the value itself for
 * lists of scalars), with `===`, as Go compares decoded JSON values. Pure functions on arrays; they
 * never mutate their inputs and never throw.
 */

export type KeyOf = (item: unknown) => unknown;

/** Index of the first item of `list` whose key equals `key`, or -1. */
function indexOfKey(list: readonly unknown[], key: unknown, keyOf: KeyOf): number {
  for (let i = 0; i < list.length; i++) if (keyOf(list[i]) === key) return i;
  return -1;
}

/** Stable sort by position in `order`; items not found there keep their place after found ones. */
function sortBy(items: readonly unknown[], order: readonly unknown[], keyOf: KeyOf): unknown[] {
  const rank = (x: unknown): number => {
    const i = indexOfKey(order, keyOf(x), keyOf);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return items
    .map((item, at) => ({ item, at, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.at - b.at)
    .map((e) => e.item);
}

/**
 * The final order of `merged`: items whose key appears in `wanted` follow `wanted`; the others
 * follow `server` and are interleaved as described in the module comment.
 */
export function normalizeOrder(merged: readonly unknown[], wanted: readonly unknown[], server: readonly unknown[], keyOf: KeyOf): unknown[] {
  const named: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) (indexOfKey(wanted, keyOf(item), keyOf) >= 0 ? named : serverOnly).push(item);
  const right = sortBy(named, wanted, keyOf);
  const left = sortBy(serverOnly, server, keyOf);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexOfKey(server, keyOf(left[i]), keyOf);
      const ri = indexOfKey(server, keyOf(right[j]), keyOf);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Whether the items of a patch list appear in `order` in the same relative order (the patch
 * list may name fewer items than the order list, never more or in another order). Items that
 * carry a `$patch` directive are not content and are skipped.
 */
export function orderAgrees(patchList: readonly unknown[], order: readonly unknown[], keyOf: KeyOf, isDirective: (item: unknown) => boolean): boolean {
  const items = patchList.filter((x) => !isDirective(x));
  let p = 0;
  for (let o = 0; p < items.length && o < order.length; o++) {
    if (keyOf(items[p]) === keyOf(order[o])) p++;
  }
  return p >= items.length || order.length === 0;
}
