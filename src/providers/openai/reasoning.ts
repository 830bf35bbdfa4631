// ReasoningPlan → OpenAI's `reasoning_effort`. The catalog's ModelDef.reasoning decides, because sending the
// field to a model that does not take it is a 400 on several upstreams:
// - reasoning === null: the catalog says the model does not reason (gpt-4o & co. answer 400) → send nothing.
// - supported_efforts empty: the model reasons (or not) without an effort knob; xAI answers 400 "Model does
//   not support parameter reasoningEffort" for grok-4 / grok-code-fast-1
//   (github.com/acedergren/opencode-oci-provider/releases/tag/v0.2.3); DeepSeek R1 hosts ignore it → nothing.
// - supported_efforts listed: the requested effort, snapped to the nearest listed one (grok-3-mini only
//   knows low/high).
// - reasoning undefined (operator-defined model the catalog knows nothing about, e.g. on Ollama/vLLM): send
//   the effort as asked; Ollama, vLLM, Groq and DeepSeek accept or ignore it.
// Disabling (enabled:false, effort "none") sends "none" or "minimal" where the model lists one: a mandatory
// reasoner that lists "minimal" (gpt-5) gets the closest it has to off; one that lists neither (o-series, R1)
// cannot be turned down, so nothing is sent and it reasons at its default.
import type { BuildContext } from '../types.js';
import type { Quirks } from './quirks.js';

const ORDER = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

/** A thinking budget without an effort: OpenAI-style upstreams only take an effort, so bucket the budget. */
function effortFromBudget(budget: number): string {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

function snap(wanted: string, supported: string[], preferred: string | null): string {
  if (supported.includes(wanted)) return wanted;
  const w = ORDER.indexOf(wanted);
  let bestDist = Infinity;
  let nearest: string[] = [];
  for (const s of supported) {
    const i = ORDER.indexOf(s);
    if (i < 0 || s === 'none') continue;
    const d = Math.abs(i - w);
    if (d < bestDist) [bestDist, nearest] = [d, [s]];
    else if (d === bestDist) nearest.push(s);
  }
  if (nearest.length === 0) return preferred ?? wanted;
  // on a tie (medium between low and high) the model's default effort wins, else the higher one
  if (preferred !== null && nearest.includes(preferred)) return preferred;
  return nearest.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a));
}

export function reasoningEffort(ctx: BuildContext): string | undefined {
  const plan = ctx.reasoning;
  if (!plan) return undefined;
  const info = ctx.target.model.reasoning;
  if (info === null) return undefined;
  if (!plan.enabled) {
    if (!info) return undefined;
    if (info.supported_efforts.includes('none')) return 'none';
    if (info.supported_efforts.includes('minimal')) return 'minimal';
    return undefined;
  }
  const wanted = plan.effort ?? (plan.max_tokens != null ? effortFromBudget(plan.max_tokens) : 'medium');
  if (info === undefined) return wanted;
  if (info.supported_efforts.length === 0) return undefined;
  return snap(wanted, info.supported_efforts, info.default_effort);
}

/**
 * DashScope's own switch for hybrid (non-mandatory) Qwen3 models: streams follow the plan (nothing when the
 * client did not ask: the model default applies); non-stream calls must send false, thinking is stream-only.
 */
export function dashscopeThinking(
  ctx: BuildContext,
  q: Quirks,
): { enable_thinking?: boolean; thinking_budget?: number } {
  const info = ctx.target.model.reasoning;
  if (!q.enableThinking || !info || info.mandatory) return {};
  if (!ctx.stream) return { enable_thinking: false };
  const plan = ctx.reasoning;
  if (!plan) return {};
  if (!plan.enabled) return { enable_thinking: false };
  return plan.max_tokens != null
    ? { enable_thinking: true, thinking_budget: plan.max_tokens }
    : { enable_thinking: true };
}
