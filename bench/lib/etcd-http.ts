/**
 * An etcd v3 client over etcd's own HTTP/JSON gateway (`/v3/kv/put`, `/v3/kv/txn`, `/v3/watch`),
 * with keep-alive connections and no dependency (`--etcd-client http`; ./etcd-client.ts says why
 * gRPC is the default). Each request costs etcd more than a gRPC one: its gateway decodes the
 * JSON and re-sends the request over a loopback gRPC connection to itself.
 *
 * Keys and values travel base64-encoded, as the gateway's JSON mapping of `bytes` requires.
 * Writes: `put` is PutRequest; `update` is the transaction kube-apiserver sends for an update
 * (`if mod_revision(key) == r then put`), failing with a conflict when the compare fails.
 * Watch: one streaming POST per watch, newline-delimited JSON results, `prev_kv` on (Kubernetes
 * asks for it, and kubemu always sends the previous value).
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { conflict } from '../../shared/api/errors.js';
import { prefixEnd, type EtcdClient } from './etcd-client.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

interface Header {
  revision?: string;
}

interface EtcdWatchEvent {
  type?: 'PUT' | 'DELETE';
  kv: { key: string; value?: string; mod_revision?: string };
}

export class EtcdHttpClient implements EtcdClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(url: string, opts: { maxSockets?: number } = {}) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  }

  private call<T>(path: string, body: unknown): Promise<T> {
    const data = JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) return reject(new Error(`etcd ${path}: HTTP ${res.statusCode}: ${text}`));
            try {
              resolve(JSON.parse(text) as T);
            } catch (err) {
              reject(err);
            }
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error(`etcd ${path}: no answer within 10 s`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  async put(key: string, value: string): Promise<number> {
    const r = await this.call<{ header: Header }>('/v3/kv/put', { key: b64(key), value: b64(value) });
    return Number(r.header.revision);
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<number> {
    const k = b64(key);
    const r = await this.call<{ header: Header; succeeded?: boolean }>('/v3/kv/txn', {
      compare: [{ target: 'MOD', result: 'EQUAL', key: k, mod_revision: String(expectedModRevision) }],
      success: [{ request_put: { key: k, value: b64(value) } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!r.succeeded) throw conflict('key', key, `modRevision is not ${expectedModRevision}`);
    return Number(r.header.revision);
  }

  async ping(): Promise<void> {
    await this.call('/v3/kv/range', { key: b64('/bench-ping'), serializable: true });
  }

  /** Watches every key under `prefix` from now; resolves once etcd confirmed the watch was created. */
  watch(prefix: string, onValues: (values: string[]) => void): Promise<{ close(): void }> {
    const body = JSON.stringify({ create_request: { key: b64(prefix), range_end: prefixEnd(prefix).toString('base64'), prev_kv: true } });
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.host, port: this.port, path: '/v3/watch', method: 'POST', headers: { 'content-type': 'application/json' } },
        (res: IncomingMessage) => {
          if (res.statusCode !== 200) return reject(new Error(`etcd watch: HTTP ${res.statusCode}`));
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (!line.trim()) continue;
              const msg = JSON.parse(line) as { result?: { created?: boolean; canceled?: boolean; events?: EtcdWatchEvent[] }; error?: unknown };
              if (msg.error || msg.result?.canceled) return reject(new Error(`etcd watch failed: ${line}`));
              if (msg.result?.created) resolve({ close: () => req.destroy() });
              const values = (msg.result?.events ?? []).filter((e) => e.type !== 'DELETE' && e.kv.value).map((e) => Buffer.from(e.kv.value!, 'base64').toString('utf8'));
              if (values.length) onValues(values);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
