// POST /v1/route: the dry run. Takes a chat request body and returns the plan — ordered endpoints, the
// expected cost range, why each endpoint was kept or dropped — without calling any upstream.
import type { AuthedContext, Route } from '../context.js';
import { readJson } from '../body.js';
import { sendJson } from '../respond.js';
import { validate } from '../validate.js';
import { ChatRequestSchema } from '../../protocol/chat-request.js';
import { formatUsd } from '../../accounting/money.js';
import { summarizeRoute } from '../../routing/index.js';
import { planChat } from '../../pipeline/chat.js';

async function dryRun(ctx: AuthedContext): Promise<void> {
  const req = validate(ChatRequestSchema, await readJson(ctx.req, ctx.app.config.bodyLimitBytes, ChatRequestSchema));
  const plan = planChat(ctx.app.env, ctx, req);
  const expected = plan.attempts.map((a) => a.expectedCostPusd);
  const worst = plan.attempts.map((a) => a.worstCasePusd);
  const min = (xs: bigint[]) => xs.reduce((m, x) => (x < m ? x : m));
  const max = (xs: bigint[]) => xs.reduce((m, x) => (x > m ? x : m));
  sendJson(ctx.res, 200, {
    data: {
      summary: summarizeRoute(plan.explanation),
      attempts: plan.attempts.map((a, i) => ({
        order: i + 1,
        model: a.model.id,
        provider: a.provider.id,
        provider_model: a.endpoint.model,
        variant: a.variant,
        reasoning: a.reasoning,
        prompt_tokens: a.promptTokens,
        max_tokens: a.maxTokens,
        expected_cost: formatUsd(a.expectedCostPusd),
        worst_case_cost: formatUsd(a.worstCasePusd),
        circuit: ctx.app.health.status(a.endpointKey),
      })),
      expected_cost_range: {
        min: formatUsd(min(expected)),
        max: formatUsd(max(expected)),
        worst_case: formatUsd(max(worst)),
      },
      explanation: plan.explanation,
    },
  });
}

export const routeRoutes: Route[] = [{ method: 'POST', path: '/v1/route', auth: 'user', handler: dryRun }];
