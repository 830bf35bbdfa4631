// POST /v1/chat/completions: the canonical API. Validates, then runs the one request pipeline
// (src/pipeline/chat.ts) with the Chat Completions sink.
import type { AuthedContext, Route } from '../context.js';
import { HttpError } from '../errors.js';
import { outputModalityProblem } from '../../protocol/output-modalities.js';
import { readJson } from '../body.js';
import { validate } from '../validate.js';
import { ChatRequestSchema } from '../../protocol/chat-request.js';
import { runChat } from '../../pipeline/chat.js';
import { ChatSink } from '../sinks/chat.js';

async function chatCompletions(ctx: AuthedContext): Promise<void> {
  const body = await readJson(ctx.req, ctx.app.config.bodyLimitBytes, ChatRequestSchema);
  const req = validate(ChatRequestSchema, body);
  if (req.reasoning_effort && req.reasoning?.effort && req.reasoning.effort !== req.reasoning_effort) {
    throw new HttpError(
      400,
      'reasoning_effort and reasoning.effort disagree; send one of them',
      'invalid_request_error',
      'invalid_request',
      'reasoning_effort',
    );
  }
  const outputProblem = outputModalityProblem(req);
  if (outputProblem) throw outputProblem;
  await runChat(ctx.app.env, ctx, req, new ChatSink(ctx.res, req.stream === true));
}

export const chatRoutes: Route[] = [
  { method: 'POST', path: '/v1/chat/completions', auth: 'user', handler: chatCompletions },
];
