/**
 * An etcd v3 client speaking gRPC itself — HTTP/2 from node:http2, protobuf by hand
 * (./protobuf.ts) — for the calls the benchmark makes: KV.Put, KV.Txn (compare mod_revision,
 * then put: the transaction kube-apiserver sends for an update), Watch.Watch, and a serializable
 * KV.Range as a no-write round trip.
 *
 * Why: it is the protocol kube-apiserver's Go client speaks, so etcd does exactly its real work
 * per request (no JSON gateway in front), and unlike grpc-js (the `etcd3` package, ≈440 µs of
 * client CPU per put here) it costs the client about what kubemu's NATS client does. One HTTP/2
 * connection carries every request (one stream each), as a Go client's single channel does.
 *
 * gRPC framing: each message is a 1-byte compressed flag (always 0 here), a 4-byte big-endian
 * length, then the protobuf bytes; a call fails when `grpc-status` (in the trailers, or in the
 * headers of a trailers-only answer) is not 0.
 *
 * Field numbers (etcd's rpc.proto / kv.proto): PutRequest key=1 value=2; ResponseHeader
 * revision=3; RangeRequest key=1 serializable=7; Compare result=1 target=2 key=3 mod_revision=6 (target MOD=2, result EQUAL=0);
 * RequestOp request_range=1 request_put=2; TxnRequest compare=1 success=2 failure=3;
 * TxnResponse header=1 succeeded=2; WatchRequest create_request=1; WatchCreateRequest key=1
 * range_end=2 prev_kv=6; WatchResponse header=1 created=3 canceled=4 cancel_reason=6 events=11;
 * Event type=1 (PUT=0) kv=2; KeyValue value=5.
 */
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { conflict } from '../../shared/api/errors.js';
import { bytesField, field, fields, message, varintField } from './protobuf.js';
import { prefixEnd, type EtcdClient } from './etcd-client.js';

const PING_KEY = '/bench-ping';
const CALL_TIMEOUT_MS = 10_000;

function frame(msg: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

/** Splits a gRPC byte stream into messages as bytes arrive. */
class Deframer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer, onMessage: (m: Buffer) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) break;
      onMessage(this.buf.subarray(5, 5 + len));
      this.buf = this.buf.subarray(5 + len);
    }
  }
}

function grpcError(h: IncomingHttpHeaders): Error | undefined {
  const status = h['grpc-status'];
  if (status === undefined || status === '0') return undefined;
  return new Error(`etcd gRPC status ${String(status)}: ${decodeURIComponent(String(h['grpc-message'] ?? ''))}`);
}

function revisionOf(response: Buffer): number {
  const header = field(response, 1);
  const rev = Buffer.isBuffer(header) ? field(header, 3) : undefined;
  return typeof rev === 'number' ? rev : 0;
}

export class EtcdGrpcClient implements EtcdClient {
  private readonly session: ClientHttp2Session;

  constructor(url: string) {
    this.session = connect(url);
    this.session.on('error', () => undefined); // surfaced per call through the streams
  }

  private open(path: string): ClientHttp2Stream {
    return this.session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
  }

  /** One call; fails after `CALL_TIMEOUT_MS` (one timer per call, as kubemu's bus has too). */
  private unary(path: string, request: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const stream = this.open(path);
      const deframer = new Deframer();
      let reply: Buffer | undefined;
      let failure: Error | undefined;
      const timer = setTimeout(() => stream.close(constants.NGHTTP2_CANCEL), CALL_TIMEOUT_MS);
      stream.on('response', (h) => (failure ??= grpcError(h)));
      stream.on('trailers', (h) => (failure ??= grpcError(h)));
      stream.on('data', (chunk: Buffer) => deframer.push(chunk, (m) => (reply = Buffer.from(m))));
      stream.on('error', (err) => (failure ??= err));
      // 'close' comes last in every case (end, error, cancel), so the call settles exactly once here.
      stream.on('close', () => {
        clearTimeout(timer);
        if (failure) reject(failure);
        else if (!reply) reject(new Error(`etcd ${path}: no reply within ${CALL_TIMEOUT_MS} ms or stream reset`));
        else resolve(reply);
      });
      stream.end(frame(request));
    });
  }

  async put(key: string, value: string): Promise<number> {
    return revisionOf(await this.unary('/etcdserverpb.KV/Put', message(bytesField(1, key), bytesField(2, value))));
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<number> {
    const compare = message(varintField(1, 0), varintField(2, 2), bytesField(3, key), varintField(6, expectedModRevision));
    const onSuccess = bytesField(2, message(bytesField(1, key), bytesField(2, value)));
    const onFailure = bytesField(1, message(bytesField(1, key)));
    const reply = await this.unary('/etcdserverpb.KV/Txn', message(bytesField(1, compare), bytesField(2, onSuccess), bytesField(3, onFailure)));
    if (field(reply, 2) !== 1) throw conflict('key', key, `modRevision is not ${expectedModRevision}`);
    return revisionOf(reply);
  }

  async ping(): Promise<void> {
    await this.unary('/etcdserverpb.KV/Range', message(bytesField(1, PING_KEY), varintField(7, 1)));
  }

  watch(prefix: string, onValues: (values: string[]) => void): Promise<{ close(): void }> {
    return new Promise((resolve, reject) => {
      const stream = this.open('/etcdserverpb.Watch/Watch');
      const deframer = new Deframer();
      stream.on('response', (h) => {
        const err = grpcError(h);
        if (err) reject(err);
      });
      stream.on('error', reject);
      stream.on('data', (chunk: Buffer) =>
        deframer.push(chunk, (m) => {
          const values: string[] = [];
          for (const [f, v] of fields(m)) {
            if (f === 3 && v === 1) resolve({ close: () => stream.close() });
            else if (f === 4 && v === 1) reject(new Error(`etcd watch canceled: ${String(field(m, 6) ?? '')}`));
            else if (f === 11 && Buffer.isBuffer(v)) {
              if ((field(v, 1) ?? 0) !== 0) continue; // not a PUT
              const kv = field(v, 2);
              const value = Buffer.isBuffer(kv) ? field(kv, 5) : undefined;
              if (Buffer.isBuffer(value)) values.push(value.toString('utf8'));
            }
          }
          if (values.length) onValues(values);
        }),
      );
      const create = message(bytesField(1, prefix), bytesField(2, prefixEnd(prefix)), varintField(6, 1));
      stream.write(frame(message(bytesField(1, create))));
    });
  }

  close(): void {
    this.session.close();
  }
}
