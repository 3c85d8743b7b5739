/**
 * A real nats-server per test suite: random free ports, JetStream in a temp dir, stopped (and its
 * files removed) at the end. `kill()` SIGKILLs it and `restart()` brings it back on the same ports
 * and data, for durability tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ensureNatsServer, startNatsServer, type NatsServerConfig } from '../../services/kubemu/nats-server.js';
import { freePorts } from '../../services/kubemu/ports.js';

export interface TestNats {
  url: string;
  port: number;
  dataDir: string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** Start again on the same port and data. */
  restart(): Promise<void>;
  /** SIGSTOP: the server freezes with its connections open (requests hang, nothing is lost yet). */
  pause(): void;
  /** SIGCONT after pause(): the server goes on with what it had buffered. */
  resume(): void;
  /** Stop and delete the data dir. */
  dispose(): Promise<void>;
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startTestNats(): Promise<TestNats> {
  const bin = ensureNatsServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'kubemu-nats-'));
  const [port, monitorPort] = await freePorts(2);
  const cfg: NatsServerConfig = { port, monitorPort, dataDir, logFile: join(dataDir, 'nats.log') };
  let child: ChildProcess | undefined = await startNatsServer(bin, cfg);
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (!child) return;
    const c = child;
    child = undefined;
    c.kill(signal);
    await waitExit(c);
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dataDir,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGTERM');
      child = await startNatsServer(bin, cfg);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async dispose() {
      await end('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
