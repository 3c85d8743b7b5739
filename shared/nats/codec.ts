/**
 * The one codec of the bus: JSON bodies, and the reply envelope that carries either a result or a
 * Kubernetes `Status` error.
 *
 * A reply is `{"ok": <result>}` or `{"error": <Status>}`; `decodeReply` turns the error form back into
 * the same `StatusError` the server threw, so a `Conflict` raised in the store process is a
 * `Conflict` in the api-server. Malformed bytes decode to a BadRequest, never to an exception
 * that escapes a handler.
 */
import { badRequest, fromStatus, toStatus, type Status } from '../api/errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encode(value: unknown): Uint8Array {
  return encoder.encode(value === undefined ? 'null' : JSON.stringify(value));
}

/** Decodes a JSON body; throws a BadRequest StatusError on malformed input. */
export function decode<T = unknown>(data: Uint8Array): T {
  if (data.length === 0) return undefined as T;
  try {
    return JSON.parse(decoder.decode(data)) as T;
  } catch (err) {
    throw badRequest(`malformed JSON message on the bus: ${(err as Error).message}`);
  }
}

export function encodeResult(result: unknown): Uint8Array {
  return encoder.encode(result === undefined ? '{}' : `{"ok":${JSON.stringify(result)}}`);
}

export function encodeError(err: unknown): Uint8Array {
  const status: Status = toStatus(err);
  return encoder.encode(JSON.stringify({ error: status }));
}

/** Reply bytes → the result, or throws the StatusError the responder raised. */
export function decodeReply<T>(data: Uint8Array): T {
  const env = decode<{ ok?: T; error?: Status } | null>(data);
  if (env && typeof env === 'object' && 'error' in env && env.error) throw fromStatus(env.error);
  return (env as { ok?: T } | null)?.ok as T;
}
