import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountRow, KeyRow } from '../store/types.js';
import type { App } from '../app.js';

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
  /** extra fields for the access log line (e.g. generation id, model) */
  logFields: Record<string, unknown>;
}

/** A context after authentication: key and account are present. */
export type AuthedContext = RequestContext & { key: KeyRow; account: AccountRow };

export type Handler = (ctx: AuthedContext) => Promise<void> | void;
export type PublicHandler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** path with `:name` segments, e.g. /v1/models/:author/:slug */
  path: string;
  auth: 'none' | 'user' | 'admin';
  handler: Handler | PublicHandler;
}
