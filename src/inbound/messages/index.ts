// The Anthropic Messages API (POST /v1/messages, /v1/messages/count_tokens) as an inbound adapter: any catalog
// model answers Anthropic's SDK and Claude Code through the one request pipeline.
import type { InboundAdapter } from '../../protocol/inbound.js';
import type { MessagesRequest } from '../../protocol/messages-request.js';
import { errorBody } from './errors.js';
import { toChat } from './request.js';
import { complete } from './response.js';
import { messagesStream } from './stream.js';

export { countTokensRequest } from './request.js';
export { generationId } from './answer.js';

export const messagesAdapter: InboundAdapter<MessagesRequest> = {
  toChat,
  complete,
  stream: messagesStream,
  errorBody,
  // `adaptive` leaves thinking to the model; an explicit budget is a requirement
  softReasoning: (wire) => wire.thinking?.type !== 'enabled',
  maxTokensIsCeiling: true,
};
