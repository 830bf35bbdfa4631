// POST /v1/embeddings: validates, then runs the embeddings pipeline (src/pipeline/embeddings.ts).
import type { AuthedContext, Route } from '../context.js';
import { readJson } from '../body.js';
import { sendJson } from '../respond.js';
import { validate } from '../validate.js';
import { EmbeddingsRequestSchema } from '../../protocol/chat-request.js';
import { runEmbeddings } from '../../pipeline/embeddings.js';

async function embeddings(ctx: AuthedContext): Promise<void> {
  const { app } = ctx;
  const req = validate(
    EmbeddingsRequestSchema,
    await readJson(ctx.req, app.config.bodyLimitBytes, EmbeddingsRequestSchema),
  );
  await runEmbeddings(app.env, ctx, req, (body, headers) => sendJson(ctx.res, 200, body, headers));
}

export const embeddingRoutes: Route[] = [{ method: 'POST', path: '/v1/embeddings', auth: 'user', handler: embeddings }];
