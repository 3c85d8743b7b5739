/**
 * The real kubectl run for a step that must succeed: its exit code is asserted to be 0 (the failure
 * names the command and carries kubectl's stderr) and its stdout is the answer. `input` goes to its
 * stdin (`create -f -`). For commands expected to fail, call `E2ECluster.kubectl` and look at the code.
 */
import { expect } from 'vitest';
import type { E2ECluster } from './cluster.js';

export async function kubectlOk(c: E2ECluster, args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, input === undefined ? {} : { input });
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}
