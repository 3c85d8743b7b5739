/**
 * What a container runs and with which environment, by Kubernetes' rules:
 *
 * - argv: `command` replaces the image's entrypoint, `args` its cmd; with `command` alone the
 *   image's cmd is dropped. An image program's entrypoint is node and the program file.
 * - `$(VAR)` in command and args expands to the container's environment variable VAR; `$$` is a
 *   literal `$`; a reference to an unknown variable stays as written. (The runtime does this, so
 *   the kubelet must not expand again.)
 * - environment: the image's (PATH, with the running node first so `node` resolves; HOME; the
 *   image's own variables), then the container's, which win.
 *
 * Pure functions of their inputs.
 */
import { dirname } from 'node:path';
import type { CatalogImage } from './catalog.js';
import type { ProgramLocator } from './programs.js';
import { SYSTEM_PATH } from './isolation.js';

/** Expands `$(NAME)` references (Kubernetes' expansion syntax) against `env`. */
export function expandVars(s: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '$' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = s.indexOf(')', i + 2);
      if (close < 0) {
        out += s.slice(i);
        break;
      }
      const name = s.slice(i + 2, close);
      out += Object.prototype.hasOwnProperty.call(env, name) ? env[name] : `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

export function containerArgv(image: CatalogImage, programs: ProgramLocator, spec: { command?: string[]; args?: string[] }, env: Record<string, string>): string[] {
  const entrypoint = image.program ? [...programs.argv(image.program), ...image.entrypoint] : image.entrypoint;
  const hasCommand = spec.command !== undefined && spec.command.length > 0;
  const hasArgs = spec.args !== undefined && spec.args.length > 0;
  const command = hasCommand ? spec.command!.map((s) => expandVars(s, env)) : entrypoint;
  const args = hasArgs ? spec.args!.map((s) => expandVars(s, env)) : hasCommand ? [] : image.cmd;
  return [...command, ...args];
}

export function imageEnv(image: CatalogImage, nodeBin = process.execPath): Record<string, string> {
  return { PATH: `${dirname(nodeBin)}:${SYSTEM_PATH}`, HOME: '/root', ...image.env };
}
