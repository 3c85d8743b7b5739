/**
 * The manifests in examples/ (the ones the README tells users to create) decode cleanly against
 * the API's own schemas — no unknown field, no type error — so `kubectl create -f` with its
 * default strict validation takes them, and every image they name is one the process runtime
 * runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { checkObject } from '../../shared/api/schema/check.js';
import { schemaForApiVersion } from '../../shared/api/schema/registry.js';
import { resolveImage } from '../../services/kubelet/runtime/process/catalog.js';

const DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

function images(obj: any): string[] {
  const spec = obj.kind === 'Pod' ? obj.spec : obj.spec?.template?.spec;
  return (spec?.containers ?? []).map((c: { image: string }) => c.image);
}

describe('examples/', () => {
  it('holds the manifests the README uses', () => {
    expect(files).toEqual(expect.arrayContaining(['kubia-manual.yaml', 'kubia-rc.yaml', 'kubia-deployment.yaml', 'hpa-burner.yaml']));
  });

  for (const file of files) {
    it(`${file}: every document is valid for its kind and runs a known image`, () => {
      const docs = yaml.loadAll(readFileSync(`${DIR}${file}`, 'utf8')).filter((d) => d) as any[];
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        const def = schemaForApiVersion(doc.apiVersion, doc.kind);
        expect(def, `${doc.apiVersion} ${doc.kind}`).toBeDefined();
        const r = checkObject(def!, doc, { unknownFields: 'Strict' });
        expect(r.unknown, `${file} ${doc.kind}`).toEqual([]);
        expect(r.typeErrors, `${file} ${doc.kind}`).toEqual([]);
        for (const image of images(doc)) expect(() => resolveImage(image), image).not.toThrow();
      }
    });
  }
});
