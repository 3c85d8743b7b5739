/**
 * What a cluster benchmark runs: a clean build of one commit, or the work tree as it is.
 *
 * The checkout is shared by engineers who edit it all day, so its dist/ is often built from
 * half-finished work, or does not build at all. By default a benchmark therefore measures a
 * commit: `git archive <commit>` into a temp dir, node_modules linked from the checkout,
 * `npm run build` there, and the cluster is launched from that copy (its compiled launcher and
 * workers). The measured commit is then exactly the one reported. `workTree: true` runs the
 * checkout's own dist/ instead (built when older than the sources, as the e2e tests do), for
 * measuring a change before committing it; the commit is then reported `+dirty` when it has one.
 *
 * `cleanup()` removes the copy; nothing is written into the checkout or its .git.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './kubemu-processes.js';
import { gitCommit } from './run-info.js';

export interface Tree {
  /** Where the cluster is launched from; undefined = the checkout itself. */
  root?: string;
  /** The commit measured (`abc1234`, or `abc1234+dirty` for a dirty work tree). */
  commit: string;
  cleanup(): void;
}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export function prepareTree(opts: { workTree: boolean; commit?: string; say(msg: string): void }): Tree {
  if (opts.workTree) return { commit: gitCommit(), cleanup: () => undefined };
  const commit = git(['rev-parse', '--short', opts.commit ?? 'HEAD']);
  const dir = mkdtempSync(join(tmpdir(), `kubemu-bench-${commit}-`));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    opts.say(`building commit ${commit} in ${dir} (git archive + npm run build; --work-tree runs the checkout instead)…`);
    const archive = spawnSync('sh', ['-c', `git archive --format=tar "$1" | tar -x -C "$2"`, 'sh', commit, dir], { cwd: ROOT, encoding: 'utf8' });
    if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr.trim()}`);
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: dir, encoding: 'utf8' });
    if (build.status !== 0 || !existsSync(join(dir, 'dist/services/kubemu/main.js'))) {
      throw new Error(`commit ${commit} does not build:\n${(build.stdout + build.stderr).slice(0, 3000)}`);
    }
    return { root: dir, commit, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
