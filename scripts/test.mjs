/**
 * `npm test`: install what is missing, build, make sure nats-server exists (apt-get install when
 * root), type-check, then `vitest run` over test/unit, test/integration and test/e2e. Arguments
 * after `--` go to vitest (`npm test -- test/unit`). The exit code is vitest's.
 *
 * Plain Node with no npm dependency, so it runs on a fresh clone; the nats-server check uses the
 * launcher's own code from the build (services/kubemu/nats-server.ts), not a second copy of it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, ensureDeps, root, step } from './setup.mjs';

ensureDeps();
ensureBuilt();

const { ensureNatsServer, NatsServerMissing } = await import(pathToFileURL(join(root, 'dist', 'services', 'kubemu', 'nats-server.js')).href);
try {
  process.stdout.write(`✓ nats-server: ${ensureNatsServer((m) => process.stdout.write(`${m}\n`))}\n`);
} catch (err) {
  if (!(err instanceof NatsServerMissing)) throw err;
  process.stderr.write(`✗ ${err.message}\n`);
  process.exit(1);
}

step('type-checking (npm run typecheck)', process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'typecheck']);

const args = process.argv.slice(2);
process.stdout.write(`› vitest run ${args.join(' ')}\n`);
const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
