// Browser tests of the web console: a demo gateway (every provider on the simulated upstreams) serving a console
// built for this test process, and Debian's Chromium driven by playwright-core. Each page visited can be saved
// as a PNG under test-artifacts/console/ (git-ignored) for a reviewer to look at.
//
//   const c = await startConsole();              // gateway + build + browser
//   const page = await c.page();                 // desktop 1280×800; c.page(PHONE) for 360×740
//   await c.signIn(page);                        // the operator key (c.gw.adminKey), lands on #/models
//   await c.shot(page, 'models');                // test-artifacts/console/models.png
//   await c.close();
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console.mjs';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

/** the console's built folder for this test process (one esbuild run, well under a second) */
let built: Promise<string> | null = null;
export function buildOnce(): Promise<string> {
  built ??= (async () => {
    const outdir = join(mkdtempSync(join(tmpdir(), 'arouter-console-')), 'console');
    await buildConsole({ outdir, quiet: true });
    process.once('exit', () => rmSync(dirname(outdir), { recursive: true, force: true }));
    return outdir;
  })();
  return built;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    // a failure, not a skip: a CI without the browser would otherwise pass without testing the console
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console's browser tests need it. ` +
        'Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH).',
    );
  }
  const root = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export interface ConsoleHarness {
  gw: TestGateway;
  sims: SimSet;
  /** http://127.0.0.1:PORT (the console is at `${base}/`) */
  base: string;
  browser: Browser;
  /** browser messages and page errors, for a failing test to print */
  logs: string[];
  /** a fresh browser context (own storage and theme) and its page, not yet navigated */
  page(
    viewport?: { width: number; height: number },
    opts?: { colorScheme?: 'light' | 'dark'; clipboard?: boolean },
  ): Promise<Page>;
  /** opens the console (when not yet open), signs in with `key` (default: the operator key), waits for the header */
  signIn(page: Page, key?: string): Promise<void>;
  /** saves test-artifacts/console/<name>.png (the viewport; fullPage: the whole page); resolves with its path */
  shot(page: Page, name: string, opts?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function startConsole(
  opts: { config?: Record<string, unknown>; consoleDir?: string } = {},
): Promise<ConsoleHarness> {
  const dir = opts.consoleDir ?? (await buildOnce());
  const browser = await launchChromium();
  const { gw, sims } = await startDemoGateway(opts.config ?? {});
  // not a config-file setting: the console this test process built, instead of the package's dist/console
  gw.app.config.console.dir = dir;
  const base = gw.url.replace(/\/v1$/, '');
  const logs: string[] = [];
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    gw,
    sims,
    base,
    browser,
    logs,
    async page(viewport = DESKTOP, o = {}) {
      const ctx = await browser.newContext({
        viewport,
        colorScheme: o.colorScheme ?? 'light',
        // clipboard: a test may read what a copy button wrote (navigator.clipboard.readText())
        permissions: o.clipboard ? ['clipboard-read', 'clipboard-write'] : [],
      });
      const page = await ctx.newPage();
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      return page;
    },
    async signIn(page, key = gw.adminKey) {
      if (!page.url().startsWith(base)) await page.goto(base + '/');
      await page.getByLabel('API key').fill(key);
      await page.getByLabel('API key').press('Enter');
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    },
    async shot(page, name, o = {}) {
      const file = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: o.fullPage ?? false });
      return file;
    },
    async close() {
      await browser.close();
      await gw.close();
      await sims.close();
    },
  };
}
