/**
 * `application/vnd.kubernetes.protobuf` request bodies → the JSON object the same client would have
 * sent as JSON (`kind`, `apiVersion`, then the object's fields), so everything after decoding —
 * schema check, defaulting, validation — is the JSON path unchanged.
 *
 * Which kinds: the table below, apiVersion/kind → root message. Adding a kind is one row, once its
 * messages are described under messages/. A kind without a row is a 415 UnsupportedMediaType that
 * names it (the client can send JSON instead); a malformed body is a 400. Responses stay JSON.
 */
import { statusError } from '../../../shared/api/errors.js';
import { parseApiVersion } from '../../../shared/api/resources.js';
import { decodeMessage, type DecodeContext } from './decode-message.js';
import { readEnvelope } from './envelope.js';
import { MESSAGES } from './message-table.js';
import { WireReader, malformed } from './wire.js';

export const PROTOBUF_KINDS: Readonly<Record<string, string>> = {
  'v1/Namespace': 'core.v1.Namespace',
  'v1/ConfigMap': 'core.v1.ConfigMap',
  'v1/Secret': 'core.v1.Secret',
  'v1/ServiceAccount': 'core.v1.ServiceAccount',
  'v1/Service': 'core.v1.Service',
  'v1/Pod': 'core.v1.Pod',
  'v1/ReplicationController': 'core.v1.ReplicationController',
  'apps/v1/Deployment': 'apps.v1.Deployment',
  'apps/v1/ReplicaSet': 'apps.v1.ReplicaSet',
  'autoscaling/v1/Scale': 'autoscaling.v1.Scale',
  'autoscaling/v1/HorizontalPodAutoscaler': 'autoscaling.v1.HorizontalPodAutoscaler',
  'policy/v1/Eviction': 'policy.v1.Eviction',
};

export interface ProtobufDecodeOptions {
  /** Told about every field number the descriptors do not know (they are skipped). */
  onUnknownField?: DecodeContext['onUnknownField'];
}

export function decodeKubernetesProtobuf(body: Uint8Array, opts: ProtobufDecodeOptions = {}): Record<string, unknown> {
  const env = readEnvelope(body);
  const root = PROTOBUF_KINDS[`${env.apiVersion}/${env.kind}`];
  if (!root) {
    throw statusError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml ` +
        `(protobuf is not supported for ${env.kind} in ${env.apiVersion}; send it as JSON)`,
      { kind: env.kind, group: parseApiVersion(env.apiVersion).group },
    );
  }
  const ctx: DecodeContext = { table: MESSAGES, onUnknownField: opts.onUnknownField };
  const reader = new WireReader(env.raw, 0, env.raw.length, env.rawOffset);
  const object = decodeMessage(ctx, MESSAGES.get(root), reader);
  if (typeof object !== 'object' || object === null) throw malformed(`${env.kind} did not decode to an object`);
  return { kind: env.kind, apiVersion: env.apiVersion, ...(object as Record<string, unknown>) };
}
