/**
 * Debian's chromium for browser tests, driven by playwright-core — never a browser download.
 *
 * `findChromium()` answers where `/usr/bin/chromium` is (or `$CHROMIUM`), installing Debian's
 * package first when it is missing and we are root (as CI is: `.ci/run` installs it too); when it
 * cannot be had it says why, so the suite can skip with a reason instead of failing obscurely.
 * `openBrowser()` starts it headless with a fresh user-data-dir (removed on close) and the flags
 * that keep it from touching the network on its own (no component updates, sync, QUIC, first-run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export type ChromiumLookup = { path: string } | { missing: string };

export function findChromium(): ChromiumLookup {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM };
  if (process.getuid?.() !== 0) return { missing: `${CHROMIUM} is not installed and we are not root: apt-get install chromium (Debian's package)` };
  const apt = (args: string[]) => execFileSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 });
  try {
    try {
      apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
    } catch {
      apt(['update', '-qq']);
      apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
    }
  } catch (err) {
    return { missing: `apt-get install chromium failed: ${(err as Error).message}` };
  }
  return existsSync(CHROMIUM) ? { path: CHROMIUM } : { missing: `apt-get installed chromium but ${CHROMIUM} is not there` };
}

export interface Browser {
  page: Page;
  /** What the page printed to its console and the errors it threw, for a failing test to show. */
  console: string[];
  close(): Promise<void>;
}

export async function openBrowser(executablePath: string, viewport = { width: 1400, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'kubemu-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: FLAGS, viewport, timeout: 60_000 });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const log: string[] = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  return {
    page,
    console: log,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
