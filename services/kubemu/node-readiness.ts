/**
 * The nodes as the API sees them, read by the CLI over the api-server's HTTP API (what kubectl
 * reads): whether each node is registered and Ready, waiting until they all are, and the lines
 * `kubectl get nodes` prints.
 *
 * Ready means the Node's `Ready` condition is `True`; `False` and `Unknown` (no heartbeats) are
 * NotReady, as kubectl shows them. The table lines come from the api-server's own server-side
 * Table for nodes (the same columns and ages kubectl prints), so nothing here re-implements a
 * printer. Reading never throws for a down api-server: `readNodes` answers `unreachable`.
 * Waiting polls with the injected clock, never sleeps blindly.
 */
import type { Node } from '../../shared/api/core.js';
import type { KubeList } from '../../shared/api/meta.js';
import type { Clock } from '../../shared/runtime/clock.js';
import { textTable } from './text-table.js';

export type ReadyState = 'True' | 'False' | 'Unknown';

export interface NodeView {
  name: string;
  ready: ReadyState;
  /** The Ready condition's reason and message, when not ready. */
  why?: string;
}

export type NodesRead = { ok: true; nodes: Map<string, NodeView> } | { ok: false; unreachable: string };

export function nodeView(node: Node): NodeView {
  const cond = node.status?.conditions?.find((c) => c.type === 'Ready');
  const ready: ReadyState = cond?.status ?? 'Unknown';
  const why = ready === 'True' ? undefined : cond ? [cond.reason, cond.message].filter(Boolean).join(': ') || undefined : 'no Ready condition yet';
  return { name: node.metadata.name ?? '', ready, ...(why ? { why } : {}) };
}

/** kubectl's STATUS word for a node. */
export function statusWord(ready: ReadyState | undefined): string {
  return ready === 'True' ? 'Ready' : 'NotReady';
}

export async function readNodes(apiUrl: string, timeoutMs = 2000): Promise<NodesRead> {
  try {
    const res = await fetch(`${apiUrl}/api/v1/nodes`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (res.status !== 200) return { ok: false, unreachable: `GET /api/v1/nodes answered ${res.status}` };
    const list = (await res.json()) as KubeList<Node>;
    return { ok: true, nodes: new Map(list.items.map((n) => [n.metadata.name ?? '', nodeView(n)])) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { ok: false, unreachable: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}

export class NodesNotReady extends Error {
  override name = 'NodesNotReady';
}

export interface WaitNodesOptions {
  clock: Clock;
  deadlineMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Why waiting is pointless (a kubelet died), or undefined to go on. */
  failed?: () => string | undefined;
}

/** Why the named nodes are not all Ready yet, or undefined when they are. */
export function notReadyYet(read: NodesRead, names: string[]): string | undefined {
  if (!read.ok) return `the API does not answer (${read.unreachable})`;
  const missing = names.filter((n) => !read.nodes.has(n));
  const notReady = names.map((n) => read.nodes.get(n)).filter((v): v is NodeView => v !== undefined && v.ready !== 'True');
  const parts = [
    ...(missing.length ? [`not registered: ${abbreviate(missing)}`] : []),
    ...notReady.slice(0, 5).map((v) => `${v.name} is ${statusWord(v.ready)}${v.why ? ` (${v.why})` : ''}`),
    ...(notReady.length > 5 ? [`${notReady.length - 5} more NotReady`] : []),
  ];
  return parts.length ? parts.join('; ') : undefined;
}

/** Resolves once every named node is Ready in the API; throws NodesNotReady saying which are not. */
export async function waitNodesReady(apiUrl: string, names: string[], opts: WaitNodesOptions): Promise<void> {
  const deadline = opts.clock.now() + opts.deadlineMs;
  for (;;) {
    const why = notReadyYet(await readNodes(apiUrl), names);
    if (why === undefined) return;
    const failed = opts.failed?.();
    if (failed) throw new NodesNotReady(failed);
    if (opts.signal?.aborted) throw new NodesNotReady('interrupted');
    if (opts.clock.now() >= deadline) throw new NodesNotReady(`nodes not Ready after ${Math.round(opts.deadlineMs / 1000)}s: ${why}`);
    await opts.clock.sleep(opts.intervalMs ?? 200, opts.signal).catch(() => undefined);
  }
}

interface TableResponse {
  columnDefinitions?: { name: string; priority?: number }[];
  rows?: { cells: unknown[]; object?: { metadata?: { name?: string } } }[];
}

/**
 * `kubectl get nodes` for the nodes `show` selects, as text lines (header first); the nodes it does
 * not select are counted by Ready state in one closing line (`+ 100 more: 100 Ready`). Undefined
 * when the API does not answer.
 */
export async function nodesTable(apiUrl: string, show: (name: string) => boolean, timeoutMs = 2000): Promise<string | undefined> {
  try {
    const res = await fetch(`${apiUrl}/api/v1/nodes`, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json' },
    });
    if (res.status !== 200) return undefined;
    const table = (await res.json()) as TableResponse;
    const columns = (table.columnDefinitions ?? []).map((c, i) => ({ ...c, i })).filter((c) => !c.priority);
    const shown: string[][] = [];
    const others = new Map<string, number>();
    const statusAt = columns.findIndex((c) => c.name === 'Status');
    for (const row of table.rows ?? []) {
      const cells = columns.map((c) => String(row.cells[c.i] ?? ''));
      if (show(row.object?.metadata?.name ?? cells[0])) shown.push(cells);
      else {
        const s = statusAt >= 0 ? cells[statusAt] : '?';
        others.set(s, (others.get(s) ?? 0) + 1);
      }
    }
    const lines = [textTable([columns.map((c) => c.name.toUpperCase()), ...shown])];
    if (others.size) {
      const total = [...others.values()].reduce((a, b) => a + b, 0);
      lines.push(`+ ${total} more: ${[...others].map(([s, n]) => `${n} ${s}`).join(', ')}`);
    }
    return lines.join('\n');
  } catch {
    return undefined;
  }
}

/** `a, b, c and 7 more`. */
export function abbreviate(names: string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
