import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { Lease } from '../../shared/api/apps.js';
import { LeaderElector, type LeaderElectionConfig } from '../../shared/controller/leader-election.js';
import { FakeApi } from '../support/fake-api.js';
import type { FakeConnection } from '../support/fake-connection.js';
import { settle } from '../support/settle.js';

const LEASES = resourceByPlural('leases');
const aborts: AbortController[] = [];
afterEach(() => aborts.splice(0).forEach((a) => a.abort()));

interface Candidate {
  id: string;
  elector: LeaderElector;
  conn: FakeConnection;
  abort: AbortController;
  done: Promise<void>;
  started: number;
  stopped: number;
  termAborted: boolean[];
}

function candidate(fake: FakeApi, clock: FakeClock, id: string, extra: Partial<LeaderElectionConfig> = {}): Candidate {
  const conn = fake.connect();
  const c = { id, conn, started: 0, stopped: 0, termAborted: [] as boolean[] } as unknown as Candidate;
  c.elector = new LeaderElector(
    { api: conn, clock, namespace: 'kube-system', name: 'kube-controller-manager', identity: id, ...extra },
    {
      onStartedLeading: (signal) => {
        c.started++;
        signal.addEventListener('abort', () => c.termAborted.push(true), { once: true });
      },
      onStoppedLeading: () => void c.stopped++,
    },
  );
  c.abort = new AbortController();
  aborts.push(c.abort);
  c.done = c.elector.run(c.abort.signal);
  return c;
}

/** Advances time in small steps, checking after each that there is never more than one leader. */
async function run(clock: FakeClock, ms: number, all: Candidate[], until?: () => boolean): Promise<number> {
  const start = clock.now();
  for (let t = 0; t < ms; t += 10) {
    clock.advance(10);
    await settle();
    expect(all.filter((c) => c.elector.isLeader()).length).toBeLessThanOrEqual(1);
    if (until?.()) break;
  }
  return clock.now() - start;
}

async function lease(fake: FakeApi): Promise<Lease> {
  return fake.get<Lease>(LEASES, 'kube-system', 'kube-controller-manager');
}

