// An inbound API other than Chat Completions (Messages, Responses) as a route: validate its wire request, let its
// adapter translate it to the canonical request, run the one pipeline, answer through the adapter's sink; errors
// in the shape that API's SDKs parse.
import type { TSchema, Static } from '@sinclair/typebox';
import type { AuthedContext, Route } from '../context.js';
import { readJson } from '../body.js';
import { validate } from '../validate.js';
import type { HttpError } from '../../protocol/errors.js';
import type { InboundAdapter } from '../../protocol/inbound.js';
import { catalogIdForNative, type InboundApi } from '../../routing/index.js';
import { supportsReasoning } from '../../routing/filters.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { ChatRequest } from '../../protocol/chat-request.js';
import { runChat } from '../../pipeline/chat.js';
import { EncoderSink } from '../sinks/encoder.js';
import { addCommonHeader } from '../respond.js';

/** Some endpoint of every model the request names can reason (`auto` and unknown names: leave it to routing). */
function canReason(catalog: Catalog, req: ChatRequest): boolean {
  for (const name of [req.model, ...(req.models ?? [])]) {
    if (name === undefined) continue;
    const model = catalog.get(name.split(':')[0]);
    if (model && !model.endpoints.some((e) => supportsReasoning(model, e))) return false;
  }
  return true;
}

/** Lowers max_tokens to the largest output any endpoint of the named models allows (`auto`: left to routing). */
function clampMaxTokens(catalog: Catalog, req: ChatRequest): void {
  if (typeof req.max_tokens !== 'number') return;
  let largest = 0;
  for (const name of [req.model, ...(req.models ?? [])]) {
    if (name === undefined) continue;
    const model = catalog.get(name.split(':')[0]);
    if (!model) return;
    for (const e of model.endpoints) largest = Math.max(largest, e.max_completion_tokens);
  }
  if (largest > 0 && req.max_tokens > largest) req.max_tokens = largest;
}

export function errorShape<W>(adapter: InboundAdapter<W>): (err: HttpError) => string {
  return (e) =>
    JSON.stringify(
      adapter.errorBody({ status: e.status, message: e.message, type: e.type, code: e.code, param: e.param }),
    );
}

export function inboundRoute<S extends TSchema>(
  path: string,
  schema: S,
  adapter: InboundAdapter<Static<S>>,
  /** the provider whose own model names this API's clients send (anthropic, openai) */
  nativeProvider: string,
  /** headers the answer carries whatever it is (e.g. the Responses API's x-arouter-ignored-tools) */
  headersFor?: (wire: Static<S>) => Record<string, string>,
): Route {
  const api: InboundApi = path === '/v1/messages' ? 'messages' : 'responses';
  return {
    method: 'POST',
    path,
    auth: 'user',
    errorBody: errorShape(adapter),
    handler: async (ctx: AuthedContext) => {
      const wire = validate(schema, await readJson(ctx.req, ctx.app.config.bodyLimitBytes, schema));
      const req = adapter.toChat(wire);
      if (headersFor) for (const [k, v] of Object.entries(headersFor(wire))) addCommonHeader(ctx.res, k, v);
      if (req.model !== undefined) req.model = catalogIdForNative(ctx.app.catalog, req.model, nativeProvider);
      if (req.reasoning && adapter.softReasoning?.(wire) && !canReason(ctx.app.catalog, req)) delete req.reasoning;
      if (adapter.maxTokensIsCeiling) clampMaxTokens(ctx.app.catalog, req);
      await runChat(ctx.app, ctx, req, new EncoderSink(ctx.res, req.stream === true, adapter, wire), api);
    },
  };
}
