/**
 * node scripts/compose/validate.mjs [docker-compose.yml] — checks a compose file against the
 * current Compose Specification JSON schema (the copy dclint@3.1.0 ships), plus the cross-references
 * a schema cannot see. The other half of CI's validation is `docker-compose config -q` (v1, 1.29.2,
 * a 2021 copy of the spec): a file both accept runs under Compose v1 and v2.
 *
 * Checks, besides the schema: every `depends_on` and `network_mode: service:X` names a defined
 * service; `condition: service_healthy` only on services with a healthcheck; a service in a profile
 * is not depended on by one outside it. Anchors and `<<` merges are resolved first, as compose does.
 * Exit 0 and one line when valid; exit 1 and one line per problem otherwise. No network, no daemon.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import YAML from 'yaml';

const require = createRequire(import.meta.url);

/** dclint's package "exports" hide the schema; it sits next to its main entry's directory. */
export function loadSchema() {
  const schema = JSON.parse(readFileSync(join(dirname(require.resolve('dclint')), '..', 'schemas', 'compose.schema.json'), 'utf8'));
  // Its "$schema" (draft-07 over https) is not a key ajv knows; draft-07 is ajv's default anyway.
  delete schema.$schema;
  return schema;
}

export function problems(doc, schema = loadSchema()) {
  const out = [];
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (!validate(doc)) for (const e of validate.errors) out.push(`schema: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  const services = doc?.services ?? {};
  const names = new Set(Object.keys(services));
  for (const [name, s] of Object.entries(services)) {
    const deps = s.depends_on ?? {};
    for (const d of Array.isArray(deps) ? deps : Object.keys(deps)) {
      if (!names.has(d)) out.push(`services.${name}.depends_on: unknown service ${d}`);
      else if (services[d].profiles?.length && !(s.profiles ?? []).some((p) => services[d].profiles.includes(p))) {
        out.push(`services.${name}.depends_on: ${d} runs only with profile ${services[d].profiles.join('/')}`);
      }
    }
    if (!Array.isArray(deps)) {
      for (const [d, c] of Object.entries(deps)) {
        if (c?.condition === 'service_healthy' && names.has(d) && !services[d].healthcheck) out.push(`services.${name}.depends_on.${d}: service_healthy, but ${d} has no healthcheck`);
      }
    }
    const nm = s.network_mode;
    if (typeof nm === 'string' && nm.startsWith('service:') && !names.has(nm.slice('service:'.length))) {
      out.push(`services.${name}.network_mode: unknown service ${nm.slice('service:'.length)}`);
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? 'docker-compose.yml';
  const doc = YAML.parse(readFileSync(file, 'utf8'), { merge: true });
  const found = problems(doc);
  if (found.length) {
    console.error(`${file}: ${found.length} problem(s) against the Compose Specification`);
    for (const p of found) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log(`${file}: valid against the current Compose Specification (${Object.keys(doc.services ?? {}).length} services)`);
}
