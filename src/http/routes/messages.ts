// POST /v1/messages (Anthropic Messages API, for the Anthropic SDKs and Claude Code) for every catalog model,
// and /v1/messages/count_tokens. `anthropic-version` and `anthropic-beta` are accepted and not needed: the answer
// is always the current Messages format.
import type { AuthedContext, Route } from '../context.js';
import { readJson } from '../body.js';
import { sendJson } from '../respond.js';
import { validate } from '../validate.js';
import { CountTokensRequestSchema, MessagesRequestSchema } from '../../protocol/messages-request.js';
import { notFound } from '../../protocol/errors.js';
import { countTokensRequest, messagesAdapter } from '../../inbound/messages/index.js';
import { countChatPromptTokens } from '../../accounting/tokenizer.js';
import { catalogIdForNative } from '../../routing/index.js';
import { errorShape, inboundRoute } from './inbound.js';

/** Input tokens with the model's tokenizer, as ARouter counts them for routing and local estimates. */
async function countTokens(ctx: AuthedContext): Promise<void> {
  const wire = validate(
    CountTokensRequestSchema,
    await readJson(ctx.req, ctx.app.config.bodyLimitBytes, CountTokensRequestSchema),
  );
  const req = countTokensRequest(wire);
  const id = catalogIdForNative(ctx.app.catalog, (req.model ?? '').split(':')[0], 'anthropic');
  const model = ctx.app.catalog.get(id);
  if (!model) throw notFound(`Model "${req.model}" not found. See GET /v1/models.`, 'model_not_found');
  const n = countChatPromptTokens(req.messages, model.architecture.tokenizer, req.tools).tokens;
  sendJson(ctx.res, 200, { input_tokens: n });
}

export const messageRoutes: Route[] = [
  inboundRoute('/v1/messages', MessagesRequestSchema, messagesAdapter, 'anthropic'),
  {
    method: 'POST',
    path: '/v1/messages/count_tokens',
    auth: 'user',
    errorBody: errorShape(messagesAdapter),
    handler: countTokens,
  },
];
