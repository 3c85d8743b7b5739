/**
 * Which network slot of 127/8 a cluster takes (shared/api/network.ts: slot s gives the cluster
 * its own node, service, load-balancer and pod ranges), so that several clusters — a person's
 * `npm start` and the test suites — can run on one machine without their pods fighting over
 * addresses.
 *
 * A slot is taken when either
 *   - a registry file `<registry>/slot-<s>` (default `<os tmp>/kubemu-network-slots`) names a data
 *     dir from which a cluster still runs (per its state file: any process still ours), or
 *   - some socket on this machine uses an address of the slot's ranges (/proc/net/tcp and udp):
 *     clusters started without the launcher (tests that build components in-process) show up so.
 * A registry file whose cluster no longer runs is stale and taken over. Claiming creates the file
 * exclusively (`wx`), so two `kubemu up` racing for one slot cannot both win.
 *
 * Slots are sticky per data dir: the store keeps each Node's pod CIDR, so a cluster that comes up
 * again from the same data dir must use the slot it used before (the caller passes it as
 * `wanted`). An explicit or sticky slot that is taken is an error, never silently swapped.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SLOTS, networkPlan } from '../../shared/api/network.js';
import { readState, runningProcesses } from './state.js';

export function defaultRegistry(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEMU_SLOT_REGISTRY || join(tmpdir(), 'kubemu-network-slots');
}

export interface SlotOptions {
  dataDir: string;
  registry: string;
  /** A slot to take (explicit flag, or the one this data dir used before); otherwise the lowest free one. */
  wanted?: number;
  /** Whether sockets use the slot's addresses (default: /proc/net). */
  socketsUse?: (slot: number) => boolean;
  /** Whether a cluster still runs from that data dir (default: its state file says so). */
  clusterRuns?: (dataDir: string) => boolean;
}

export class SlotTaken extends Error {
  override name = 'SlotTaken';
}

function slotFile(registry: string, slot: number): string {
  return join(registry, `slot-${slot}`);
}

function owner(registry: string, slot: number): string | undefined {
  try {
    return (JSON.parse(readFileSync(slotFile(registry, slot), 'utf8')) as { dataDir?: string }).dataDir;
  } catch {
    return undefined;
  }
}

function runsFrom(dataDir: string): boolean {
  try {
    const s = readState(dataDir);
    return s !== undefined && runningProcesses(s).length > 0;
  } catch {
    return false;
  }
}

/** Why `slot` cannot be ours, or undefined after it has been claimed for `dataDir`. */
function tryClaim(slot: number, o: SlotOptions): string | undefined {
  const runs = o.clusterRuns ?? runsFrom;
  const holder = owner(o.registry, slot);
  if (holder !== undefined && holder !== o.dataDir && runs(holder)) return `the cluster in ${holder} uses it`;
  if ((o.socketsUse ?? socketsUseSlot)(slot)) return 'sockets on this machine use its addresses';
  const file = slotFile(o.registry, slot);
  if (holder !== undefined && holder !== o.dataDir) {
    try {
      unlinkSync(file);
    } catch {
      // Another `kubemu up` removed the stale file first; `wx` below decides who gets the slot.
    }
  }
  try {
    writeFileSync(file, `${JSON.stringify({ dataDir: o.dataDir })}\n`, { flag: holder === o.dataDir ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'another kubemu up took it just now';
    throw err;
  }
  return undefined;
}

/** Claims a slot for `dataDir` and answers it; throws SlotTaken when the wanted one, or every one, is taken. */
export function claimSlot(o: SlotOptions): number {
  mkdirSync(o.registry, { recursive: true });
  if (o.wanted !== undefined) {
    networkPlan(o.wanted);
    const why = tryClaim(o.wanted, o);
    if (why) throw new SlotTaken(`network slot ${o.wanted} is taken: ${why}`);
    return o.wanted;
  }
  for (let s = 0; s < MAX_SLOTS; s++) if (tryClaim(s, o) === undefined) return s;
  throw new SlotTaken(`all ${MAX_SLOTS} network slots of this machine are taken`);
}

/** Gives the slot back (at `down`, or after a failed `up`), if `dataDir` holds it. */
export function releaseSlot(registry: string, slot: number, dataDir: string): void {
  if (owner(registry, slot) !== dataDir) return;
  try {
    unlinkSync(slotFile(registry, slot));
  } catch {
    // Already gone.
  }
}

/** The IPv4 addresses (as second octets of 127.x) that sockets in `/proc/net/{tcp,udp}` use, locally or remotely. */
export function socketSecondOctets(tables: string[]): Set<number> {
  const out = new Set<number>();
  for (const text of tables) {
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      for (const addr of [cols[1], cols[2]]) {
        const hex = addr?.split(':')[0];
        if (!hex || hex.length !== 8) continue;
        // /proc/net shows the address in host byte order (little-endian here): 0100007F = 127.0.0.1.
        const n = parseInt(hex, 16);
        if ((n & 255) === 127) out.add((n >>> 8) & 255);
      }
    }
  }
  return out;
}

function socketsUseSlot(slot: number): boolean {
  const tables: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/udp']) {
    try {
      tables.push(readFileSync(f, 'utf8'));
    } catch {
      // Not Linux: only the registry decides.
    }
  }
  const used = socketSecondOctets(tables);
  return networkPlan(slot).secondOctets.some((o) => used.has(o));
}