describe('LeaderElector', () => {
  it('elects exactly one leader among two candidates and writes the lease', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    const a = candidate(fake, clock, 'a');
    const b = candidate(fake, clock, 'b');
    await run(clock, 5000, [a, b]);
    const leaders = [a, b].filter((c) => c.elector.isLeader());
    expect(leaders).toHaveLength(1);
    const l = await lease(fake);
    expect(l.spec.holderIdentity).toBe(leaders[0].id);
    expect(l.spec.leaseDurationSeconds).toBe(4);
    expect(l.spec.leaseTransitions).toBe(0);
    expect(Date.parse(l.spec.renewTime ?? '')).toBeGreaterThan(clock.now() - 1100);
    expect(a.elector.leader).toBe(leaders[0].id);
    expect(b.elector.leader).toBe(leaders[0].id);
    expect(leaders[0].started).toBe(1);
  });

  it('lets another candidate take over within leaseDuration + retryPeriod after the leader stops renewing', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    const a = candidate(fake, clock, 'a', { jitter: 0 });
    await run(clock, 100, [a]);
    expect(a.elector.isLeader()).toBe(true);
    const b = candidate(fake, clock, 'b', { jitter: 0 });
    await run(clock, 2000, [a, b]);
    expect(b.elector.isLeader()).toBe(false);

    a.conn.down = true; // the leader's node is partitioned away: it can no longer renew
    const took = await run(clock, 10_000, [a, b], () => b.elector.isLeader());
    expect(b.elector.isLeader()).toBe(true);
    expect(took).toBeLessThanOrEqual(4000 + 1000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.stopped).toBe(1);
    expect(a.termAborted).toEqual([true]);
    const l = await lease(fake);
    expect(l.spec.holderIdentity).toBe('b');
    expect(l.spec.leaseTransitions).toBe(1);
  });

  it('gives up leadership within renewDeadline when it cannot renew, before the lease expires', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    const a = candidate(fake, clock, 'a');
    await run(clock, 100, [a]);
    const renewed = Date.parse((await lease(fake)).spec.renewTime ?? '');
    a.conn.down = true;
    await run(clock, 5000, [a], () => !a.elector.isLeader());
    expect(a.elector.isLeader()).toBe(false);
    expect(clock.now() - renewed).toBeLessThanOrEqual(3000 + 10);
    expect(clock.now()).toBeLessThan(renewed + 4000);
  });

  it('releases the lease on a graceful stop so the other candidate takes over at once', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    const a = candidate(fake, clock, 'a', { jitter: 0 });
    await run(clock, 100, [a]);
    const b = candidate(fake, clock, 'b', { jitter: 0 });
    await run(clock, 1500, [a, b]);
    a.abort.abort();
    await settle();
    await a.done;
    const released = await lease(fake);
    expect(released.spec.holderIdentity).toBe('');
    expect(a.stopped).toBe(1);
    const took = await run(clock, 5000, [a, b], () => b.elector.isLeader());
    expect(b.elector.isLeader()).toBe(true);
    expect(took).toBeLessThanOrEqual(1000);
    expect((await lease(fake)).spec.leaseTransitions).toBe(1);
  });

  it('leaves exactly one leader when two candidates create the lease at the same instant', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    let creates = 0;
    fake.reactor((c) => void (c.verb === 'create' && creates++));
    const a = candidate(fake, clock, 'a');
    const b = candidate(fake, clock, 'b');
    await settle();
    expect(creates).toBe(2);
    expect([a, b].filter((c) => c.elector.isLeader())).toHaveLength(1);
    await run(clock, 3000, [a, b]);
    expect([a, b].filter((c) => c.elector.isLeader())).toHaveLength(1);
  });

  it('leaves exactly one leader when two candidates take over an expired lease at the same instant', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    await fake.create(LEASES, 'kube-system', {
      metadata: { name: 'kube-controller-manager' },
      spec: { holderIdentity: 'dead', leaseDurationSeconds: 4, renewTime: new Date(clock.now() - 60_000).toISOString(), leaseTransitions: 2 },
    });
    let updates = 0;
    fake.reactor((c) => void (c.verb === 'update' && updates++));
    const a = candidate(fake, clock, 'a');
    const b = candidate(fake, clock, 'b');
    await settle();
    expect(updates).toBe(2);
    expect([a, b].filter((c) => c.elector.isLeader())).toHaveLength(1);
    expect((await lease(fake)).spec.leaseTransitions).toBe(3);
    await run(clock, 3000, [a, b]);
    expect([a, b].filter((c) => c.elector.isLeader())).toHaveLength(1);
  });

  it('keeps acquireTime and leaseTransitions while renewing', async () => {
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    const a = candidate(fake, clock, 'a');
    await run(clock, 100, [a]);
    const first = await lease(fake);
    await run(clock, 3000, [a]);
    const later = await lease(fake);
    expect(later.spec.acquireTime).toBe(first.spec.acquireTime);
    expect(later.spec.leaseTransitions).toBe(0);
    expect(Date.parse(later.spec.renewTime ?? '')).toBeGreaterThan(Date.parse(first.spec.renewTime ?? ''));
  });

  it('rejects timings that could let two leaders overlap', () => {
    const api = new FakeApi();
    const base = { api, namespace: 'kube-system', name: 'x', identity: 'a' };
    const cb = { onStartedLeading: () => undefined };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 3000, renewDeadlineMs: 3000 }, cb)).toThrow(/leaseDuration/);
    expect(() => new LeaderElector({ ...base, renewDeadlineMs: 1100, retryPeriodMs: 1000 }, cb)).toThrow(/renewDeadline/);
    expect(() => new LeaderElector({ ...base, identity: '' }, cb)).toThrow(/identity/);
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }, cb)).not.toThrow();
  });
});
