import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { Balancer } from '../../services/kube-proxy/balancer.js';
import type { Backend } from '../../services/kube-proxy/rules.js';

const b = (...ips: string[]): Backend[] => ips.map((ip) => ({ ip, port: 8080 }));
const picks = (bal: Balancer, n: number, client = '127.0.0.1'): string[] => Array.from({ length: n }, () => bal.pick(client)?.ip ?? '-');

describe('kube-proxy balancer', () => {
  it('spreads connections round-robin over the backends', () => {
    const bal = new Balancer({ clock: new FakeClock(), random: () => 0 });
    bal.update(b('a', 'b', 'c'));
    expect(picks(bal, 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('starts its round-robin at a random backend', () => {
    const bal = new Balancer({ clock: new FakeClock(), random: () => 0.5 });
    bal.update(b('a', 'b', 'c'));
    // 500000 % 3 = 2
    expect(picks(bal, 2)).toEqual(['c', 'a']);
  });

  it('has nothing to give without backends', () => {
    const bal = new Balancer({ clock: new FakeClock() });
    expect(bal.pick('127.0.0.1')).toBeUndefined();
    bal.update(b('a'));
    bal.update([]);
    expect(bal.pick('127.0.0.1')).toBeUndefined();
  });

  it('applies new backends to the next pick', () => {
    const bal = new Balancer({ clock: new FakeClock(), random: () => 0 });
    bal.update(b('a', 'b'));
    expect(picks(bal, 2)).toEqual(['a', 'b']);
    bal.update(b('c'));
    expect(picks(bal, 2)).toEqual(['c', 'c']);
  });

  it('skips backends already tried for this connection and gives up when all were', () => {
    const bal = new Balancer({ clock: new FakeClock(), random: () => 0 });
    bal.update(b('a', 'b', 'c'));
    expect(bal.pick('x', new Set(['a:8080']))?.ip).toBe('b');
    expect(bal.pick('x', new Set(['a:8080', 'b:8080', 'c:8080']))).toBeUndefined();
  });

  it('sticks a client to one backend with ClientIP affinity while it comes back within the timeout', () => {
    const clock = new FakeClock();
    const bal = new Balancer({ clock, affinityTimeoutMs: 10_000, random: () => 0 });
    bal.update(b('a', 'b', 'c'), 10_000);
    expect(picks(bal, 3, '127.0.0.5')).toEqual(['a', 'a', 'a']);
    expect(bal.pick('127.0.0.6')?.ip).toBe('b');
    clock.advance(9_000);
    expect(bal.pick('127.0.0.5')?.ip).toBe('a'); // refreshed by this use
    clock.advance(9_000);
    expect(bal.pick('127.0.0.5')?.ip).toBe('a');
    clock.advance(10_001);
    expect(bal.pick('127.0.0.5')?.ip).toBe('c'); // expired: a new round-robin choice
  });

  it('moves an affinity when its backend is gone or refused', () => {
    const bal = new Balancer({ clock: new FakeClock(), affinityTimeoutMs: 60_000, random: () => 0 });
    bal.update(b('a', 'b'), 60_000);
    expect(bal.pick('c1')?.ip).toBe('a');
    bal.update(b('b', 'c'), 60_000);
    expect(bal.affinityCount()).toBe(0);
    const first = bal.pick('c1')?.ip;
    expect(first).not.toBe('a');
    const moved = bal.pick('c1', new Set([`${first}:8080`]))?.ip;
    expect(moved).not.toBe(first);
    expect(picks(bal, 3, 'c1')).toEqual([moved, moved, moved]);
  });

  it('forgets affinities when the service drops ClientIP affinity', () => {
    const bal = new Balancer({ clock: new FakeClock(), affinityTimeoutMs: 60_000, random: () => 0 });
    bal.update(b('a', 'b'), 60_000);
    bal.pick('c1');
    bal.update(b('a', 'b'));
    expect(bal.affinityCount()).toBe(0);
    expect(picks(bal, 2, 'c1')).toEqual(['b', 'a']);
  });

  it('reaps expired affinities when the table is full', () => {
    const clock = new FakeClock();
    const bal = new Balancer({ clock, affinityTimeoutMs: 1000, random: () => 0, maxClients: 3 });
    bal.update(b('a'), 1000);
    for (const c of ['c1', 'c2', 'c3']) bal.pick(c);
    clock.advance(2000);
    bal.pick('c4');
    expect(bal.affinityCount()).toBe(1);
  });
});
