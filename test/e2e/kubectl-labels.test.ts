/**
 * Labels and annotations with the real kubectl, as the notes change them: `label` adding a key,
 * refusing to change one without `--overwrite` (kubectl's own message, no request sent), changing it
 * with `--overwrite`, removing it with `key-`, labelling by selector, `annotate` (seen in `describe`
 * and `-o yaml`), and a stale `--resource-version` answered with Conflict.
 */
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { describeField, parseTable } from '../support/kubectl-output.js';

const M = 'test/fixtures/manifests';

describe('kubectl label and annotate', () => {
  let c: E2ECluster;
  const labels = async (pod: string): Promise<Record<string, string>> => {
    const r = await c.kubectl(['get', 'po', pod, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout).metadata.labels ?? {};
  };

  beforeAll(async () => {
    c = await startCluster({ nodes: 0 });
    for (const f of ['kubia-manual.yaml', 'kubia-manual-with-labels.yaml']) {
      const r = await c.kubectl(['create', '-f', `${M}/${f}`]);
      if (r.code !== 0) throw new Error(r.stderr);
    }
  }, 180_000);
  afterAll(async () => {
    await c?.down();
  });

  it('label adds a label to a pod that has none', async () => {
    const r = await c.kubectl(['label', 'po', 'kubia-manual', 'creation_method=manual']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/kubia-manual labeled\n');
    expect(await labels('kubia-manual')).toEqual({ creation_method: 'manual' });
  });

  it('label refuses to change an existing label without --overwrite', async () => {
    const r = await c.kubectl(['label', 'po', 'kubia-manual-v2', 'env=debug']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe("error: 'env' already has a value (prod), and --overwrite is false");
    expect((await labels('kubia-manual-v2')).env).toBe('prod');
  });

  it('label --overwrite changes it', async () => {
    const r = await c.kubectl(['label', 'po', 'kubia-manual-v2', 'env=debug', '--overwrite']);
    expect(r.stdout).toBe('pod/kubia-manual-v2 labeled\n');
    const t = parseTable((await c.kubectl(['get', 'po', '-L', 'creation_method,env'])).stdout);
    expect(t.rows.map((p) => [p.NAME, p.CREATION_METHOD, p.ENV])).toEqual([
      ['kubia-manual', 'manual', ''],
      ['kubia-manual-v2', 'manual', 'debug'],
    ]);
  });

  it('label key- removes the label', async () => {
    const r = await c.kubectl(['label', 'po', 'kubia-manual-v2', 'env-']);
    expect(r.stdout).toBe('pod/kubia-manual-v2 unlabeled\n');
    expect(await labels('kubia-manual-v2')).toEqual({ creation_method: 'manual' });
  });

  it('label -l labels every pod the selector matches', async () => {
    const r = await c.kubectl(['label', 'po', '-l', 'creation_method=manual', 'tier=web']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('pod/kubia-manual labeled\npod/kubia-manual-v2 labeled\n');
    const t = parseTable((await c.kubectl(['get', 'po', '-l', 'tier=web', '--show-labels'])).stdout);
    expect(t.rows.map((p) => p.LABELS)).toEqual(['creation_method=manual,tier=web', 'creation_method=manual,tier=web']);
  });

  it('annotate adds an annotation shown by describe and -o yaml', async () => {
    const r = await c.kubectl(['annotate', 'pod', 'kubia-manual', 'mycompany.com/someannotation=foo bar']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/kubia-manual annotated\n');
    const d = await c.kubectl(['describe', 'pod', 'kubia-manual']);
    expect(describeField(d.stdout, 'Annotations')).toBe('mycompany.com/someannotation: foo bar');
    const y = await c.kubectl(['get', 'po', 'kubia-manual', '-o', 'yaml']);
    expect(y.stdout).toContain('    mycompany.com/someannotation: foo bar\n');
    expect((load(y.stdout) as any).metadata.annotations).toEqual({ 'mycompany.com/someannotation': 'foo bar' });
  });

  it('annotate refuses to change an annotation without --overwrite, and changes it with it', async () => {
    const refused = await c.kubectl(['annotate', 'pod', 'kubia-manual', 'mycompany.com/someannotation=other']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe("error: --overwrite is false but found the following declared annotation(s): 'mycompany.com/someannotation' already has a value (foo bar)");
    const ok = await c.kubectl(['annotate', 'pod', 'kubia-manual', 'mycompany.com/someannotation=other', '--overwrite']);
    expect(ok.stdout).toBe('pod/kubia-manual annotated\n');
    const pod = JSON.parse((await c.kubectl(['get', 'po', 'kubia-manual', '-o', 'json'])).stdout);
    expect(pod.metadata.annotations['mycompany.com/someannotation']).toBe('other');
  });

  it('label with a stale --resource-version is refused with Conflict and changes nothing', async () => {
    const pod = JSON.parse((await c.kubectl(['get', 'po', 'kubia-manual', '-o', 'json'])).stdout);
    const old = pod.metadata.resourceVersion as string;
    expect((await c.kubectl(['label', 'po', 'kubia-manual', 'step=one'])).code).toBe(0);
    const r = await c.kubectl(['label', 'po', 'kubia-manual', 'step=two', '--overwrite', `--resource-version=${old}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      'Error from server (Conflict): Operation cannot be fulfilled on pods "kubia-manual": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect((await labels('kubia-manual')).step).toBe('one');
  });

  it('label with the current --resource-version succeeds', async () => {
    const pod = JSON.parse((await c.kubectl(['get', 'po', 'kubia-manual', '-o', 'json'])).stdout);
    const r = await c.kubectl(['label', 'po', 'kubia-manual', 'step=two', '--overwrite', `--resource-version=${pod.metadata.resourceVersion}`]);
    expect(r.stdout).toBe('pod/kubia-manual labeled\n');
    expect((await labels('kubia-manual')).step).toBe('two');
  });
});
