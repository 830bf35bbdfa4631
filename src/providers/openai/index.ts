// The `openai` dialect: OpenAI and every OpenAI-compatible provider (DeepSeek, Mistral, Groq, Together,
// Fireworks, DeepInfra, xAI, Alibaba DashScope, Cerebras, Ollama, vLLM, ...). Provider differences live in
// quirks.ts (request side) and normalize.ts (response side).
import type { DialectAdapter } from '../types.js';
import { buildEmbeddingsRequest, parseEmbeddingsResponse } from './embeddings.js';
import { mapOpenAIError } from './errors.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { createStreamTranslator } from './stream.js';

export const openaiDialect: DialectAdapter = {
  id: 'openai',
  buildChatRequest,
  parseChatResponse,
  createStreamTranslator,
  // The interface passes no provider, so messages say "Upstream provider: …"; callers that know the provider
  // can call mapOpenAIError(status, body, headers, provider.name) for "DeepSeek: …".
  mapError: (status, bodyText, headers) => mapOpenAIError(status, bodyText, headers),
  buildEmbeddingsRequest,
  parseEmbeddingsResponse,
};

export { mapOpenAIError, UpstreamResponseError } from './errors.js';
export { mistralToolCallId } from './messages.js';
