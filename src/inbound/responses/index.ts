// The OpenAI Responses API (POST /v1/responses) on the one pipeline: any catalog model answers it.
import type { InboundAdapter } from '../../protocol/inbound.js';
import type { ResponsesRequest } from '../../protocol/responses-request.js';
import { completeResponse } from './complete.js';
import { errorBody } from './errors.js';
import { toChat } from './request.js';
import { ResponsesStreamEncoder } from './stream.js';

export const responsesAdapter: InboundAdapter<ResponsesRequest> = {
  toChat,
  complete: (result, info, usage, wire) => completeResponse(result, info, usage, wire),
  stream: (wire) => new ResponsesStreamEncoder(wire),
  errorBody,
  // an effort alone is a preference (Codex sends one to every model); ARouter's enabled / max_tokens require it
  softReasoning: (wire) => {
    const r = wire.reasoning as { enabled?: unknown; max_tokens?: unknown } | null | undefined;
    return r?.enabled !== true && r?.max_tokens === undefined;
  },
};

export { generationIdOf, responseId } from './ids.js';
export { ignoredToolsHeaders, IGNORED_TOOLS_HEADER } from './tools.js';
