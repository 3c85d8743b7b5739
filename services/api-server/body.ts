/**
 * Request bodies → plain JSON values, by content type, with Kubernetes-style errors:
 * malformed JSON/YAML → 400 BadRequest saying where; a media type we cannot read → 415; a body
 * that is not an object where an object is needed → 400. Bodies are size-checked by the HTTP layer
 * (413) before they get here.
 *
 * Accepted: application/json (and the patch media types, which are JSON), application/yaml
 * (also x-yaml, text/yaml; a single document), application/vnd.kubernetes.protobuf through the
 * decoder hook when one is registered. Bodies that arrive over NATS already parsed pass through.
 */
import yaml from 'js-yaml';
import { badRequest, unsupportedMediaType } from '../../shared/api/errors.js';

export type ProtobufDecoder = (bytes: Uint8Array) => unknown;

let protobufDecoder: ProtobufDecoder | undefined;

/** Lets the protobuf module plug in without this module depending on it. */
export function registerProtobufDecoder(d: ProtobufDecoder): void {
  protobufDecoder = d;
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? 'application/json').split(';')[0].trim().toLowerCase() || 'application/json';
}

const JSON_TYPES = new Set([
  'application/json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
]);
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'application/apply-patch+yaml']);
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

function asText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return JSON.stringify(body);
}

/** Parses `body` according to `contentType`. `undefined` / empty → undefined. */
export function decodeBody(body: unknown, contentType: string | undefined): unknown {
  if (body === undefined || body === null) return undefined;
  const type = mediaType(contentType);
  const raw = typeof body === 'string' || body instanceof Uint8Array;
  if (!raw) {
    if (JSON_TYPES.has(type) || YAML_TYPES.has(type)) return body; // already parsed (NATS)
    throw unsupportedMediaType(type);
  }
  if (type === PROTOBUF) {
    if (!protobufDecoder) throw unsupportedMediaType(type);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'binary') : body;
    return protobufDecoder(bytes);
  }
  const text = asText(body);
  if (text.trim() === '') return undefined;
  if (JSON_TYPES.has(type)) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (YAML_TYPES.has(type)) {
    let docs: unknown[];
    try {
      docs = yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA }).filter((d) => d !== null && d !== undefined);
    } catch (err) {
      const e = err as { reason?: string; mark?: { line: number; column: number } };
      const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
      throw badRequest(`the request body is not valid YAML: ${e.reason ?? (err as Error).message}${where}`);
    }
    if (docs.length > 1) throw badRequest('the request body holds several YAML documents; send one object per request');
    return docs[0];
  }
  throw unsupportedMediaType(type);
}

/** The decoded body as an object (a JSON object, not an array or scalar). */
export function decodeObject(body: unknown, contentType: string | undefined): Record<string, unknown> {
  const v = decodeBody(body, contentType);
  if (v === undefined) throw badRequest('the request body is empty; an object is required');
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest(`the request body must be a JSON or YAML object, got ${Array.isArray(v) ? 'an array' : typeof v}`);
  }
  return v as Record<string, unknown>;
}
