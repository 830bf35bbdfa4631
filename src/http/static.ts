// Static files from one built folder (the web console, src/http/routes/console.ts), held in memory: the folder is
// read once, each compressible file gzipped and brotli'd once (or its .gz/.br sibling from the build taken as is),
// so a request costs a Map lookup and one write, never a disk read or a compression. Files are found by their name
// in that Map only, so no path a client sends can reach outside the folder.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { withCommonHeaders } from './respond.js';

export interface StaticFile {
  /** the name relative to the folder, `/`-separated (`index.html`, `assets/main-4F2A.js`) */
  name: string;
  type: string;
  body: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  /** a strong validator of the uncompressed body */
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.map', '.svg', '.txt']);

export function contentType(name: string): string {
  return TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    if (e.isDirectory()) out.push(...(await walk(join(dir, e.name), rel + '/')));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

async function readIf(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

export class StaticSite {
  private constructor(
    readonly root: string,
    private readonly files: Map<string, StaticFile>,
  ) {}

  /** the folder's files; null when it has no index.html (not built) */
  static async load(root: string): Promise<StaticSite | null> {
    let names: string[];
    try {
      names = await walk(root);
    } catch {
      return null;
    }
    if (!names.includes('index.html')) return null;
    const files = new Map<string, StaticFile>();
    for (const name of names) {
      if (name.endsWith('.gz') || name.endsWith('.br') || name.startsWith('.')) continue;
      const path = join(root, name);
      const body = await readFile(path);
      const compressible = COMPRESSIBLE.has(extname(name).toLowerCase()) && body.length > 256;
      files.set(name, {
        name,
        type: contentType(name),
        body,
        gzip: compressible ? ((await readIf(path + '.gz')) ?? gzipSync(body, { level: 9 })) : null,
        br: compressible
          ? ((await readIf(path + '.br')) ??
            brotliCompressSync(body, {
              params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
            }))
          : null,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      });
    }
    return new StaticSite(root, files);
  }

  get(name: string): StaticFile | undefined {
    return this.files.get(name);
  }

  get size(): number {
    return this.files.size;
  }
}

/** the best encoding the client accepts that we hold: br, then gzip, else none (q=0 refuses one) */
export function pickEncoding(accept: string | undefined, file: StaticFile): 'br' | 'gzip' | null {
  if (!accept || (!file.br && !file.gzip)) return null;
  const ok = new Set<string>();
  for (const part of accept.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
    if (q === undefined || Number(q) > 0) ok.add(token.trim());
  }
  if (file.br && ok.has('br')) return 'br';
  if (file.gzip && (ok.has('gzip') || ok.has('*'))) return 'gzip';
  return null;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** writes one file (HEAD: its headers only), or 304 when the client's copy is current */
export function sendStatic(
  req: IncomingMessage,
  res: ServerResponse,
  file: StaticFile,
  headers: Record<string, string>,
): void {
  const common: Record<string, string | number> = { ...headers, etag: file.etag };
  if (file.gzip || file.br) common.vary = 'accept-encoding';
  if (etagMatches(req.headers['if-none-match'], file.etag)) {
    res.writeHead(304, withCommonHeaders(res, common));
    res.end();
    return;
  }
  const enc = pickEncoding(req.headers['accept-encoding'], file);
  const body = enc === 'br' ? file.br! : enc === 'gzip' ? file.gzip! : file.body;
  if (enc) common['content-encoding'] = enc;
  common['content-type'] = file.type;
  common['content-length'] = body.length;
  res.writeHead(200, withCommonHeaders(res, common));
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}
