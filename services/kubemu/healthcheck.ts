/**
 * The health check a kubemu container runs (docker-compose.yml's `healthcheck.test`):
 *
 *   node dist/services/kubemu/healthcheck.js <process|node>... [--nats URL] [--timeout-ms 2000]
 *
 * Each target is probed with the check the launcher's component table gives it (./components.ts
 * through ./container-plan.ts): `store` its status RPC, `api-server` GET /readyz, `scheduler`,
 * `kubelet-node-2`, … their control health subject; a node name (`node-2`, or `$KUBEMU_NODE_NAME`
 * when no target is given) stands for all of that node's processes. Exit 0 when every probe
 * passes, 1 when one fails (one line per target says why), 2 for a bad target.
 *
 * A script, not a `kubemu` sub-command: it runs every few seconds in every container, so it
 * loads only what probing needs. The NATS connection is opened only when a check needs it (given
 * up after the timeout) and closed before exiting. Never prints on success (healthcheck logs stay quiet).
 */
import { connectBus, type Bus } from '../../shared/nats/connection.js';
import { flag, numberFlag } from '../../shared/runtime/process.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { containerProcesses, DEFAULT_NATS_URL, UnknownTarget } from './container-plan.js';
import { probe } from './health.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const targets = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  if (targets.length === 0 && process.env.KUBEMU_NODE_NAME) targets.push(process.env.KUBEMU_NODE_NAME);
  if (targets.length === 0) {
    process.stderr.write('usage: healthcheck.js <process|node>... [--nats URL] [--timeout-ms MS]\n');
    return 2;
  }
  let launches;
  try {
    launches = containerProcesses(targets, { root: '/' });
  } catch (err) {
    if (!(err instanceof UnknownTarget)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  const missing = targets.filter((t) => !launches.some((l) => l.name === t || l.node === t));
  if (missing.length) {
    process.stderr.write(`no such process: ${missing.join(', ')}\n`);
    return 2;
  }
  const timeoutMs = numberFlag('timeout-ms', 2000);
  let bus: Bus | undefined;
  if (launches.some((l) => l.health.kind === 'nats')) {
    bus = await connectBus({ servers: flag('nats', DEFAULT_NATS_URL)!, name: 'healthcheck', log: silentLogger(), connectTimeoutMs: timeoutMs }).catch(
      (err: Error) => {
        process.stdout.write(`nats: ${err.message}\n`);
        return undefined;
      },
    );
  }
  const results = await Promise.all(launches.map(async (l) => ({ name: l.name, r: await probe(l.health, { ...(bus ? { bus } : {}), timeoutMs }) })));
  await bus?.close().catch(() => undefined);
  const failed = results.filter((x) => !x.r.ok);
  for (const f of failed) process.stdout.write(`${f.name}: ${f.r.detail}\n`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stdout.write(`healthcheck failed: ${err.message}\n`);
    process.exit(1);
  },
);
