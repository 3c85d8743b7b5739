import { describe, expect, it } from 'vitest';
import {
  intValue, intValueOrZero, milliValue, milliValueOrZero, parseQuantity, QUANTITY_FORMAT_MESSAGE, tryParseQuantity,
} from '../../shared/api/quantity.js';
import { StatusError } from '../../shared/api/errors.js';

describe('quantity', () => {
  it('reads cpu in millicores from every form kubectl users write', () => {
    expect(milliValue('100m')).toBe(100);
    expect(milliValue('0.5')).toBe(500);
    expect(milliValue('1')).toBe(1000);
    expect(milliValue(2)).toBe(2000);
    expect(milliValue(0.25)).toBe(250);
    expect(milliValue('1.5')).toBe(1500);
    expect(milliValue('.5')).toBe(500);
    expect(milliValue('2.')).toBe(2000);
    expect(milliValue('+250m')).toBe(250);
  });

  it('is exact where floating point is not (0.1 cpu is 100 millicores, not 101)', () => {
    expect(milliValue('0.1')).toBe(100);
    expect(milliValue('0.3')).toBe(300);
    expect(milliValue('1.1')).toBe(1100);
    expect(milliValue(0.1)).toBe(100);
  });

  it('rounds up what does not divide, as Kubernetes does', () => {
    expect(milliValue('0.0001')).toBe(1);
    expect(milliValue('1500u')).toBe(2);
    expect(intValue('0.5')).toBe(1);
    expect(intValue('100m')).toBe(1);
  });

  it('reads memory with binary and decimal suffixes and exponents', () => {
    expect(intValue('128Mi')).toBe(128 * 1024 * 1024);
    expect(intValue('1Gi')).toBe(1024 ** 3);
    expect(intValue('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(intValue('1G')).toBe(1e9);
    expect(intValue('5k')).toBe(5000);
    expect(intValue('1e3')).toBe(1000);
    expect(intValue('1E6')).toBe(1e6);
    expect(intValue('12e-1')).toBe(2);
    expect(intValue('2Ki')).toBe(2048);
    expect(intValue('1Ti')).toBe(1024 ** 4);
    expect(intValue('110')).toBe(110);
    expect(intValue('500n')).toBe(1);
  });

  it('keeps the sign', () => {
    expect(milliValue('-100m')).toBe(-100);
    expect(intValue('-1Ki')).toBe(-1024);
    expect(tryParseQuantity('-0')?.negative).toBe(false);
  });

  it('refuses malformed quantities with kube-apiserver\'s message', () => {
    for (const bad of ['', 'abc', '1.2.3', '5 Mi', 'Mi', '1KiB', '1mi', '--1', '1e', '0x10', ' 1']) {
      expect(tryParseQuantity(bad), bad).toBeUndefined();
      expect(() => parseQuantity(bad), bad).toThrow(StatusError);
    }
    try {
      parseQuantity('lots');
    } catch (err) {
      expect((err as StatusError).reason).toBe('BadRequest');
      expect((err as StatusError).message).toContain(QUANTITY_FORMAT_MESSAGE);
    }
    expect(tryParseQuantity(Number.NaN)).toBeUndefined();
  });

  it('reads absent or malformed quantities as zero in the lenient readers', () => {
    expect(milliValueOrZero(undefined)).toBe(0);
    expect(milliValueOrZero('nonsense')).toBe(0);
    expect(intValueOrZero(null)).toBe(0);
    expect(intValueOrZero('64Mi')).toBe(64 * 1024 * 1024);
  });
});
