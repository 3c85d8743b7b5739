/**
 * Network slots for clusters sharing one machine: claiming the lowest free slot, keeping a data
 * dir's slot, refusing a slot another running cluster or a socket uses, taking over stale claims,
 * giving a slot back — in a temp registry, with the machine's sockets and clusters stood in.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimSlot, releaseSlot, SlotTaken, socketSecondOctets, type SlotOptions } from '../../services/kubemu/network-slot.js';

const root = mkdtempSync(join(tmpdir(), 'kubemu-slots-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function world(over: Partial<SlotOptions> = {}): SlotOptions & { running: Set<string>; busy: Set<number> } {
  const running = new Set<string>();
  const busy = new Set<number>();
  return {
    dataDir: '/clusters/a',
    registry: mkdtempSync(join(root, 'registry-')),
    socketsUse: (slot) => busy.has(slot),
    clusterRuns: (dir) => running.has(dir),
    running,
    busy,
    ...over,
  };
}

describe('network slots', () => {
  it('gives each running cluster its own slot, the lowest free one', () => {
    const w = world();
    expect(claimSlot(w)).toBe(0);
    w.running.add('/clusters/a');
    expect(claimSlot({ ...w, dataDir: '/clusters/b' })).toBe(1);
    expect(JSON.parse(readFileSync(join(w.registry, 'slot-1'), 'utf8'))).toEqual({ dataDir: '/clusters/b' });
  });

  it('keeps the slot a data dir had, and refuses it while another cluster runs there', () => {
    const w = world();
    expect(claimSlot({ ...w, wanted: 4 })).toBe(4);
    expect(claimSlot({ ...w, wanted: 4 })).toBe(4);
    w.running.add('/clusters/a');
    expect(() => claimSlot({ ...w, dataDir: '/clusters/b', wanted: 4 })).toThrow(SlotTaken);
    expect(() => claimSlot({ ...w, dataDir: '/clusters/b', wanted: 4 })).toThrow('network slot 4 is taken: the cluster in /clusters/a uses it');
  });

  it('takes over the claim of a cluster that no longer runs', () => {
    const w = world();
    claimSlot(w);
    expect(claimSlot({ ...w, dataDir: '/clusters/b' })).toBe(0);
    expect(JSON.parse(readFileSync(join(w.registry, 'slot-0'), 'utf8'))).toEqual({ dataDir: '/clusters/b' });
  });

  it('skips slots whose addresses sockets on this machine use (clusters started without the launcher)', () => {
    const w = world();
    w.busy.add(0);
    w.busy.add(1);
    expect(claimSlot(w)).toBe(2);
    expect(() => claimSlot({ ...w, wanted: 0 })).toThrow('network slot 0 is taken: sockets on this machine use its addresses');
  });

  it('gives a slot back only for the data dir that holds it', () => {
    const w = world();
    claimSlot(w);
    releaseSlot(w.registry, 0, '/clusters/b');
    expect(existsSync(join(w.registry, 'slot-0'))).toBe(true);
    releaseSlot(w.registry, 0, '/clusters/a');
    expect(existsSync(join(w.registry, 'slot-0'))).toBe(false);
  });

  it('reads the 127.x addresses of /proc/net sockets, local and remote', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   1: 0200807F:1F90 0100017F:A2B4 01 00000000:00000000 00:00000000 00000000     0        0 2 1',
      '   2: 0100000A:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1',
    ].join('\n');
    expect([...socketSecondOctets([tcp])].sort((a, b) => a - b)).toEqual([0, 1, 128]);
  });
});
