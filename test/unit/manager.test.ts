import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { Lease } from '../../shared/api/apps.js';
import { Manager, type Runnable } from '../../shared/controller/manager.js';
import { FakeApi } from '../support/fake-api.js';
import { advance, settle } from '../support/settle.js';

const LEASES = resourceByPlural('leases');
const aborts: AbortController[] = [];
afterEach(() => aborts.splice(0).forEach((a) => a.abort()));

interface Probe extends Runnable {
  running: boolean;
  runs: number;
  onStop?: () => void | Promise<void>;
}

function probe(name: string, needLeaderElection: boolean): Probe {
  const p: Probe = {
    name,
    needLeaderElection,
    running: false,
    runs: 0,
    async run(signal) {
      p.running = true;
      p.runs++;
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      await p.onStop?.();
      p.running = false;
    },
  };
  return p;
}

function controllerAbort(): AbortController {
  const a = new AbortController();
  aborts.push(a);
  return a;
}

describe('Manager', () => {
  it('without leader election runs every runnable until stopped, and resolves when all returned', async () => {
    const m = new Manager();
    const cache = probe('cache', false);
    const ctrl = probe('ctrl', true);
    m.add(cache).add(ctrl);
    const stop = controllerAbort();
    const done = m.start(stop.signal);
    await settle();
    expect(cache.running && ctrl.running).toBe(true);
    expect(m.isLeader()).toBe(true);
    const late = probe('late', true);
    m.add(late);
    await settle();
    expect(late.running).toBe(true);
    stop.abort();
    await done;
    expect([cache.running, ctrl.running, late.running]).toEqual([false, false, false]);
  });

  it('stops everything and rejects when a runnable fails', async () => {
    const m = new Manager();
    const other = probe('other', false);
    m.add(other).add({ name: 'broken', run: async () => Promise.reject(new Error('port in use')) });
    await expect(m.start(controllerAbort().signal)).rejects.toThrow('port in use');
    expect(other.running).toBe(false);
  });

  it('runs leader runnables only on the elected manager, and moves them when the leader is cut off', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    const make = (id: string) => {
      const conn = fake.connect();
      const changes: boolean[] = [];
      const m = new Manager({
        leaderElection: { api: conn, clock, namespace: 'kube-system', name: 'cm', identity: id, jitter: 0 },
        onLeadershipChange: (l) => changes.push(l),
      });
      const cache = probe(`${id}-cache`, false);
      const ctrl = probe(`${id}-ctrl`, true);
      m.add(cache).add(ctrl);
      void m.start(controllerAbort().signal);
      return { m, conn, cache, ctrl, changes };
    };
    const a = make('a');
    await advance(clock, 100);
    const b = make('b');
    await advance(clock, 1500);
    expect(a.ctrl.running).toBe(true);
    expect(b.ctrl.running).toBe(false);
    expect(a.cache.running && b.cache.running).toBe(true);

    a.conn.down = true;
    for (let i = 0; i < 600 && !b.ctrl.running; i++) {
      await advance(clock, 10);
      expect(a.ctrl.running && b.ctrl.running).toBe(false);
    }
    expect(b.ctrl.running).toBe(true);
    expect(a.ctrl.running).toBe(false);
    expect(a.cache.running).toBe(true);
    expect(a.changes).toEqual([true, false]);
    expect(b.changes).toEqual([true]);

    // The old leader reconnects: it campaigns again but stays on standby.
    a.conn.down = false;
    await advance(clock, 3000);
    expect(a.ctrl.running).toBe(false);
    expect(a.ctrl.runs).toBe(1);
  });

  it('on a graceful stop, stops leader runnables before releasing the lease', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    const m = new Manager({ leaderElection: { api: fake, clock, namespace: 'kube-system', name: 'sched', identity: 'a' } });
    const ctrl = probe('ctrl', true);
    let holderWhenStopped: string | null | undefined;
    ctrl.onStop = async () => {
      holderWhenStopped = (await fake.get<Lease>(LEASES, 'kube-system', 'sched')).spec.holderIdentity;
    };
    m.add(ctrl);
    const stop = controllerAbort();
    const done = m.start(stop.signal);
    await advance(clock, 100);
    expect(ctrl.running).toBe(true);
    stop.abort();
    await done;
    expect(holderWhenStopped).toBe('a');
    expect((await fake.get<Lease>(LEASES, 'kube-system', 'sched')).spec.holderIdentity).toBe('');
  });
});
