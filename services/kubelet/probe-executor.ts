/**
 * Running one probe attempt for real (the kubelet's prober): httpGet to `host || podIP`:port
 * (named ports resolved from the container's ports; 200–399 is success; `User-Agent:
 * kube-probe/1.32`), tcpSocket (a connection that opens is success), exec (through `runtime.exec`;
 * exit 0 is success). Each attempt ends within `timeoutMs`.
 *
 * Failure messages are the kubelet's (`HTTP probe failed with statuscode: 500`,
 * `Get "http://…": dial tcp …: connect: connection refused`, …), since they end up in
 * `Liveness probe failed: …` events. An executor never throws: every problem is a failed result.
 * Socket timeouts use real timers: this is I/O infrastructure, not logic.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Probe } from '../../shared/api/core.js';
import type { Runtime } from './runtime/runtime.js';

export interface ProbeTarget {
  podIP: string;
  container: Container;
  containerId: string;
}

export interface ProbeResult {
  ok: boolean;
  /** Why it failed (or the command's output). */
  message?: string;
}

export interface ProbeExecutor {
  run(probe: Probe, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult>;
}

/** Every probe succeeds (the simulated runtime has nothing to probe). */
export const succeedingProbes: ProbeExecutor = {
  run: async () => ({ ok: true }),
};

export function resolvePort(port: number | string, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (err.code === 'ETIMEDOUT' || err.message === 'timeout') return `dial tcp ${host}:${port}: i/o timeout`;
  return `dial tcp ${host}:${port}: ${err.message}`;
}

function httpProbe(probe: NonNullable<Probe['httpGet']>, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(probe.port, target.container);
  if (port === undefined) return Promise.resolve({ ok: false, message: `unable to resolve named port "${probe.port}"` });
  const host = probe.host || target.podIP;
  const scheme = (probe.scheme ?? 'HTTP').toLowerCase();
  const path = probe.path ? (probe.path.startsWith('/') ? probe.path : `/${probe.path}`) : '/';
  const url = `${scheme}://${host}:${port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of probe.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const req = (scheme === 'https' ? httpsRequest : httpRequest)(
      { host, port, path, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, message: `Get "${url}": ${dialError(host, port, err)}` }));
    req.end();
  });
}

function tcpProbe(probe: NonNullable<Probe['tcpSocket']>, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(probe.port, target.container);
  if (port === undefined) return Promise.resolve({ ok: false, message: `unable to resolve named port "${probe.port}"` });
  const host = probe.host || target.podIP;
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: timeoutMs });
    sock.once('connect', () => {
      sock.destroy();
      resolve({ ok: true });
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    sock.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, message: dialError(host, port, err) }));
  });
}

async function execProbe(runtime: Runtime, command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  let output = '';
  const decoder = new TextDecoder();
  try {
    const session = runtime.exec(target.containerId, { command, stdin: false, tty: false });
    session.onStdout((b) => (output += decoder.decode(b)));
    session.onStderr((b) => (output += decoder.decode(b)));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const code = await Promise.race([session.exited, timedOut]).finally(() => clearTimeout(timer));
    if (code === 'timeout') {
      session.kill();
      return { ok: false, message: `command "${command.join(' ')}" timed out` };
    }
    if (code === 0) return { ok: true, message: output };
    return { ok: false, message: output.trim() || `command "${command.join(' ')}" exited with ${code}` };
  } catch (err) {
    return { ok: false, message: `command "${command.join(' ')}" could not run: ${(err as Error).message}` };
  }
}

/** Probes against real sockets and the runtime's exec. */
export function realProbes(runtime: Runtime): ProbeExecutor {
  return {
    async run(probe, target, timeoutMs) {
      try {
        if (probe.httpGet) return await httpProbe(probe.httpGet, target, timeoutMs);
        if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket, target, timeoutMs);
        if (probe.exec?.command?.length) return await execProbe(runtime, probe.exec.command, target, timeoutMs);
        return { ok: false, message: 'probe has no handler (httpGet, tcpSocket or exec)' };
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
    },
  };
}
