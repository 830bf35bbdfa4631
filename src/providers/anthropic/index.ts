// The `anthropic` dialect: OpenAI Chat Completions ⇄ Anthropic Messages API (POST {base_url}/v1/messages).
// No embeddings API exists for this dialect, so buildEmbeddingsRequest is left undefined.
import type { DialectAdapter } from '../types.js';
import { mapError } from './errors.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { AnthropicStreamTranslator } from './stream.js';

export const anthropicDialect: DialectAdapter = {
  id: 'anthropic',
  buildChatRequest,
  parseChatResponse,
  createStreamTranslator: (ctx) => new AnthropicStreamTranslator(ctx),
  mapError,
};
