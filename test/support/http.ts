/**
 * Plain HTTP to pod IPs for e2e tests: one GET on a fresh connection (no keep-alive pool, so an
 * answer always comes from the pod as it is now, and a dead pod is a refused connection, not a
 * stale socket), with a deadline. `httpGet` rejects on any network error; `tryHttpGet` turns the
 * error into its code (`ECONNREFUSED`, `ETIMEDOUT`, …) for tests that expect a pod to be gone.
 */
import { request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

export function httpGet(host: string, port: number, path = '/', timeoutMs = 3000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`GET http://${host}:${port}${path}: no answer in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** The answer, or the error code when there is none. */
export async function tryHttpGet(host: string, port: number, path = '/', timeoutMs = 3000): Promise<HttpAnswer | { error: string }> {
  try {
    return await httpGet(host, port, path, timeoutMs);
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  }
}
