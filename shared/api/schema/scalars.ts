/**
 * Decoding rules of the scalar types whose Go decoders do more than a type test, with the error
 * text those decoders produce (kube-apiserver puts it verbatim into a 400):
 *
 * - metav1.Time: Go's time.Parse with the RFC 3339 layout; MicroTime uses the layout with exactly
 *   six fractional digits (`2006-01-02T15:04:05.000000Z07:00`), so `…00.123Z` is refused there.
 *   Errors read `parsing time "x" as "<layout>": cannot parse "<rest>" as "<element>"` or
 *   `parsing time "x": month out of range`.
 * - resource.Quantity: surrounding spaces trimmed, then `<number><suffix>` with a binary (Ki…Ei),
 *   decimal (n, u, m, k, M, G, T, P, E) or exponent (e3, E-2) suffix; a malformed string gets
 *   the format message naming Kubernetes' regular expression, an unknown suffix its own.
 * - []byte: standard base64 with padding; CR and LF are ignored.
 *
 * Each function returns the error message, or undefined when the value is accepted. Values are
 * never rewritten here (kube-apiserver would canonicalise quantities and times on output; kubemu
 * keeps what the client sent).
 *
 * Pure; imports nothing.
 */

export const RFC3339 = '2006-01-02T15:04:05Z07:00';
export const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

const QUANTITY_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_RE}'`;
/** Sign, digits, optional fraction, then the suffix: letters, optional sign, digits. */
const QUANTITY_SHAPE = /^[+-]?[0-9]*(?:\.[0-9]*)?([eEinumkKMGTP]*[+-]?[0-9]*)$/;
const QUANTITY_SUFFIXES = new Set(['', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']);

/**
 * Why `raw` (the string content, or a JSON number's text) is not a Quantity: the shape is
 * checked first (anything left over is a format error), then the suffix must be a known one or an
 * exponent (`e3`, `E-2`). Digit-less numbers such as "m" parse as zero, as they do in Go.
 */
export function quantityProblem(raw: string): string | undefined {
  const s = raw.trim();
  if (s === '') return QUANTITY_FORMAT_ERROR;
  const m = QUANTITY_SHAPE.exec(s);
  if (!m) return QUANTITY_FORMAT_ERROR;
  const suffix = m[1] ?? '';
  if (!QUANTITY_SUFFIXES.has(suffix) && !/^[eE][+-]?[0-9]+$/.test(suffix)) return "unable to parse quantity's suffix";
  return undefined;
}

const BASE64 = /[A-Za-z0-9+/]/;

/** Why `s` is not standard padded base64, in Go's words (`illegal base64 data at input byte N`). */
export function base64Problem(s: string): string | undefined {
  const bad = (at: number): string => `illegal base64 data at input byte ${at}`;
  let quantumStart = 0;
  let inQuantum = 0;
  let padding = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\r' || c === '\n') continue;
    if (inQuantum === 0) quantumStart = i;
    if (c === '=') {
      if (inQuantum < 2) return bad(i);
      padding++;
    } else if (!BASE64.test(c) || padding > 0) {
      return bad(i);
    }
    inQuantum++;
    if (inQuantum === 4) {
      if (padding > 0) {
        // Padding ends the data: anything after it is an error.
        const rest = s.slice(i + 1).replace(/[\r\n]/g, '');
        if (rest.length > 0) return bad(s.length - rest.length);
        return undefined;
      }
      inQuantum = 0;
    }
  }
  if (inQuantum !== 0) return bad(padding > 0 ? s.length : quantumStart);
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(month: number, year: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 31;
}

const quote = (s: string): string => JSON.stringify(s);

/** Why `value` does not parse as metav1.Time (or MicroTime when `micro`), in Go's words. */
export function timeProblem(value: string, micro: boolean): string | undefined {
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const cannot = (rest: string, elem: string): string =>
    `parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(elem)}`;
  const outOfRange = (what: string): string => `parsing time ${quote(value)}: ${what} out of range`;
  let rest = value;
  const literal = (ch: string): boolean => {
    if (!rest.startsWith(ch)) return false;
    rest = rest.slice(1);
    return true;
  };
  /** A 2-digit number (or 1-2 digits when !fixed), consumed from rest. */
  const num = (fixed: boolean): number | undefined => {
    if (!/^\d/.test(rest)) return undefined;
    const n = /^\d\d/.test(rest) ? 2 : fixed ? 0 : 1;
    if (n === 0) return undefined;
    const v = Number(rest.slice(0, n));
    rest = rest.slice(n);
    return v;
  };

  if (!/^\d{4}/.test(rest)) return cannot(rest, '2006');
  const year = Number(rest.slice(0, 4));
  rest = rest.slice(4);
  if (!literal('-')) return cannot(rest, '-');
  let hold = rest;
  const month = num(true);
  if (month === undefined) return cannot(hold, '01');
  if (month < 1 || month > 12) return outOfRange('month');
  if (!literal('-')) return cannot(rest, '-');
  hold = rest;
  const day = num(true);
  if (day === undefined) return cannot(hold, '02');
  if (day > 31) return outOfRange('day');
  if (!literal('T')) return cannot(rest, 'T');
  hold = rest;
  const hour = num(false);
  if (hour === undefined) return cannot(hold, '15');
  if (hour >= 24) return outOfRange('hour');
  if (!literal(':')) return cannot(rest, ':');
  hold = rest;
  const minute = num(true);
  if (minute === undefined) return cannot(hold, '04');
  if (minute >= 60) return outOfRange('minute');
  if (!literal(':')) return cannot(rest, ':');
  hold = rest;
  const second = num(true);
  if (second === undefined) return cannot(hold, '05');
  if (second >= 60) return outOfRange('second');
  if (micro) {
    if (!/^[.,]\d{6}/.test(rest)) return cannot(rest, '.000000');
    rest = rest.slice(7);
  } else {
    const frac = /^[.,]\d+/.exec(rest);
    if (frac) rest = rest.slice(frac[0].length);
  }
  hold = rest;
  if (rest.startsWith('Z')) {
    rest = rest.slice(1);
  } else {
    const tz = /^[+-](\d\d):(\d\d)/.exec(rest);
    if (!tz) return cannot(hold, 'Z07:00');
    if (Number(tz[1]) > 24) return outOfRange('time zone offset hour');
    if (Number(tz[2]) > 60) return outOfRange('time zone offset minute');
    rest = rest.slice(6);
  }
  if (rest.length > 0) return `parsing time ${quote(value)}: extra text: ${quote(rest)}`;
  if (day < 1 || day > daysIn(month, year)) return outOfRange('day');
  return undefined;
}
