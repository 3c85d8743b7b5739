/**
 * What a container runs and with which environment, by Kubernetes' rules:
 *
 * - argv: `command` replaces the image's entrypoint, `args` its cmd; with `command` alone the
 *   image's cmd is dropped. An image program's entrypoint is node and the program file.
 * - command and args arrive with `$(VAR)` already expanded (the kubelet's env.ts does it, as
 *   Kubernetes' kubelet does); the runtime takes them literally.
 * - environment: the image's (PATH, with the running node first so `node` resolves; HOME; the
 *   image's own variables), then the container's, which win.
 *
 * Pure functions of their inputs.
 */
import { dirname } from 'node:path';
import type { CatalogImage } from './catalog.js';
import type { ProgramLocator } from './programs.js';
import { SYSTEM_PATH } from './isolation.js';

export function containerArgv(image: CatalogImage, programs: ProgramLocator, spec: { command?: string[]; args?: string[] }): string[] {
  const entrypoint = image.program ? [...programs.argv(image.program), ...image.entrypoint] : image.entrypoint;
  const hasCommand = spec.command !== undefined && spec.command.length > 0;
  const hasArgs = spec.args !== undefined && spec.args.length > 0;
  const command = hasCommand ? spec.command! : entrypoint;
  const args = hasArgs ? spec.args! : hasCommand ? [] : image.cmd;
  return [...command, ...args];
}

export function imageEnv(image: CatalogImage, nodeBin = process.execPath): Record<string, string> {
  return { PATH: `${dirname(nodeBin)}:${SYSTEM_PATH}`, HOME: '/root', ...image.env };
}
