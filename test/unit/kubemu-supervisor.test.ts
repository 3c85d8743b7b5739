import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../shared/runtime/clock.js';
import type { Launch } from '../../services/kubemu/components.js';
import { groupMembers, isAlive } from '../../services/kubemu/process-identity.js';
import { parseProcStat } from '../../shared/runtime/proc.js';
import { spawnProcess, stopProcess, stopProcesses, type Spawned } from '../../services/kubemu/supervisor.js';
import { logTail } from '../../services/kubemu/log-tail.js';
import { eventually } from '../support/eventually.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemu-supervisor-'));
const started: Spawned[] = [];

/** A stand-in process: plain node running `code`. */
function launch(name: string, code: string, tier = 1): Launch {
  return { name, component: name, tier, file: process.execPath, args: ['-e', code], health: { kind: 'http', url: 'http://127.0.0.1:1/' } };
}

async function start(name: string, code: string, tier = 1): Promise<Spawned> {
  const s = await spawnProcess(launch(name, code, tier), { clock: realClock, logFile: join(dir, `${name}.log`), cwd: dir, detach: false });
  started.push(s);
  return s;
}

const IDLE = 'setInterval(() => {}, 1000); console.log("up");';
const STUBBORN = 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); setInterval(() => {}, 1000); console.log("up");';

describe('kubemu supervisor', () => {
  afterAll(() => {
    for (const s of started) {
      try {
        process.kill(-s.record.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses /proc stat lines whose command name holds spaces and parentheses', () => {
    const line = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 11 0 987654 1000 50';
    expect(parseProcStat(line)).toMatchObject({ pid: 4242, state: 'S', ppid: 1, pgrp: 4242, startTicks: 987654, exiting: false });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('starts a process in its own process group with its output in its log file', async () => {
    const s = await start('logger', IDLE);
    expect(s.record.pid).toBeGreaterThan(0);
    expect(s.record.startTicks).toBeTypeOf('number');
    expect(groupMembers(s.record.pid)).toContain(s.record.pid);
    await eventually(() => expect(readFileSync(s.record.logFile, 'utf8')).toContain('up'));
    expect(await stopProcess(s.record, { clock: realClock })).toBe('stopped');
    expect(isAlive(s.record.pid)).toBe(false);
  });

  it('reports why a process exited', async () => {
    const s = await start('crasher', 'console.error("no store"); process.exit(3)');
    await eventually(() => expect(s.exitReason()).toBe('crasher exited with code 3'));
    expect(logTail(s.record.logFile)).toBe('no store');
    expect(await stopProcess(s.record, { clock: realClock })).toBe('already-exited');
  });

  it('fails clearly when the executable does not exist', async () => {
    const bad = { ...launch('ghost', ''), file: join(dir, 'no-such-binary') };
    await expect(spawnProcess(bad, { clock: realClock, logFile: join(dir, 'ghost.log'), cwd: dir, detach: false })).rejects.toThrow(
      /cannot start ghost .*ENOENT/,
    );
  });

  it('SIGKILLs a process that ignores SIGTERM once the grace period is over', async () => {
    const s = await start('stubborn', STUBBORN);
    await eventually(() => expect(readFileSync(s.record.logFile, 'utf8')).toContain('up'));
    const t0 = Date.now();
    expect(await stopProcess(s.record, { clock: realClock, graceMs: 300 })).toBe('killed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(isAlive(s.record.pid)).toBe(false);
    expect(readFileSync(s.record.logFile, 'utf8')).toContain('ignoring SIGTERM');
  });

  it('skips the grace period when hurried', async () => {
    const s = await start('hurried', STUBBORN);
    await eventually(() => expect(readFileSync(s.record.logFile, 'utf8')).toContain('up'));
    const hurry = new AbortController();
    hurry.abort();
    const t0 = Date.now();
    expect(await stopProcess(s.record, { clock: realClock, graceMs: 30_000, hurry: hurry.signal })).toBe('killed');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('kills what a process left behind in its group, so no orphan survives', async () => {
    const parent = await start(
      'parent',
      `const { spawn } = require('node:child_process');
       const c = spawn(process.execPath, ['-e', ${JSON.stringify(STUBBORN)}], { stdio: 'inherit' });
       console.log('child ' + c.pid);
       setInterval(() => {}, 1000);`,
    );
    const childPid = await eventually(() => {
      const m = /child (\d+)/.exec(readFileSync(parent.record.logFile, 'utf8'));
      if (!m) throw new Error('no child yet');
      return Number(m[1]);
    });
    expect(groupMembers(parent.record.pid)).toContain(childPid);
    expect(await stopProcess(parent.record, { clock: realClock, graceMs: 2000 })).toBe('stopped');
    expect(isAlive(childPid)).toBe(false);
    expect(groupMembers(parent.record.pid)).toEqual([]);
  });

  it('leaves alone a pid that now belongs to another process', async () => {
    const s = await start('reused', IDLE);
    const outcome = await stopProcess({ ...s.record, startTicks: (s.record.startTicks ?? 0) - 1 }, { clock: realClock });
    expect(outcome).toBe('pid-reused');
    expect(isAlive(s.record.pid)).toBe(true);
  });

  it('stops the highest tier first', async () => {
    const low = await start('low', IDLE, 0);
    const high = await start('high', IDLE, 2);
    const mid = await start('mid', IDLE, 1);
    const said: string[] = [];
    const out = await stopProcesses([low.record, high.record, mid.record], { clock: realClock, say: (l) => said.push(l.trim().split(/\s+/)[0]) });
    expect(said).toEqual(['high', 'mid', 'low']);
    expect([...out.values()]).toEqual(['stopped', 'stopped', 'stopped']);
  });
});
