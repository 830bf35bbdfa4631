#!/usr/bin/env node
// Builds the web console (console/src, Preact + TSX) with esbuild into dist/console/: minified ESM split into
// chunks (one per page, loaded on first visit), content-hashed names under assets/ (served immutable by
// src/http/routes/console.ts), the CSS, an index.html naming them, .gz/.br beside each text file, and
// manifest.json with the first page's gzipped script size, which must stay within BUDGET (issue 17: 150 KB)
// or the build fails. Run by `npm run build` and scripts/build-if-stale.mjs; tests call buildConsole() into
// a folder of their own.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

export const BUDGET_GZIP_BYTES = 150 * 1024;
/** the page a signed-in visitor lands on (console/src/routes.ts DEFAULT_PATH): counted in the first page */
const FIRST_PAGE = 'console/src/pages/models.tsx';
const ENTRY = 'console/src/main.tsx';
/** index.html names assets by this URL prefix (CONSOLE_ASSETS in src/http/routes/console.ts) */
const ASSETS_URL = '/console/assets/';

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/**
 * @param {{ root?: string, outdir?: string, quiet?: boolean, budget?: number }} [opts]
 * @returns {Promise<{ outdir: string, manifest: any }>}
 */
export async function buildConsole(opts = {}) {
  const root = resolve(opts.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const outdir = resolve(root, opts.outdir ?? 'dist/console');
  const budget = opts.budget ?? BUDGET_GZIP_BYTES;
  // built aside and swapped in, so a running server or a parallel test never reads half a build
  const tmp = `${outdir}.tmp-${process.pid}-${Date.now()}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [ENTRY],
      bundle: true,
      splitting: true,
      format: 'esm',
      minify: true,
      target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
      outdir: join(tmp, 'assets'),
      entryNames: '[name]-[hash]',
      chunkNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      define: { 'process.env.NODE_ENV': '"production"' },
      legalComments: 'none',
      metafile: true,
      logLevel: 'silent',
      write: true,
    });
    const outputs = result.metafile.outputs;
    const rel = (p) => relative(join(tmp, 'assets'), resolve(root, p)).split('\\').join('/');
    const entryOut = Object.keys(outputs).find((o) => outputs[o].entryPoint === ENTRY && o.endsWith('.js'));
    const pageOut = Object.keys(outputs).find((o) => outputs[o].entryPoint === FIRST_PAGE && o.endsWith('.js'));
    if (!entryOut) throw new Error(`console build: no output for ${ENTRY}`);
    const css = outputs[entryOut].cssBundle;
    const strayCss = Object.keys(outputs).filter((o) => o.endsWith('.css') && o !== css);
    if (strayCss.length) {
      throw new Error(
        `console build: CSS imported by a lazy page would never be loaded (${strayCss.map(rel).join(', ')}): ` +
          'import every stylesheet from console/src/main.tsx',
      );
    }

    // what the browser fetches before the first page shows: the entry, its static imports, and the landing page
    const closure = (out, seen = new Set()) => {
      if (seen.has(out)) return seen;
      seen.add(out);
      for (const imp of outputs[out].imports) if (imp.kind === 'import-statement') closure(imp.path, seen);
      return seen;
    };
    const first = closure(entryOut);
    if (pageOut) closure(pageOut, first);
    let jsBytes = 0;
    let jsGzipBytes = 0;
    for (const o of first) {
      const body = readFileSync(resolve(root, o));
      jsBytes += body.length;
      jsGzipBytes += gzipSync(body, { level: 9 }).length;
    }

    const preload = [...closure(entryOut)].filter((o) => o !== entryOut);
    const html = [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<meta name="color-scheme" content="light dark">',
      '<title>ARouter</title>',
      '<link rel="icon" href="data:,">',
      ...(css ? [`<link rel="stylesheet" href="${ASSETS_URL}${rel(css)}">`] : []),
      ...preload.map((o) => `<link rel="modulepreload" href="${ASSETS_URL}${rel(o)}">`),
      `<script type="module" src="${ASSETS_URL}${rel(entryOut)}"></script>`,
      '</head>',
      '<body>',
      '<div id="app"></div>',
      '<noscript>The ARouter console needs JavaScript. The API works without it, at /v1.</noscript>',
      '</body>',
      '</html>',
      '',
    ].join('\n');
    writeFileSync(join(tmp, 'index.html'), html);

    const files = {};
    const texts = [join(tmp, 'index.html'), ...Object.keys(outputs).map((o) => resolve(root, o))];
    for (const file of texts) {
      const body = readFileSync(file);
      files[relative(tmp, file).split('\\').join('/')] = body.length;
      if (body.length <= 256) continue;
      writeFileSync(file + '.gz', gzipSync(body, { level: 9 }));
      writeFileSync(
        file + '.br',
        brotliCompressSync(body, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
        }),
      );
    }
    const manifest = {
      entry: 'assets/' + rel(entryOut),
      css: css ? 'assets/' + rel(css) : null,
      firstPage: {
        files: [...first].map((o) => 'assets/' + rel(o)),
        jsBytes,
        jsGzipBytes,
        budgetGzipBytes: budget,
      },
      files,
    };
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    if (jsGzipBytes > budget) {
      throw new Error(
        `console build: the first page's JS is ${kb(jsGzipBytes)} gzipped, over the ${kb(budget)} budget ` +
          `(${manifest.firstPage.files.join(', ')})`,
      );
    }
    mkdirSync(dirname(outdir), { recursive: true });
    rmSync(outdir, { recursive: true, force: true });
    renameSync(tmp, outdir);
    if (!opts.quiet) {
      console.log(
        `console: first page JS ${kb(jsGzipBytes)} gzipped (${kb(jsBytes)} minified; budget ${kb(budget)}), ` +
          `${Object.keys(files).length} files → ${relative(process.cwd(), outdir) || basename(outdir)}`,
      );
    }
    return { outdir, manifest };
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildConsole().catch((err) => {
    console.error(err?.errors?.length ? err.message : (err?.message ?? err));
    process.exit(1);
  });
}
