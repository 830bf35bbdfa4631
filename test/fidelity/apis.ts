// One driver per inbound API for the fidelity matrix. The parsers assert the API-specific shape as they read
// (Messages: tool_use blocks and stop_reason tool_use; Responses: function_call items and the event sequence;
// Chat: tool_calls and finish_reason), so every cell checks its API's shape, whatever feature it tests.
import type { Api } from './cases.js';
import type { ApiDriver } from './answer.js';
import { chat } from './api-chat.js';
import { messages } from './api-messages.js';
import { responses } from './api-responses.js';

export const DRIVERS: Record<Api, ApiDriver> = { chat, messages, responses };
