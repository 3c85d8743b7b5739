/**
 * CPU and memory of running containers, for `kubectl top` and the autoscaler: CPU in millicores
 * over a sampling window, memory as the resident bytes of the container's process tree (/proc).
 *
 * Sampling happens on demand: each call compares the container's CPU ticks with the sample the
 * previous call kept. A window shorter than `minWindowMs` (default 1 s: ticks are 10 ms coarse)
 * answers the last rate instead of a noisy one; the first call measures from the container's start.
 * Exited children count once their parent reaps them (cutime/cstime), so the figure does not drop
 * when a shell's commands finish. Time comes from the injected clock.
 */
import type { Clock } from '../../../../shared/runtime/clock.js';
import type { ResourceUsage } from '../runtime.js';
import { CLOCK_TICKS, treeUsage } from '../../../../shared/runtime/proc.js';

interface Sample {
  at: number;
  ticks: number;
  cpuMillicores: number;
}

export class UsageSampler {
  private samples = new Map<string, Sample>();

  constructor(private clock: Clock, private minWindowMs = 1000) {}

  /** Starts measuring a container whose main process just started. */
  started(id: string): void {
    this.samples.set(id, { at: this.clock.now(), ticks: 0, cpuMillicores: 0 });
  }

  forget(id: string): void {
    this.samples.delete(id);
  }

  sample(id: string, pid: number): ResourceUsage | undefined {
    const now = treeUsage(pid);
    if (!now) return undefined;
    const at = this.clock.now();
    const last = this.samples.get(id) ?? { at, ticks: now.ticks, cpuMillicores: 0 };
    let cpuMillicores = last.cpuMillicores;
    if (at - last.at >= this.minWindowMs) {
      const cpuMs = ((now.ticks - last.ticks) * 1000) / CLOCK_TICKS;
      cpuMillicores = Math.max(0, Math.round((cpuMs * 1000) / (at - last.at)));
      this.samples.set(id, { at, ticks: now.ticks, cpuMillicores });
    } else if (!this.samples.has(id)) {
      this.samples.set(id, last);
    }
    return { cpuMillicores, memoryBytes: now.rssBytes };
  }
}
