import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../shared/api/errors.js';
import {
  labelKeyErrors,
  labelSelectorToString,
  labelValueErrors,
  parseLabelSelector,
  selectorFromLabelSelector,
  selectorFromSet,
} from '../../shared/selectors/labels.js';

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isStatusError(err, 'BadRequest')).toBe(true);
    expect((err as { code: number }).code).toBe(400);
    return (err as Error).message;
  }
  throw new Error('expected a BadRequest');
}

const pod = { app: 'kubia', env: 'prod', 'app.kubernetes.io/name': 'web', tier: '3' };

describe('parseLabelSelector: operators', () => {
  it('matches = and == on equal values only, and requires the key', () => {
    expect(parseLabelSelector('app=kubia').matches(pod)).toBe(true);
    expect(parseLabelSelector('app==kubia').matches(pod)).toBe(true);
    expect(parseLabelSelector('app=other').matches(pod)).toBe(false);
    expect(parseLabelSelector('missing=kubia').matches(pod)).toBe(false);
  });

  it('matches != when the value differs or the key is absent', () => {
    expect(parseLabelSelector('env!=prod').matches(pod)).toBe(false);
    expect(parseLabelSelector('env!=dev').matches(pod)).toBe(true);
    expect(parseLabelSelector('missing!=x').matches(pod)).toBe(true);
  });

  it('matches in / notin as set membership; notin also matches an absent key', () => {
    expect(parseLabelSelector('env in (dev,prod)').matches(pod)).toBe(true);
    expect(parseLabelSelector('env in (dev,qa)').matches(pod)).toBe(false);
    expect(parseLabelSelector('missing in (a)').matches(pod)).toBe(false);
    expect(parseLabelSelector('env notin (dev,prod)').matches(pod)).toBe(false);
    expect(parseLabelSelector('env notin (dev)').matches(pod)).toBe(true);
    expect(parseLabelSelector('missing notin (a)').matches(pod)).toBe(true);
  });

  it('matches a bare key when it exists and !key when it does not', () => {
    expect(parseLabelSelector('app').matches(pod)).toBe(true);
    expect(parseLabelSelector('missing').matches(pod)).toBe(false);
    expect(parseLabelSelector('!missing').matches(pod)).toBe(true);
    expect(parseLabelSelector('!app').matches(pod)).toBe(false);
  });

  it('compares > and < numerically and never matches a non-numeric value', () => {
    expect(parseLabelSelector('tier>2').matches(pod)).toBe(true);
    expect(parseLabelSelector('tier<3').matches(pod)).toBe(false);
    expect(parseLabelSelector('app>1').matches(pod)).toBe(false);
  });

  it('ANDs comma-separated requirements', () => {
    expect(parseLabelSelector('app=kubia,env=prod').matches(pod)).toBe(true);
    expect(parseLabelSelector('app=kubia,env=dev').matches(pod)).toBe(false);
  });

  it('tolerates whitespace around every token', () => {
    const s = parseLabelSelector('  app = kubia ,  env  in  ( dev , prod ) , ! missing ');
    expect(s.matches(pod)).toBe(true);
    expect(s.toString()).toBe('app=kubia,env in (dev,prod),!missing');
  });

  it('accepts prefixed keys', () => {
    expect(parseLabelSelector('app.kubernetes.io/name=web').matches(pod)).toBe(true);
  });

  it('treats an empty value as the empty string', () => {
    expect(parseLabelSelector('app=').matches({ app: '' })).toBe(true);
    expect(parseLabelSelector('app=').matches(pod)).toBe(false);
    expect(parseLabelSelector('app in ()').matches({ app: '' })).toBe(true);
    expect(parseLabelSelector('app in (a,)').requirements[0].values).toEqual(['', 'a']);
  });

  it('reads in / notin as plain words outside the operator position', () => {
    expect(parseLabelSelector('in=notin').matches({ in: 'notin' })).toBe(true);
    expect(parseLabelSelector('x in (in,notin)').matches({ x: 'in' })).toBe(true);
  });

  it('selects everything when empty, and treats missing labels as none', () => {
    const all = parseLabelSelector('');
    expect(all.empty).toBe(true);
    expect(all.matches(undefined)).toBe(true);
    expect(parseLabelSelector(undefined).empty).toBe(true);
    expect(parseLabelSelector('!a').matches(undefined)).toBe(true);
    expect(parseLabelSelector('a').matches(null)).toBe(false);
  });

  it('reports the value a key is pinned to', () => {
    const s = parseLabelSelector('app=kubia,env in (prod),tier in (1,2),x!=y');
    expect(s.requiresExactMatch('app')).toBe('kubia');
    expect(s.requiresExactMatch('env')).toBe('prod');
    expect(s.requiresExactMatch('tier')).toBeUndefined();
    expect(s.requiresExactMatch('x')).toBeUndefined();
  });
});

describe('parseLabelSelector: canonical toString', () => {
  it('sorts requirements by key and values within a set, dropping duplicates', () => {
    const s = parseLabelSelector('z notin (b,a,b),a==1,!m,k,x!=y,n in (q,p),t>5,u<7');
    expect(s.toString()).toBe('a==1,k,!m,n in (p,q),t>5,u<7,x!=y,z notin (a,b)');
  });

  it('round-trips through its own output', () => {
    const once = parseLabelSelector('b in (y,x), a=1, !c').toString();
    expect(parseLabelSelector(once).toString()).toBe(once);
  });
});

