// The `openai` dialect: OpenAI and every OpenAI-compatible provider (DeepSeek, Mistral, Groq, Together,
// Fireworks, DeepInfra, xAI, Alibaba DashScope, Cerebras, Ollama, vLLM, ...). Provider differences live in
// quirks.ts (request side) and normalize.ts (response side).
import type { DialectAdapter } from '../types.js';
import { buildEmbeddingsRequest, parseEmbeddingsResponse } from './embeddings.js';
import { mapOpenAIError } from './errors.js';
import { streamOnly } from './outputs.js';
import { quirksFor } from './quirks.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { createStreamTranslator } from './stream.js';

export const openaiDialect: DialectAdapter = {
  id: 'openai',
  buildChatRequest,
  parseChatResponse,
  createStreamTranslator,
  streamOnly: (req, ctx) => streamOnly(req, ctx, quirksFor(ctx.target.provider.id)),
  // one dialect, many providers: the caller's provider name makes messages read "DeepSeek: …"
  mapError: (status, bodyText, headers, providerName) => mapOpenAIError(status, bodyText, headers, providerName),
  buildEmbeddingsRequest,
  parseEmbeddingsResponse,
};

export { mapOpenAIError, UpstreamResponseError } from './errors.js';
export { mistralToolCallId } from './messages.js';
