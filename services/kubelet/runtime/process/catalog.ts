/**
 * The built-in image catalog of the process runtime: which image references kubemu can "pull" and
 * what each one runs. There is no registry: an image is a row of this table, and pulling is
 * resolving a reference to a row (design §5).
 *
 * References follow Docker's rules: `[domain/]path[:tag][@digest]`, the domain defaulting to
 * `docker.io`, single-name paths on docker.io living under `library/`, the tag defaulting to
 * `latest`. Rows match on the path with the domain and `library/` dropped, so `luksa/kubia`,
 * `luksa/kubia:v1` and `docker.io/luksa/kubia:latest` are the same image, and `k8s.gcr.io/pause`
 * equals `registry.k8s.io/pause`. Any tag of a known path resolves (kubemu keeps no tag lists);
 * a few tags choose a variant (`luksa/kubia:v2`).
 *
 * A row gives the image's entrypoint and cmd (Kubernetes' `command` replaces the entrypoint, `args`
 * the cmd) and its environment. Programs written for kubemu (`services/kubelet/images/`) are named
 * by `program`; where they end up on disk is `programs.ts`'s business. The busybox-like images run
 * the machine's real `/bin/sh` and tools.
 *
 * Unknown paths throw `ImagePullError` with containerd's NotFound message; malformed references
 * throw `InvalidImageNameError` (the kubelet reports `InvalidImageName`). Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { ImagePullError } from '../runtime.js';

/** The image programs in services/kubelet/images/ (file names without extension). */
export type ImageProgram = 'kubia' | 'web-server' | 'cpu-burner' | 'crasher';

export interface CatalogImage {
  /** The fully qualified reference (`docker.io/luksa/kubia:latest`). */
  reference: string;
  /** `docker.io/luksa/kubia@sha256:…`, stable for a reference. */
  imageID: string;
  /** Runs an image program with node, or (when absent) the entrypoint as it stands. */
  program?: ImageProgram;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
}

/** A reference that is not even well-formed (Kubernetes: waiting reason `InvalidImageName`). */
export class InvalidImageNameError extends ImagePullError {
  override name = 'InvalidImageName';
}

interface Row {
  paths: string[];
  program?: ImageProgram;
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  /** Per-tag environment (variants of one image). */
  tagEnv?: Record<string, Record<string, string>>;
}

/** pause ignores every signal but TERM/INT, on which it exits 0, like the real one. */
const PAUSE_SCRIPT = 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done';

const ROWS: Row[] = [
  {
    paths: ['luksa/kubia', 'kubia'],
    program: 'kubia',
    tagEnv: { v2: { KUBIA_VARIANT: 'v2' }, v3: { KUBIA_VARIANT: 'v3' } },
  },
  { paths: ['luksa/kubia-unhealthy'], program: 'kubia', env: { KUBIA_VARIANT: 'unhealthy' } },
  { paths: ['nginx', 'nginxinc/nginx-unprivileged', 'httpd'], program: 'web-server' },
  { paths: ['busybox', 'alpine', 'ubuntu', 'debian'], cmd: ['sh'] },
  { paths: ['kubemu/cpu-burner', 'hpa-example'], program: 'cpu-burner' },
  { paths: ['kubemu/crasher'], program: 'crasher' },
  { paths: ['pause', 'google_containers/pause'], entrypoint: ['sh', '-c', PAUSE_SCRIPT, 'pause'] },
];

const BY_PATH = new Map<string, Row>(ROWS.flatMap((r) => r.paths.map((p) => [p, r] as const)));

/** Where httpd keeps its pages; nginx's is the web server's default. */
const HTTPD_ROOT = '/usr/local/apache2/htdocs';

export interface ParsedReference {
  domain: string;
  /** Path as Docker spells it (`library/nginx`, `luksa/kubia`). */
  path: string;
  tag?: string;
  digest?: string;
  /** Fully qualified: `docker.io/library/nginx:latest` (or `…@sha256:…`). */
  full: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

function invalid(image: string, why: string): InvalidImageNameError {
  return new InvalidImageNameError(image, `Failed to apply default image tag "${image}": couldn't parse image reference "${image}": invalid reference format${why ? `: ${why}` : ''}`);
}

/** Parses an image reference by Docker's grammar (throws InvalidImageNameError). */
export function parseReference(image: string): ParsedReference {
  if (image === '' || image !== image.trim()) throw invalid(image, '');
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(image, '');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(image, '');
  }
  const parts = rest.split('/');
  let domain = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first;
    parts.shift();
  }
  if (parts.some((p) => p !== p.toLowerCase())) throw invalid(image, 'repository name must be lowercase');
  if (parts.length === 0 || !parts.every((p) => PATH_COMPONENT.test(p))) throw invalid(image, '');
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (!tag && !digest) tag = 'latest';
  const full = `${domain}/${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { domain, path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), full };
}

/** The catalog key of a parsed reference: the path without `library/`. */
function catalogPath(ref: ParsedReference): string {
  return ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
}

/** Resolves an image reference to its catalog entry, or throws (ImagePullError / InvalidImageNameError). */
export function resolveImage(image: string): CatalogImage {
  const ref = parseReference(image);
  const row = BY_PATH.get(catalogPath(ref));
  if (!row) {
    throw new ImagePullError(
      image,
      `rpc error: code = NotFound desc = failed to pull and unpack image "${ref.full}": failed to resolve reference "${ref.full}": ${ref.full}: not found`,
    );
  }
  const env: Record<string, string> = { ...(row.env ?? {}), ...(ref.tag ? (row.tagEnv?.[ref.tag] ?? {}) : {}) };
  if (row.program === 'web-server' && catalogPath(ref) === 'httpd') env.WEB_ROOT = HTTPD_ROOT;
  const digest = ref.digest ?? `sha256:${createHash('sha256').update(`kubemu:${ref.domain}/${ref.path}:${ref.tag ?? ''}`).digest('hex')}`;
  return {
    reference: ref.full,
    imageID: `${ref.domain}/${ref.path}@${digest}`,
    ...(row.program ? { program: row.program } : {}),
    entrypoint: row.entrypoint ?? [],
    cmd: row.cmd ?? [],
    env,
  };
}
