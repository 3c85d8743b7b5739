/**
 * What the process runtime measures and enforces: container limits for cgroups, /proc reading,
 * and CPU millicores over a sampling window (on this test's own process).
 */
import { describe, expect, it } from 'vitest';
import { limitsOf } from '../../services/kubelet/runtime/process/cgroups.js';
import { isAlive, procStat, processTree, treeUsage } from '../../shared/runtime/proc.js';
import { UsageSampler } from '../../services/kubelet/runtime/process/usage.js';
import { FakeClock } from '../../shared/runtime/clock.js';

describe('cgroup limits', () => {
  it('turns container limits into millicores and bytes, ignoring requests, zeros and garbage', () => {
    expect(limitsOf({ limits: { cpu: '250m', memory: '64Mi' } })).toEqual({ cpuMillicores: 250, memoryBytes: 64 * 2 ** 20 });
    expect(limitsOf({ limits: { cpu: 1.5, memory: '1G' } })).toEqual({ cpuMillicores: 1500, memoryBytes: 1e9 });
    expect(limitsOf({ limits: { cpu: '0', memory: 'lots' } })).toEqual({});
    expect(limitsOf(undefined)).toEqual({});
  });
});

describe('/proc', () => {
  it('reads this process: parent, group, memory, and its place in the tree', () => {
    const st = procStat(process.pid);
    expect(st).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(st!.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(isAlive(process.pid)).toBe(true);
    expect(processTree(process.ppid)).toContain(process.pid);
    expect(treeUsage(process.pid)!.rssBytes).toBeGreaterThanOrEqual(st!.rssBytes);
  });

  it('knows nothing of a process that does not exist', () => {
    expect(procStat(2 ** 30)).toBeUndefined();
    expect(isAlive(2 ** 30)).toBe(false);
    expect(treeUsage(2 ** 30)).toBeUndefined();
  });
});

describe('UsageSampler', () => {
  it('measures CPU in millicores over the window between samples, keeping the last rate inside a short window', () => {
    const clock = new FakeClock();
    const sampler = new UsageSampler(clock, 1000);
    sampler.sample('self', process.pid); // baseline
    const start = process.cpuUsage();
    let x = 0;
    const used = (): number => {
      const d = process.cpuUsage(start);
      return (d.user + d.system) / 1000;
    };
    while (used() < 300) for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    clock.advance(1000);
    const busy = sampler.sample('self', process.pid)!;
    // ≥300 ms of CPU in a 1 s window by the fake clock: ≥300 m, less the 10 ms coarseness of ticks.
    expect(busy.cpuMillicores).toBeGreaterThanOrEqual(280);
    expect(busy.cpuMillicores).toBeLessThan(1000);
    clock.advance(100);
    expect(sampler.sample('self', process.pid)!.cpuMillicores).toBe(busy.cpuMillicores);
    expect(sampler.sample('gone', 2 ** 30)).toBeUndefined();
  });
});
