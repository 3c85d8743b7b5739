/**
 * The data directory of one cluster and what lives in it. One cluster per directory; everything
 * kubemu writes for it stays inside:
 *
 *   <data-dir>/state.json        what runs (./state.ts)
 *   <data-dir>/kubeconfig        for kubectl (./kubeconfig.ts)
 *   <data-dir>/logs/<name>.log   stdout+stderr of each process (pino JSON)
 *   <data-dir>/nats/             nats-server config and JetStream files (the store's durable log)
 *   <data-dir>/nodes/<node>/     each kubelet's pod directories (emptyDir volumes, container logs)
 *
 * Default: `.kubemu` in the repository root, or `KUBEMU_DATA_DIR`; always made absolute, so the
 * paths printed for users work from any directory.
 */
import { join, relative, resolve } from 'node:path';
import type { FlagSpec, ParsedArgs } from './args.js';
import { statePath } from './state.js';

export const DATA_DIR_FLAG: FlagSpec = {
  name: 'data-dir',
  kind: 'string',
  placeholder: 'DIR',
  env: 'KUBEMU_DATA_DIR',
  help: 'where the cluster keeps its state, logs, kubeconfig and NATS data; default <repo>/.kubemu',
};

export interface DataDirLayout {
  dir: string;
  state: string;
  kubeconfig: string;
  logs: string;
  nats: string;
  nodes: string;
}

export function layout(dir: string): DataDirLayout {
  const abs = resolve(dir);
  return {
    dir: abs,
    state: statePath(abs),
    kubeconfig: join(abs, 'kubeconfig'),
    logs: join(abs, 'logs'),
    nats: join(abs, 'nats'),
    nodes: join(abs, 'nodes'),
  };
}

export function logFile(l: DataDirLayout, name: string): string {
  return join(l.logs, `${name}.log`);
}

/** The data dir a command works on: `--data-dir`, else KUBEMU_DATA_DIR, else `<root>/.kubemu`. */
export function dataDirOf(args: ParsedArgs, root: string): DataDirLayout {
  const given = args.flags['data-dir'];
  return layout(typeof given === 'string' ? given : join(root, '.kubemu'));
}

/** How the user types `kubemu <sub>` from where they are, with `--data-dir` when not the default. */
export function kubemuCommand(sub: string, root: string, dir: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const bin = relative(cwd, join(root, 'bin', 'kubemu'));
  const isDefault = layout(env.KUBEMU_DATA_DIR || join(root, '.kubemu')).dir === dir;
  return `${bin.includes('/') ? bin : `./${bin}`} ${sub}${isDefault ? '' : ` --data-dir ${dir}`}`;
}
