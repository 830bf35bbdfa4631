// Reasoning plan → Anthropic extended thinking (`thinking:{type:"enabled", budget_tokens}`) and the
// `max_tokens` that must accompany it. Rules from the API: budget_tokens ≥ 1024 and budget_tokens < max_tokens
// (spec: ThinkingConfigEnabled; https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking).
import type { BuildContext } from '../types.js';

export const MIN_THINKING_BUDGET = 1024;

/** Share of max_tokens spent on thinking per effort (OpenRouter's documented ratios). */
const EFFORT_SHARE = { low: 0.2, medium: 0.5, high: 0.8 } as const;

export interface ThinkingPlan {
  /** null when thinking is not requested, or cannot fit in the endpoint's output limit */
  thinking: { type: 'enabled'; budget_tokens: number } | null;
  maxTokens: number;
}

export function planThinking(ctx: BuildContext): ThinkingPlan {
  const plan = ctx.reasoning;
  let maxTokens = ctx.maxTokens;
  if (!plan?.enabled) return { thinking: null, maxTokens };

  const limit = ctx.target.endpoint.max_completion_tokens > 0 ? ctx.target.endpoint.max_completion_tokens : Infinity;
  const share = EFFORT_SHARE[plan.effort ?? 'medium'];
  let budget = plan.max_tokens ?? Math.floor(maxTokens * share);
  budget = Math.max(MIN_THINKING_BUDGET, budget);

  if (budget >= maxTokens) {
    // Keep room for the answer itself: what the client asked for, else a modest 1024 tokens.
    const answer = ctx.maxTokensExplicit ? ctx.maxTokens : 1024;
    maxTokens = Math.min(budget + answer, limit);
    // The endpoint cannot take that much: shrink the budget instead of exceeding its output limit.
    if (budget >= maxTokens) budget = Math.max(MIN_THINKING_BUDGET, maxTokens - answer);
    if (budget >= maxTokens) budget = maxTokens - 1;
    if (budget < MIN_THINKING_BUDGET) return { thinking: null, maxTokens: ctx.maxTokens };
  }
  return { thinking: { type: 'enabled', budget_tokens: budget }, maxTokens };
}
