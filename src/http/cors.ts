// CORS, so a web page can call ARouter straight from the browser with a key (as with OpenRouter; the Vercel AI
// SDK and the openai package with `dangerouslyAllowBrowser` do this). Keys travel in the Authorization header,
// never in cookies, so allowing every origin exposes nothing a page could not already do with the key it
// holds: that is the default. `server.cors_origins` narrows it to a list, or `[]` turns CORS off.
// Requests without an Origin header (servers, curl, SDKs in Node) never reach this code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';
import { addCommonHeader, withCommonHeaders } from './respond.js';

/** what a browser page may read of our responses besides the CORS-safelisted headers */
const EXPOSED = [
  'x-request-id',
  'x-arouter-generation-id',
  'x-arouter-route',
  'x-arouter-attempts',
  'x-arouter-ignored-tools',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
].join(', ');
const METHODS = 'GET, POST, PATCH, DELETE, OPTIONS';
/** used when a preflight names no headers; otherwise the requested ones are allowed (auth is by key anyway) */
const DEFAULT_HEADERS = 'authorization, content-type, x-api-key, anthropic-version';
const MAX_AGE = '86400';

export class Cors {
  private readonly any: boolean;
  private readonly allowed: Set<string>;

  constructor(origins: string[]) {
    this.any = origins.includes('*');
    // origins compare as the browser sends them: scheme://host[:port], no trailing slash, lower case
    this.allowed = new Set(origins.filter((o) => o !== '*').map((o) => o.replace(/\/+$/, '').toLowerCase()));
  }

  get enabled(): boolean {
    return this.any || this.allowed.size > 0;
  }

  private allows(origin: string): boolean {
    return this.any || this.allowed.has(origin.toLowerCase());
  }

  /**
   * For a request carrying an Origin header. A preflight (OPTIONS + Access-Control-Request-Method) is answered
   * here (returns true); any other request gets the headers that let the page read the response.
   */
  handle(origin: string, req: IncomingMessage, res: ServerResponse): boolean {
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!this.allows(origin)) {
      if (!preflight) return false; // no CORS headers: the browser keeps the response from the page
      throw new HttpError(
        403,
        `Origin ${origin} is not allowed (server.cors_origins)`,
        'permission_error',
        'cors_origin_not_allowed',
      );
    }
    addCommonHeader(res, 'access-control-allow-origin', this.any ? '*' : origin);
    if (!this.any) addCommonHeader(res, 'vary', 'Origin');
    if (!preflight) {
      addCommonHeader(res, 'access-control-expose-headers', EXPOSED);
      return false;
    }
    const asked = req.headers['access-control-request-headers'];
    res.writeHead(
      204,
      withCommonHeaders(res, {
        'access-control-allow-methods': METHODS,
        'access-control-allow-headers': typeof asked === 'string' && asked.trim() !== '' ? asked : DEFAULT_HEADERS,
        'access-control-max-age': MAX_AGE,
        'content-length': '0',
      }),
    );
    res.end();
    if (!req.readableEnded) req.resume();
    return true;
  }
}
