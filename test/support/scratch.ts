/**
 * A suite's scratch space: a temp directory and a list of pids it spawned, both cleaned up after
 * the suite (the pids SIGKILLed, the directory removed), so a failing test leaves nothing running.
 * Call at the top level of a test file (it registers `afterAll`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export interface Scratch {
  dir: string;
  /** Push every pid the suite spawns. */
  pids: number[];
}

export function scratch(prefix: string): Scratch {
  const s: Scratch = { dir: mkdtempSync(join(tmpdir(), prefix)), pids: [] };
  afterAll(() => {
    for (const pid of s.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already, as it should be
      }
    }
    rmSync(s.dir, { recursive: true, force: true });
  });
  return s;
}
