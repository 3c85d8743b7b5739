import { describe, expect, it } from 'vitest';
import { humanDuration, since } from '../../services/api-server/table/duration.js';
import { FakeClock } from '../../shared/runtime/clock.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration (kubectl AGE strings)', () => {
  it.each([
    [0, '0s'],
    [45 * s, '45s'],
    [119 * s + 999, '119s'],
    [2 * m, '2m'],
    [3 * m + 20 * s, '3m20s'],
    [5 * m, '5m'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [95 * m, '95m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [5 * h + 12 * m, '5h12m'],
    [7 * h + 59 * m + 59 * s, '7h59m'],
    [8 * h, '8h'],
    [30 * h, '30h'],
    [47 * h + 59 * m, '47h'],
    [2 * d, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [300 * d, '300d'],
    [2 * y - 1, '729d'],
    [2 * y, '2y'],
    [3 * y + 20 * d, '3y20d'],
    [8 * y - 1, '7y364d'],
    [9 * y + 100 * d, '9y'],
  ])('%i ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('tolerates up to a second of clock skew as 0s and calls more <invalid>', () => {
    expect(humanDuration(-500)).toBe('0s');
    expect(humanDuration(-1999)).toBe('0s');
    expect(humanDuration(-2000)).toBe('<invalid>');
    expect(humanDuration(-5 * m)).toBe('<invalid>');
  });
});

describe('since (age of a timestamp)', () => {
  it('measures from the injected clock', () => {
    const clock = new FakeClock(Date.parse('2026-01-01T12:00:00Z'));
    expect(since('2026-01-01T11:56:40Z', clock)).toBe('3m20s');
    clock.advance(2 * h);
    expect(since('2026-01-01T11:56:40Z', clock)).toBe('123m');
  });

  it('prints <unknown> for a missing or unparsable time', () => {
    const clock = new FakeClock();
    expect(since(undefined, clock)).toBe('<unknown>');
    expect(since(null, clock)).toBe('<unknown>');
    expect(since('not a time', clock)).toBe('<unknown>');
  });
});
