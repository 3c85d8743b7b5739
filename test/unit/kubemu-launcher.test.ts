import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../shared/runtime/clock.js';
import type { Bus } from '../../shared/nats/connection.js';
import type { Launch } from '../../services/kubemu/components.js';
import { layout } from '../../services/kubemu/data-dir.js';
import { startCluster } from '../../services/kubemu/launcher.js';
import { isAlive } from '../../services/kubemu/process-identity.js';
import { stopProcesses } from '../../services/kubemu/supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-launcher-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bus stand-in that answers every health request and counts how often it was connected. */
function fakeBus(asked: string[]): Bus {
  return {
    isClosed: false,
    request: async (subject: string) => {
      asked.push(subject);
      return { ok: true };
    },
    close: async () => undefined,
  } as unknown as Bus;
}

const idle = (name: string, tier: number): Launch => ({
  name,
  component: name,
  tier,
  file: process.execPath,
  args: ['-e', 'setInterval(() => {}, 1000)'],
  health: { kind: 'nats', subject: `kubemu.ctl.${name}.health` },
});

describe('kubemu launcher start', () => {
  it('opens one bus connection for all NATS health checks, even when a whole tier asks at once', async () => {
    let connects = 0;
    const asked: string[] = [];
    const cluster = await startCluster([idle('a', 0), idle('b', 0), idle('c', 0), idle('d', 1)], {
      clock: realClock,
      layout: layout(dir),
      cwd: dir,
      detach: false,
      startTimeoutMs: 10_000,
      graceMs: 1000,
      natsUrl: 'nats://127.0.0.1:1',
      connect: async () => {
        connects++;
        return fakeBus(asked);
      },
      say: () => undefined,
      onProgress: () => undefined,
    });
    try {
      expect(connects).toBe(1);
      expect(asked.sort()).toEqual(['kubemu.ctl.a.health', 'kubemu.ctl.b.health', 'kubemu.ctl.c.health', 'kubemu.ctl.d.health']);
      expect(cluster.processes.every((p) => isAlive(p.record.pid))).toBe(true);
    } finally {
      await stopProcesses(
        cluster.processes.map((p) => p.record),
        { clock: realClock, graceMs: 1000 },
      );
    }
    expect(cluster.processes.some((p) => isAlive(p.record.pid))).toBe(false);
  });

  it('stops what it started when interrupted during the start', async () => {
    const stop = new AbortController();
    const records: number[] = [];
    const slow: Launch = { ...idle('slow', 0), health: { kind: 'http', url: 'http://127.0.0.1:1/' } };
    const err = await startCluster([slow], {
      clock: realClock,
      layout: layout(dir),
      cwd: dir,
      detach: false,
      startTimeoutMs: 30_000,
      graceMs: 1000,
      natsUrl: 'nats://127.0.0.1:1',
      connect: () => Promise.reject(new Error('unused')),
      say: () => undefined,
      onProgress: (r) => {
        records.push(...r.map((x) => x.pid as number));
        setTimeout(() => stop.abort(), 200);
      },
      signal: stop.signal,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'StartFailed', interrupted: true });
    expect(records).toHaveLength(1);
    expect(isAlive(records[0])).toBe(false);
  });
});
