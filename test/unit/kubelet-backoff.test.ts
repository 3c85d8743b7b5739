import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { Backoff, backoffFor, goDuration } from '../../services/kubelet/backoff.js';
import { IpAllocator } from '../../services/kubelet/ip-allocator.js';
import { kibibytes } from '../../services/kubelet/node-status.js';
import { behaviourOf, DEFAULT_STAGES, isKnownImage, parseStages } from '../../services/kubelet/runtime/stages.js';

describe('restart back-off', () => {
  it('lets the first restart go at once, then waits 1×, 2×, 4× … up to the maximum', () => {
    const clock = new FakeClock();
    const b = new Backoff(clock, { initialMs: 1000, maxMs: 4000 });
    const exit1 = clock.now();
    expect(b.inBackOffSince('k', exit1)).toBe(false);
    expect(b.next('k', exit1)).toBe(1000);
    clock.advance(100);
    const exit2 = clock.now();
    expect(b.inBackOffSince('k', exit2)).toBe(true);
    expect(b.remainingSince('k', exit2)).toBe(1000);
    clock.advance(1000);
    expect(b.inBackOffSince('k', exit2)).toBe(false);
    expect(b.next('k', exit2)).toBe(2000);
    expect(b.next('k', clock.now())).toBe(4000);
    expect(b.next('k', clock.now())).toBe(4000);
  });

  it('starts over after a quiet spell of twice the maximum', () => {
    const clock = new FakeClock();
    const b = new Backoff(clock, { initialMs: 1000, maxMs: 4000 });
    b.next('k');
    b.next('k');
    clock.advance(8001);
    expect(b.next('k')).toBe(1000);
  });

  it('counts image pull waits from the last attempt', () => {
    const clock = new FakeClock();
    const b = new Backoff(clock, { initialMs: 1000, maxMs: 30_000 });
    expect(b.inBackOffSinceUpdate('img')).toBe(false);
    b.next('img');
    clock.advance(999);
    expect(b.remainingSinceUpdate('img')).toBe(1);
    clock.advance(1);
    expect(b.inBackOffSinceUpdate('img')).toBe(false);
  });

  it('uses Kubernetes’ 10 s → 5 min under the kubernetes profile and prints Go durations', () => {
    expect(backoffFor('kubernetes')).toEqual({ initialMs: 10_000, maxMs: 300_000 });
    expect(backoffFor('default')).toEqual({ initialMs: 1000, maxMs: 30_000 });
    expect([goDuration(10_000), goDuration(80_000), goDuration(300_000), goDuration(500)]).toEqual(['10s', '1m20s', '5m0s', '500ms']);
  });
});

describe('pod IP allocation', () => {
  it('hands out .2 – .254, the same address to the same uid, round robin after release', () => {
    const ips = new IpAllocator('127.128.3.0/24');
    expect(ips.allocate('a')).toBe('127.128.3.2');
    expect(ips.allocate('a')).toBe('127.128.3.2');
    expect(ips.allocate('b')).toBe('127.128.3.3');
    ips.release('a');
    expect(ips.allocate('c')).toBe('127.128.3.4');
  });

  it('keeps reserved addresses (a restarted kubelet) and refuses ones taken or foreign', () => {
    const ips = new IpAllocator('127.128.3.0/24');
    expect(ips.reserve('x', '127.128.3.2')).toBe(true);
    expect(ips.reserve('y', '127.128.3.2')).toBe(false);
    expect(ips.reserve('y', '127.128.9.9')).toBe(false);
    expect(ips.allocate('z')).toBe('127.128.3.3');
  });

  it('says when the CIDR is full', () => {
    const ips = new IpAllocator('127.128.3.0/24');
    for (let i = 0; i < 253; i++) ips.allocate(`p${i}`);
    expect(() => ips.allocate('one-too-many')).toThrow(/no free pod IP left in 127.128.3.0\/24/);
  });
});

describe('node capacity', () => {
  it('prints memory in whole KiB, as a kubelet does', () => {
    expect(kibibytes(4 * 2 ** 30)).toBe('4194304Ki');
    expect(kibibytes(1023)).toBe('0Ki');
  });
});

describe('simulated stages', () => {
  it('parses a YAML stages file over the defaults and rejects bad fields', () => {
    const s = parseStages('pull: { delayMs: 20, jitterMs: 30 }\nknown: ["*"]\nimages:\n  - { image: "flaky*", exitAfterMs: 500, exitCode: 2 }\n');
    expect(s.pull).toEqual({ delayMs: 20, jitterMs: 30 });
    expect(s.start).toEqual(DEFAULT_STAGES.start);
    expect(isKnownImage(s, 'anything/at:all')).toBe(true);
    expect(behaviourOf(s, 'flaky:1', {}, () => 0)).toEqual({ exitAfterMs: 500, exitCode: 2, ignoreTerm: false });
    expect(() => parseStages('pull: { delayMs: -1 }')).toThrow('stages: pull.delayMs must be a number >= 0');
    expect(() => parseStages('images: [ { exitCode: 1 } ]')).toThrow('stages: images[0].image must be a non-empty string');
  });

  it('knows the catalog images by default and lets env override a container’s fate', () => {
    expect(isKnownImage(DEFAULT_STAGES, 'luksa/kubia')).toBe(true);
    expect(isKnownImage(DEFAULT_STAGES, 'docker.io/luksa/kubia:latest')).toBe(true);
    expect(isKnownImage(DEFAULT_STAGES, 'nginx:1.25')).toBe(true);
    expect(isKnownImage(DEFAULT_STAGES, 'nope/nothing')).toBe(false);
    expect(behaviourOf(DEFAULT_STAGES, 'kubemu/crasher', { CRASH_AFTER_SECONDS: '3', EXIT_CODE: '7' }, () => 0)).toEqual({ exitAfterMs: 3000, exitCode: 7, ignoreTerm: false });
    expect(behaviourOf(DEFAULT_STAGES, 'luksa/kubia', {}, () => 0)).toEqual({ exitCode: 0, ignoreTerm: false });
    expect(behaviourOf(DEFAULT_STAGES, 'busybox', { KUBEMU_SIM_EXIT_AFTER_MS: '10' }, () => 0, true)).toEqual({ exitAfterMs: 10, exitCode: 0, ignoreTerm: false });
  });

  it('lets a shell image without a command exit 0 at once, and run on with one', () => {
    expect(behaviourOf(DEFAULT_STAGES, 'busybox', {}, () => 0, false)).toEqual({ exitAfterMs: 0, exitCode: 0, ignoreTerm: false });
    expect(behaviourOf(DEFAULT_STAGES, 'busybox:1.36', {}, () => 0, true)).toEqual({ exitCode: 0, ignoreTerm: false });
  });
});
