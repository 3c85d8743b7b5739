/**
 * What a kubelet reports about its machine (Node `status.nodeInfo` and ephemeral-storage): read
 * from the host once at start. Per node, `machineID` and `systemUUID` are derived from the node
 * name (stable across kubelet restarts, distinct between nodes sharing a host), `bootID` is the
 * kubelet process's own (a restarted kubelet looks like a rebooted machine, which is what a killed
 * and restarted node is). Reading never fails: unknown facts fall back to plain values.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { release, type as osType } from 'node:os';
import type { MachineInfo } from './node-status.js';

const BOOT_ID = randomUUID();

function osImage(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    if (m?.[1]) return m[1];
  } catch {
    // no os-release: say what the OS module knows
  }
  return `${osType()} ${release()}`;
}

const OS_IMAGE = osImage();

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function machineInfo(nodeName: string): MachineInfo {
  const u = digest(`kubemu-system-uuid:${nodeName}`);
  return {
    machineID: digest(`kubemu-machine-id:${nodeName}`).slice(0, 32),
    systemUUID: `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20, 32)}`,
    bootID: BOOT_ID,
    kernelVersion: release(),
    osImage: OS_IMAGE,
  };
}

/** Size of the filesystem holding `dir` (created if missing), or 100 GiB when it cannot be read. */
export function diskCapacityBytes(dir: string): number {
  try {
    mkdirSync(dir, { recursive: true });
    const s = statfsSync(dir);
    return s.blocks * s.bsize;
  } catch {
    return 100 * 2 ** 30;
  }
}
