/**
 * Where the image programs (`services/kubelet/images/*.ts`) are on disk and how to start them.
 *
 * Compiled kubemu (`dist/…`) runs `node dist/services/kubelet/images/<name>.js`. Run from the
 * TypeScript sources (tests, `--dev`), a compiled copy is used when one exists that is at least as
 * new as its source (starting with tsx costs ≈2.6× the time and ≈3× the memory); otherwise the
 * source runs with `node --import tsx`. The programs import nothing from kubemu, so either form
 * behaves the same.
 *
 * `programArgv` is the argv prefix (the image's entrypoint) for a program; it never throws: a
 * missing file surfaces as the container's StartError when the runtime checks the executable.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ImageProgram } from './catalog.js';

export interface ProgramLocator {
  /** node + its flags + the program file. */
  argv(program: ImageProgram): string[];
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function tsxLoader(from: string): string | undefined {
  try {
    return pathToFileURL(createRequire(from).resolve('tsx')).href;
  } catch {
    return undefined;
  }
}

/**
 * `imagesDir` defaults to the images directory next to this module's tree (`../../images`);
 * `nodeBin` to the running node.
 */
export function createProgramLocator(opts: { imagesDir?: string; nodeBin?: string } = {}): ProgramLocator {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  const imagesDir = opts.imagesDir ?? resolve(dirname(here), '../../images');
  const nodeBin = opts.nodeBin ?? process.execPath;
  // services/kubelet/images → <root>/dist/services/kubelet/images
  const root = resolve(imagesDir, '../../..');
  const distDir = join(root, 'dist', 'services', 'kubelet', 'images');
  const cache = new Map<ImageProgram, string[]>();
  let loader: string | undefined | null = null;

  return {
    argv(program) {
      const hit = cache.get(program);
      if (hit) return hit;
      let argv: string[];
      const js = join(imagesDir, `${program}.js`);
      if (!fromSource || existsSync(js)) {
        argv = [nodeBin, js];
      } else {
        const source = join(imagesDir, `${program}.ts`);
        const compiled = join(distDir, `${program}.js`);
        if (mtime(compiled) >= mtime(source) && mtime(compiled) > 0) {
          argv = [nodeBin, compiled];
        } else {
          if (loader === null) loader = tsxLoader(here);
          argv = loader ? [nodeBin, '--import', loader, source] : [nodeBin, source];
        }
      }
      cache.set(program, argv);
      return argv;
    },
  };
}
