/**
 * The errors, as the real kubectl prints them against Kubernetes: NotFound (get, describe, delete,
 * scale), AlreadyExists on a second `create -f`, Conflict on `replace` with a stale object, Invalid
 * with field paths (one cause, and several as kubectl's bulleted list), strict decoding of unknown
 * fields (and what `--validate=warn|false` do instead), malformed selectors, unknown resource
 * types. Every failure exits 1 and prints nothing on stdout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster, type Run } from '../support/cluster.js';
import { column, parseTable } from '../support/kubectl-output.js';

const M = 'test/fixtures/manifests';

function failed(r: Run): string {
  expect(r.stdout).toBe('');
  expect(r.code).toBe(1);
  return r.stderr.trim();
}

describe('kubectl errors', () => {
  let c: E2ECluster;
  let tmp: string;
  beforeAll(async () => {
    c = await startCluster({ nodes: 0 });
    tmp = mkdtempSync(join(tmpdir(), 'kubemu-errors-'));
    const r = await c.kubectl(['create', '-f', `${M}/kubia-manual.yaml`]);
    if (r.code !== 0) throw new Error(r.stderr);
  }, 180_000);
  afterAll(async () => {
    await c?.down();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('NotFound for get, describe and delete of a missing pod', async () => {
    expect(failed(await c.kubectl(['get', 'po', 'nothere']))).toBe('Error from server (NotFound): pods "nothere" not found');
    expect(failed(await c.kubectl(['describe', 'po', 'nothere']))).toBe('Error from server (NotFound): pods "nothere" not found');
    expect(failed(await c.kubectl(['delete', 'po', 'nothere']))).toBe('Error from server (NotFound): pods "nothere" not found');
  });

  it('NotFound for one missing name among found ones still prints the found row', async () => {
    const r = await c.kubectl(['get', 'po', 'kubia-manual', 'nothere']);
    expect(r.code).toBe(1);
    expect(column(parseTable(r.stdout), 'NAME')).toEqual(['kubia-manual']);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "nothere" not found');
  });

  it('NotFound for scaling a missing replication controller', async () => {
    expect(failed(await c.kubectl(['scale', 'rc', 'nothere', '--replicas=3']))).toBe('error: no objects passed to scale replicationcontrollers "nothere" not found');
  });

  it('AlreadyExists on a second create -f of the same manifest', async () => {
    expect(failed(await c.kubectl(['create', '-f', `${M}/kubia-manual.yaml`]))).toBe(
      `Error from server (AlreadyExists): error when creating "${M}/kubia-manual.yaml": pods "kubia-manual" already exists`,
    );
  });

  it('Conflict on replace -f of an object that changed since it was read', async () => {
    const old = await c.kubectl(['get', 'po', 'kubia-manual', '-o', 'yaml']);
    const file = join(tmp, 'old.yaml');
    writeFileSync(file, old.stdout);
    expect((await c.kubectl(['label', 'po', 'kubia-manual', 'changed=yes'])).code).toBe(0);
    expect(failed(await c.kubectl(['replace', '-f', file]))).toBe(
      `Error from server (Conflict): error when replacing "${file}": Operation cannot be fulfilled on pods "kubia-manual": the object has been modified; please apply your changes to the latest version and try again`,
    );
  });

  it('Invalid with the field path for a missing container image', async () => {
    expect(failed(await c.kubectl(['create', '-f', `${M}/kubia-no-image.yaml`]))).toBe('The Pod "kubia-no-image" is invalid: spec.containers[0].image: Required value');
  });

  it('Invalid with the field path for a name that is not a DNS subdomain', async () => {
    expect(failed(await c.kubectl(['create', '-f', `${M}/kubia-bad-name.yaml`]))).toMatch(
      /^The Pod "Kubia_Manual" is invalid: metadata\.name: Invalid value: "Kubia_Manual": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character/,
    );
  });

  it('Invalid with several causes prints them as a list', async () => {
    const bad = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'kubia' }] } });
    const lines = failed(await c.kubectl(['create', '-f', '-'], { input: bad })).split('\n');
    expect(lines[0]).toBe('The Pod "Bad_Name" is invalid: ');
    expect(lines[1]).toMatch(/^\* metadata\.name: Invalid value: "Bad_Name": /);
    expect(lines[2]).toBe('* spec.containers[0].image: Required value');
    expect(lines).toHaveLength(3);
  });

  it('an unknown field is refused under strict validation, the default of create -f', async () => {
    expect(failed(await c.kubectl(['create', '-f', `${M}/kubia-unknown-field.yaml`]))).toBe(
      `Error from server (BadRequest): error when creating "${M}/kubia-unknown-field.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].portz"`,
    );
    expect(failed(await c.kubectl(['get', 'po', 'kubia-unknown-field']))).toContain('NotFound');
  });

  it('--validate=warn creates the object with a warning, dropping the unknown field', async () => {
    const r = await c.kubectl(['create', '-f', `${M}/kubia-unknown-field.yaml`, '--validate=warn']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe('Warning: unknown field "spec.containers[0].portz"');
    expect(r.stdout).toBe('pod/kubia-unknown-field created\n');
    const pod = JSON.parse((await c.kubectl(['get', 'po', 'kubia-unknown-field', '-o', 'json'])).stdout);
    expect(pod.spec.containers[0].portz).toBeUndefined();
    expect((await c.kubectl(['delete', 'po', 'kubia-unknown-field'])).code).toBe(0);
  });

  it('--validate=false creates the object silently, dropping the unknown field', async () => {
    const r = await c.kubectl(['create', '-f', `${M}/kubia-unknown-field.yaml`, '--validate=false']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/kubia-unknown-field created\n');
  });

  it('a malformed label selector is a BadRequest naming the selector', async () => {
    expect(failed(await c.kubectl(['get', 'po', '-l', 'env in (prod']))).toMatch(
      /^Error from server \(BadRequest\): Unable to find "\/v1, Resource=pods" that match label selector "env in \(prod", field selector "": unable to parse requirement: /,
    );
  });

  it('an unsupported field selector is a BadRequest naming the field', async () => {
    expect(failed(await c.kubectl(['get', 'po', '--field-selector=spec.foo=bar']))).toBe(
      'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=bar": field label not supported: spec.foo',
    );
  });

  it('a supported field selector filters', async () => {
    const r = await c.kubectl(['get', 'po', '--field-selector=status.phase=Pending,metadata.name=kubia-manual']);
    expect(column(parseTable(r.stdout), 'NAME')).toEqual(['kubia-manual']);
  });

  it('get of an unknown resource type', async () => {
    expect(failed(await c.kubectl(['get', 'foo']))).toBe('error: the server doesn\'t have a resource type "foo"');
  });

  it('explain of an unknown field', async () => {
    const r = await c.kubectl(['explain', 'pod.spec.foo']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('error: field "foo" does not exist');
  });

  it('listing a namespace that does not exist is empty, not an error (as in Kubernetes)', async () => {
    const r = await c.kubectl(['get', 'po', '-n', 'nowhere']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe('No resources found in nowhere namespace.');
  });
});
