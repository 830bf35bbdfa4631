// The web console (README "Console"): GET / (and /console) answers its index.html, /console/assets/<file> its
// content-hashed scripts and styles, built by `npm run build` (scripts/build-console.mjs) into dist/console/.
// Pages are hash-routed (/#/models/openai/gpt-4o), so no other path is the console's and /v1/* is untouched.
// `console.enabled: false` (AROUTER_CONSOLE=off) answers these paths as unknown routes.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestContext, Route } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { withCommonHeaders } from '../respond.js';
import { StaticSite, sendStatic } from '../static.js';

/** the prefix of the console's assets, as scripts/build-console.mjs writes them into index.html */
export const CONSOLE_ASSETS = '/console/assets/';

// script-src 'self' and no 'unsafe-inline' anywhere: a model description or a prompt that got into the page as
// markup still could not run. data: images only for the favicon-less tab icon.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
const INDEX_HEADERS = { ...SECURITY, 'cache-control': 'no-cache' };
// names carry a content hash: a new build is new names, so a cached file never goes stale
const ASSET_HEADERS = { ...SECURITY, 'cache-control': 'public, max-age=31536000, immutable' };

/** the package's dist/console: found from this file, which runs from src/ (tsx) or dist/src/ (built) */
function packageConsoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'console');
    dir = resolve(dir, '..');
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../dist/console');
}

let defaultDir: string | null = null;
const loaded = new Map<string, Promise<StaticSite | null>>();

/** the built console, read once per folder; not built yet: looked for again at the next request */
function site(ctx: RequestContext): Promise<StaticSite | null> {
  const dir = ctx.app.config.console.dir ?? (defaultDir ??= packageConsoleDir());
  let p = loaded.get(dir);
  if (!p) {
    loaded.set(dir, (p = StaticSite.load(dir)));
    void p.then((s) => s ?? loaded.delete(dir));
  }
  return p;
}

function pathOf(ctx: RequestContext): string {
  const raw = ctx.req.url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

function enabled(ctx: RequestContext): void {
  if (!ctx.app.config.console.enabled) {
    // the same answer as any path nobody serves
    throw new HttpError(404, `Unknown route: ${ctx.req.method} ${pathOf(ctx)}`, 'not_found_error', 'unknown_route');
  }
}

const NOT_BUILT =
  "ARouter's web console is not built in this checkout: run `npm run build` (or `npm start` / `npm run demo`, " +
  'which build first), then reload this page. The API is served at /v1 either way.\n';

async function index(ctx: RequestContext): Promise<void> {
  enabled(ctx);
  const s = await site(ctx);
  const file = s?.get('index.html');
  if (!file) {
    ctx.res.writeHead(
      503,
      withCommonHeaders(ctx.res, {
        ...SECURITY,
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(NOT_BUILT),
        'cache-control': 'no-store',
      }),
    );
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : NOT_BUILT);
    return;
  }
  sendStatic(ctx.req, ctx.res, file, INDEX_HEADERS);
}

async function asset(ctx: RequestContext): Promise<void> {
  enabled(ctx);
  // a name from the Map or nothing: `..`, `/` or NUL in the (decoded) parameter simply match no file
  const file = (await site(ctx))?.get('assets/' + ctx.params.file);
  if (!file) throw notFound(`No console file ${JSON.stringify(ctx.params.file)}`, 'unknown_console_file');
  sendStatic(ctx.req, ctx.res, file, ASSET_HEADERS);
}

export const consoleRoutes: Route[] = ['GET' as const, 'HEAD' as const].flatMap((method) => [
  { method, path: '/', auth: 'none' as const, handler: index },
  { method, path: '/console', auth: 'none' as const, handler: index },
  { method, path: CONSOLE_ASSETS + ':file', auth: 'none' as const, handler: asset },
]);
