// POST /v1/responses (OpenAI Responses API, for the openai SDK's responses.* and Codex) for every catalog model.
// ARouter stores no responses: see src/inbound/responses/ for what is refused and why.
import type { Route } from '../context.js';
import { ResponsesRequestSchema } from '../../protocol/responses-request.js';
import { ignoredToolsHeaders, responsesAdapter } from '../../inbound/responses/index.js';
import { inboundRoute } from './inbound.js';

export const responseRoutes: Route[] = [
  inboundRoute('/v1/responses', ResponsesRequestSchema, responsesAdapter, 'openai', ignoredToolsHeaders),
];
