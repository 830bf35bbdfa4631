// The `openai-responses` dialect: OpenAI's own Responses API (POST {base_url}/responses), for requests that came in
// on ARouter's /v1/responses and were planned to a provider whose catalog entry says `responses_api: true`. The
// client's request reaches OpenAI as it was sent (BuildContext.native); the answer comes back as the canonical
// ChatResult / StreamEvents like every other dialect's, so fallbacks, accounting and the Responses encoder are
// unchanged. Errors have OpenAI's shape: the chat dialect's reading of them serves.
import type { DialectAdapter } from '../types.js';
import { mapOpenAIError } from '../openai/errors.js';
import { buildResponsesRequest } from './request.js';
import { parseResponsesResponse } from './response.js';
import { createResponsesStreamTranslator } from './stream.js';

export const openaiResponsesDialect: DialectAdapter = {
  id: 'openai',
  buildChatRequest: buildResponsesRequest,
  parseChatResponse: parseResponsesResponse,
  createStreamTranslator: createResponsesStreamTranslator,
  mapError: (status, bodyText, headers, providerName) => mapOpenAIError(status, bodyText, headers, providerName),
};
