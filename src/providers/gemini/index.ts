// The `gemini` dialect: Google's Generative Language API v1beta (generateContent, streamGenerateContent
// with alt=sse, embedContent / batchEmbedContents). ProviderDef.base_url is ".../v1beta".
import type { DialectAdapter } from '../types.js';
import { buildEmbeddingsRequest, parseEmbeddingsResponse } from './embeddings.js';
import { mapError } from './errors.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { createStreamTranslator } from './stream.js';

export const geminiDialect: DialectAdapter = {
  id: 'gemini',
  buildChatRequest,
  parseChatResponse,
  createStreamTranslator,
  mapError,
  buildEmbeddingsRequest,
  parseEmbeddingsResponse,
};
