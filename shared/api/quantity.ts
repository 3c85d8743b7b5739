/**
 * Resource quantities (`100m`, `0.5`, `128Mi`, `1G`, `1e3`), as `resource.Quantity` reads them.
 *
 * Grammar (Kubernetes'):
 *
 *   quantity ::= sign? number suffix
 *   number   ::= digits | digits "." digits? | "." digits
 *   suffix   ::= "" | binarySI | decimalSI | ("e" | "E") sign? digits
 *   binarySI ::= Ki | Mi | Gi | Ti | Pi | Ei          (powers of 1024)
 *   decimalSI::= n | u | m | k | M | G | T | P | E    (powers of 1000)
 *
 * Values are kept exact (a BigInt mantissa with powers of 10 and 2), so `0.1` cpu is exactly
 * 100 millicores, never 100.00000000000001. Like Kubernetes, reading a quantity at a scale rounds
 * up: `cpuMillis('0.0001')` is 1, `memoryBytes('0.5')` is 1. Results are JavaScript numbers (exact
 * up to 2^53, i.e. 8 PiB; beyond that they are close, which is all a scheduler needs).
 *
 * A JSON number is read through its decimal form (`0.5` → `"0.5"`). A malformed quantity is a
 * `badRequest` with kube-apiserver's message from `parseQuantity`; `tryParseQuantity` answers
 * `undefined` instead, and the `*OrZero` readers treat it as 0 (for components reading objects the
 * api-server has already accepted, which must not crash on them).
 *
 * This module imports only ./errors.
 */
import { badRequest } from './errors.js';

export type QuantityInput = string | number;

export interface ParsedQuantity {
  /** The absolute value is `mantissa × 10^exp10 × 2^exp2`. */
  readonly negative: boolean;
  readonly mantissa: bigint;
  readonly exp10: number;
  readonly exp2: number;
}

const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** kube-apiserver's wording for a quantity it cannot parse. */
export const QUANTITY_FORMAT_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export function tryParseQuantity(q: QuantityInput | null | undefined): ParsedQuantity | undefined {
  if (q === null || q === undefined) return undefined;
  const text = typeof q === 'number' ? (Number.isFinite(q) ? String(q) : '') : q;
  const m = QUANTITY_RE.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix = ''] = m;
  const [whole, fraction = ''] = number.split('.');
  let exp10 = -fraction.length;
  let exp2 = 0;
  if (suffix in BINARY) exp2 = BINARY[suffix];
  else if (suffix in DECIMAL) exp10 += DECIMAL[suffix];
  else if (suffix) {
    const e = Number(suffix.slice(1));
    if (!Number.isSafeInteger(e) || Math.abs(e) > 1000) return undefined;
    exp10 += e;
  }
  const mantissa = BigInt(`${whole}${fraction}` || '0');
  return { negative: sign === '-' && mantissa !== 0n, mantissa, exp10, exp2 };
}

export function parseQuantity(q: QuantityInput): ParsedQuantity {
  const parsed = tryParseQuantity(q);
  if (!parsed) throw badRequest(`${QUANTITY_FORMAT_MESSAGE}: ${JSON.stringify(q)}`);
  return parsed;
}

/** ceil(value / 10^scale): `scale` -3 gives thousandths (millicores), 0 whole units (bytes). */
export function scaledValue(p: ParsedQuantity, scale: number): number {
  let num = p.mantissa * 2n ** BigInt(p.exp2);
  let den = 1n;
  const e = p.exp10 - scale;
  if (e >= 0) num *= 10n ** BigInt(e);
  else den = 10n ** BigInt(-e);
  // Rounds up for positive values, towards zero for negative ones, as Quantity.ScaledValue does.
  const abs = p.negative ? num / den : (num + den - 1n) / den;
  return Number(p.negative ? -abs : abs);
}

/** Thousandths, rounded up: cpu in millicores (`100m` → 100, `0.5` → 500, `2` → 2000). */
export function milliValue(q: QuantityInput): number {
  return scaledValue(parseQuantity(q), -3);
}

/** Whole units, rounded up: memory in bytes (`128Mi` → 134217728, `1G` → 1e9), pods as a count. */
export function intValue(q: QuantityInput): number {
  return scaledValue(parseQuantity(q), 0);
}

/** `milliValue`, but 0 for an absent or malformed quantity. */
export function milliValueOrZero(q: QuantityInput | null | undefined): number {
  const p = tryParseQuantity(q);
  return p ? scaledValue(p, -3) : 0;
}

/** `intValue`, but 0 for an absent or malformed quantity. */
export function intValueOrZero(q: QuantityInput | null | undefined): number {
  const p = tryParseQuantity(q);
  return p ? scaledValue(p, 0) : 0;
}


const SI_SUFFIXES: readonly [number, string][] = [
  [18, 'E'],
  [15, 'P'],
  [12, 'T'],
  [9, 'G'],
  [6, 'M'],
  [3, 'k'],
];

/**
 * A value given in thousandths, printed as a DecimalSI Quantity is (`resource.NewMilliQuantity(v,
 * DecimalSI).String()`): `250m`, `1500m`, `1`, `0`, and whole values in the largest exact SI unit
 * (`12000000` → `12M`). Fractions of a thousandth are rounded up.
 */
export function formatMilliQuantity(milli: number): string {
  const m = Math.ceil(milli);
  if (m === 0) return '0';
  if (m % 1000 !== 0) return `${m}m`;
  const whole = m / 1000;
  for (const [exp, suffix] of SI_SUFFIXES) {
    const unit = 10 ** exp;
    if (Number.isSafeInteger(whole) && whole % unit === 0) return `${whole / unit}${suffix}`;
  }
  return String(whole);
}