describe('parseLabelSelector: errors are BadRequest and say what was wrong', () => {
  const cases: [string, RegExp][] = [
    ['app in dev', /found 'dev', expected: '\('/],
    ['app in (a', /found end of string, expected: ',' or '\)'/],
    ['app in (a b)', /found 'b', expected: ',' or '\)'/],
    ['app (', /found '\(', expected: one of in, notin/],
    ['app=(a)', /found '\(', expected: a value/],
    ['app=a b', /found 'b', expected: ',' or end of string/],
    ['app=a,', /found end of string, expected: identifier after ','/],
    [',app', /found ',', expected: !, identifier, or end of string/],
    ['=a', /found '=', expected: !, identifier, or end of string/],
    ['!', /found end of string, expected: identifier/],
    ['!app=a', /found '=', expected: ',' or end of string/],
    ['a>b', /exactly one integer value/],
  ];
  for (const [input, message] of cases) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(badRequestMessage(() => parseLabelSelector(input))).toMatch(message);
    });
  }

  it('rejects invalid keys: bad name, bad prefix, empty parts, too long', () => {
    expect(badRequestMessage(() => parseLabelSelector('-app=a'))).toMatch(/unable to parse requirement: key: Invalid value: "-app": name part must consist/);
    expect(badRequestMessage(() => parseLabelSelector('Example.com/app=a'))).toMatch(/prefix part must be a lowercase RFC 1123 subdomain/);
    expect(badRequestMessage(() => parseLabelSelector('/app'))).toMatch(/prefix part must be non-empty/);
    expect(badRequestMessage(() => parseLabelSelector('example.com/'))).toMatch(/name part must be non-empty/);
    expect(badRequestMessage(() => parseLabelSelector(`${'k'.repeat(64)}=a`))).toMatch(/no more than 63 characters/);
    expect(badRequestMessage(() => parseLabelSelector('a/b/c'))).toMatch(/qualified name/);
  });

  it('rejects invalid values: bad characters, bad ends, too long', () => {
    expect(badRequestMessage(() => parseLabelSelector('app=a$b'))).toMatch(/Invalid value: "a\$b"/);
    expect(badRequestMessage(() => parseLabelSelector('app=-a'))).toMatch(/must start and end with an alphanumeric/);
    expect(badRequestMessage(() => parseLabelSelector(`app in (ok,${'v'.repeat(64)})`))).toMatch(/no more than 63 characters/);
  });
});

describe('label key and value validation', () => {
  it('accepts what Kubernetes accepts', () => {
    expect(labelKeyErrors('app')).toEqual([]);
    expect(labelKeyErrors('app.kubernetes.io/name')).toEqual([]);
    expect(labelKeyErrors('a_b.c-d')).toEqual([]);
    expect(labelKeyErrors(`${'p'.repeat(253)}/n`)).toEqual([]);
    expect(labelValueErrors('')).toEqual([]);
    expect(labelValueErrors('v'.repeat(63))).toEqual([]);
    expect(labelValueErrors('My_value.1-2')).toEqual([]);
  });

  it('rejects what Kubernetes rejects', () => {
    expect(labelKeyErrors('')).not.toEqual([]);
    expect(labelKeyErrors(`${'p'.repeat(254)}/n`)).not.toEqual([]);
    expect(labelKeyErrors('a b')).not.toEqual([]);
    expect(labelValueErrors('a_')).not.toEqual([]);
    expect(labelValueErrors('v'.repeat(64))).not.toEqual([]);
  });
});

describe('selectors from objects', () => {
  it('builds a selector from matchLabels and matchExpressions', () => {
    const s = selectorFromLabelSelector({
      matchLabels: { app: 'kubia' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'tier', operator: 'Exists' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
      ],
    });
    expect(s.toString()).toBe('app=kubia,!canary,env in (dev,prod),tier,zone notin (b)');
    expect(s.matches(pod)).toBe(true);
    expect(s.matches({ ...pod, canary: 'yes' })).toBe(false);
  });

  it('rejects an unknown operator and invalid expressions with BadRequest', () => {
    const bad = { matchExpressions: [{ key: 'a', operator: 'Equals' as 'In', values: ['x'] }] };
    expect(badRequestMessage(() => selectorFromLabelSelector(bad))).toMatch(/"Equals" is not a valid label selector operator/);
    expect(badRequestMessage(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }))).toMatch(
      /values set can't be empty/,
    );
    expect(badRequestMessage(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }))).toMatch(
      /must be empty/,
    );
    expect(badRequestMessage(() => selectorFromLabelSelector({ matchLabels: { 'bad key': 'x' } }))).toMatch(/Invalid value: "bad key"/);
  });

  it('selects nothing for an absent selector and everything for an empty one', () => {
    expect(selectorFromLabelSelector(undefined).matches(pod)).toBe(false);
    expect(selectorFromLabelSelector(undefined).empty).toBe(false);
    expect(selectorFromLabelSelector({}).matches(pod)).toBe(true);
    expect(selectorFromLabelSelector({}).empty).toBe(true);
  });

  it('builds an equality selector from a set, sorted by key', () => {
    const s = selectorFromSet({ env: 'prod', app: 'kubia' });
    expect(s.toString()).toBe('app=kubia,env=prod');
    expect(s.matches(pod)).toBe(true);
    expect(s.matches({ app: 'kubia' })).toBe(false);
    expect(selectorFromSet(undefined).empty).toBe(true);
  });

  it('prints a LabelSelector in the canonical string form that parses back', () => {
    const text = labelSelectorToString({ matchLabels: { app: 'kubia' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['qa'] }] });
    expect(text).toBe('app=kubia,env notin (qa)');
    expect(parseLabelSelector(text).toString()).toBe(text);
    expect(labelSelectorToString({})).toBe('');
  });
});
