/**
 * What `npm start` and `npm test` do before their real work, in plain Node with no npm dependency
 * (they run before node_modules exists): install dependencies when they are missing or older than
 * package-lock.json (`npm ci`), and build when dist/ is missing or older than any source
 * (`npm run build`). Each step prints what it does and how long it took; a failed step exits the
 * process with that step's exit code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function newestUnder(dir, ext) {
  let newest = -1;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestUnder(p, ext));
    else if (e.name.endsWith(ext)) newest = Math.max(newest, mtime(p));
  }
  return newest;
}

/** Runs a command in the repository root with inherited stdio; exits the process when it fails. */
export function step(title, cmd, args, opts = {}) {
  const t0 = Date.now();
  process.stdout.write(`› ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  const took = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.error) {
    process.stderr.write(`✗ ${title}: ${r.error.message}\n`);
    process.exit(1);
  }
  if (r.status !== 0) {
    process.stderr.write(`✗ ${title} failed (exit ${r.status ?? r.signal}) after ${took}s\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`✓ ${title} (${took}s)\n`);
  return r;
}

/** `npm ci` when node_modules is absent or older than package-lock.json. */
export function ensureDeps() {
  const installed = mtime(join(root, 'node_modules', '.package-lock.json'));
  const lock = mtime(join(root, 'package-lock.json'));
  if (installed >= 0 && installed >= lock) return;
  step(installed < 0 ? 'installing dependencies (npm ci)' : 'package-lock.json changed: reinstalling (npm ci)', npm, ['ci', '--no-audit', '--no-fund']);
}

/** `npm run build` when dist/ is missing or older than services/, shared/, tsconfig.json or package.json. */
export function ensureBuilt() {
  const stamp = join(root, 'dist', '.tsbuildinfo');
  const built = mtime(stamp);
  const sources = Math.max(
    newestUnder(join(root, 'services'), '.ts'),
    newestUnder(join(root, 'shared'), '.ts'),
    mtime(join(root, 'tsconfig.json')),
    mtime(join(root, 'package.json')),
  );
  if (built >= 0 && built >= sources && existsSync(join(root, 'dist', 'services', 'kubemu', 'main.js'))) return;
  step('building (npm run build)', npm, ['run', '--silent', 'build']);
  // tsc leaves its build info untouched when nothing changed; the stamp must still say "fresh".
  if (existsSync(stamp)) {
    const now = new Date();
    utimesSync(stamp, now, now);
  }
}
