// Reasoning plan → Anthropic extended thinking (`thinking:{type:"enabled", budget_tokens}`) and the
// `max_tokens` that must accompany it. Rules from the API: budget_tokens ≥ 1024 and budget_tokens < max_tokens
// (spec: ThinkingConfigEnabled; https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking).
import type { BuildContext } from '../types.js';
import type { Block } from './content.js';
import type { Turn } from './messages.js';

export const MIN_THINKING_BUDGET = 1024;

/** Share of max_tokens spent on thinking per effort (OpenRouter's documented ratios). */
const EFFORT_SHARE = { minimal: 0.1, low: 0.2, medium: 0.5, high: 0.8, xhigh: 0.95 } as const;

export interface ThinkingPlan {
  /** null when thinking is not requested, or cannot fit in the endpoint's output limit */
  thinking: { type: 'enabled'; budget_tokens: number } | null;
  maxTokens: number;
}

/**
 * max_tokens when the client gave none. Anthropic requires one, and the endpoint's own maximum (64000 for Sonnet
 * 4.5, with a 51,200-token thinking budget at high effort) is a call that runs past ARouter's 300 s deadline: at
 * the ~40-80 output tokens/s Claude models stream, 64000 tokens take 13-27 minutes, 8192 take 100-200 s. An
 * explicit thinking budget is the client asking for that much thinking, so the answer gets 8192 on top of it.
 */
export const DEFAULT_MAX_TOKENS = 8192;

export function outputCap(ctx: BuildContext): number {
  if (ctx.maxTokensExplicit) return ctx.maxTokens;
  const budget = ctx.reasoning?.enabled ? (ctx.reasoning.max_tokens ?? 0) : 0;
  return Math.min(ctx.maxTokens, budget + DEFAULT_MAX_TOKENS);
}

export function planThinking(ctx: BuildContext): ThinkingPlan {
  const plan = ctx.reasoning;
  const maxTokens = outputCap(ctx);
  if (!plan?.enabled) return { thinking: null, maxTokens };
  // max_tokens is never raised to make room for thinking: it is the output cap the request was planned,
  // reserved and billed against (thinking tokens are output tokens). The budget is carved out of it.
  const share = EFFORT_SHARE[plan.effort ?? 'medium'];
  const budget = Math.min(
    Math.max(MIN_THINKING_BUDGET, plan.max_tokens ?? Math.floor(maxTokens * share)),
    maxTokens - 1,
  );
  // Too small for Anthropic's minimum budget (max_tokens ≤ 1024): answer without thinking.
  if (budget < MIN_THINKING_BUDGET) return { thinking: null, maxTokens };
  return { thinking: { type: 'enabled', budget_tokens: budget }, maxTokens };
}

const isThinking = (b: Block) => b.type === 'thinking' || b.type === 'redacted_thinking';

/**
 * Two API rules about replayed thinking, both seen as 400s in public issue threads
 * (e.g. OpenRouterTeam/ai-sdk-provider#162, tailcallhq/forgecode#1853):
 *  - with thinking on, "a final assistant message must start with a thinking block (preceding the
 *    lastmost set of tool_use and tool_result blocks) … To avoid this requirement, disable thinking".
 *    Most OpenAI clients do not echo reasoning_details, so in that case we turn thinking off for this
 *    request rather than fail it (LiteLLM does the same under modify_params);
 *  - with thinking off, "an assistant message in the final position cannot contain thinking": such
 *    blocks are stripped from a trailing (prefill) assistant turn.
 */
export function reconcileThinking(plan: ThinkingPlan, turns: Turn[], ctx: BuildContext): ThinkingPlan {
  if (plan.thinking) {
    const lastAssistant = [...turns].reverse().find((t) => t.role === 'assistant');
    const inToolLoop = lastAssistant?.content.some((b) => b.type === 'tool_use') ?? false;
    if (!inToolLoop || (lastAssistant && isThinking(lastAssistant.content[0]))) return plan;
    plan = { thinking: null, maxTokens: outputCap(ctx) };
  }
  const last = turns[turns.length - 1];
  if (last?.role === 'assistant' && last.content.some(isThinking)) {
    last.content = last.content.filter((b) => !isThinking(b));
    if (last.content.length === 0) turns.pop();
  }
  return plan;
}
