/**
 * `npm start`: install what is missing, build what is stale, then run `kubemu up --nodes 3` in the
 * foreground. Flags after `--` pass through and win over the defaults (`npm start -- --nodes 5`).
 *
 * Ctrl-C reaches the launcher directly (same terminal process group); SIGINT/SIGTERM sent to this
 * script are forwarded to it too, and the launcher treats near-simultaneous copies as one; when
 * this script loses its parent (npm killed), the launcher gets SIGTERM. Exits with the launcher's
 * exit code. nats-server is installed, when missing, by `kubemu up` itself.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt, ensureDeps, root } from './setup.mjs';

ensureDeps();
ensureBuilt();

const child = spawn(process.execPath, [join(root, 'dist', 'services', 'kubemu', 'main.js'), 'up', '--nodes', '3', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
let signalled = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    signalled = true;
    child.kill(sig);
  });
}
// `npm start` runs this script under `sh -c`, which dies of a SIGTERM sent to npm without passing it
// on: when this script is orphaned that way, the cluster is stopped as if SIGTERM had reached it.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent && !signalled) {
    signalled = true;
    child.kill('SIGTERM');
  }
}, 500).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
