/**
 * `GET /openapi/v2`: a valid Swagger 2.0 document with no definitions, as protobuf (gnostic's
 * `openapi.v2.Document`, what kubectl asks for) or JSON.
 *
 * Why it exists, and why empty: kubectl 1.32 validates through OpenAPI v3 and server-side
 * `fieldValidation` for every kind we serve (./handler.ts), but never for a `kind: List` — its
 * verifier refuses List outright and validates it client-side against the v2 document, item by
 * item; a 404 there fails `kubectl create -f list.yaml`. kubectl skips items whose kind the v2
 * document does not define, then creates each item with `fieldValidation=Strict`, so the server
 * still rejects unknown fields exactly as for a single object. An empty document thus gives List
 * files the same strict validation as any other file, with one schema source (v3) to keep right.
 * `kubectl apply` consults v2 only when v3 fails, and falls back to its built-in types when v2
 * lacks the kind, as it does on a 404.
 *
 * Protobuf fields (gnostic OpenAPIv2.proto): Document.swagger = 1, .info = 2, .paths = 8,
 * .definitions = 9; Info.title = 1, .version = 2.
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

const TITLE = 'Kubernetes';

const utf8 = new TextEncoder();

/** One length-delimited field: tag, varint length, bytes. */
function field(no: number, payload: Uint8Array): Uint8Array {
  const len: number[] = [];
  let n = payload.length;
  while (n >= 0x80) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  const out = new Uint8Array(1 + len.length + payload.length);
  out[0] = (no << 3) | 2;
  out.set(len, 1);
  out.set(payload, 1 + len.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `version`: the server's (kube-apiserver writes its gitVersion there). */
export function openApiV2Protobuf(version: string): Uint8Array {
  const info = concat([field(1, utf8.encode(TITLE)), field(2, utf8.encode(version))]);
  return concat([field(1, utf8.encode('2.0')), field(2, info), field(8, new Uint8Array()), field(9, new Uint8Array())]);
}

export function openApiV2Json(version: string): string {
  return JSON.stringify({ swagger: '2.0', info: { title: TITLE, version }, paths: {}, definitions: {} });
}
