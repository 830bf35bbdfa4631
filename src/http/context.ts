import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountRow, KeyRole, KeyRow } from '../store/types.js';
import type { App } from '../app.js';
import type { HttpError } from '../protocol/errors.js';

export interface RequestContext {
  app: App;
  req: IncomingMessage;
  res: ServerResponse;
  /** request id, echoed as x-request-id */
  id: string;
  /** performance.now() at arrival */
  start: number;
  /** the request URL, parsed on first read */
  readonly url: URL;
  params: Record<string, string>;
  /** null only on unauthenticated routes */
  key: KeyRow | null;
  account: AccountRow | null;
  /** what the access-log line tells beyond the request itself, set by handlers that know it */
  log: AccessLogFields;
}

/** absent fields are left out of the line; the model and provider are those that answered (null: none did) */
export interface AccessLogFields {
  generationId?: string;
  model?: string | null;
  provider?: string | null;
}

/** A context after authentication: key and account are present. */
export type AuthedContext = RequestContext & { key: KeyRow; account: AccountRow };

export type Handler = (ctx: AuthedContext) => Promise<void> | void;
export type PublicHandler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE';
  /** path with `:name` segments, e.g. /v1/models/:author/:slug */
  path: string;
  /** the least key role the route needs (README "Security model"); routes scope further by account */
  auth: 'none' | KeyRole;
  handler: Handler | PublicHandler;
  /** the error body in this route's API shape (Anthropic's for /v1/messages); OpenRouter's when absent */
  errorBody?: (err: HttpError) => string;
}
