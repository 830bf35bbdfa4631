// The reasoning settings a dialect receives, resolved from the request's three overlapping spellings
// (`reasoning` object, `reasoning_effort`, legacy `include_reasoning`) and the `:thinking` variant.
// null means "send nothing reasoning-related": the model's own default applies, which keeps requests that
// never mention reasoning byte-for-byte what the client would have sent to the provider directly.
import type { ModelDef } from '../catalog/types.js';
import type { ChatRequest } from '../protocol/chat-request.js';
import type { ReasoningPlan } from '../providers/types.js';
import { RoutingError } from './errors.js';
import type { Variant } from './resolve.js';

type Effort = NonNullable<ReasoningPlan['effort']>;

/** What `:thinking` uses when the client gives neither an effort nor a budget. */
export const THINKING_DEFAULT_EFFORT: Effort = 'medium';

export function reasoningPlan(req: ChatRequest, variant: Variant | null, model: ModelDef): ReasoningPlan | null {
  const r = req.reasoning ?? null;
  const objEffort = r?.effort ?? null;
  const shorthand = req.reasoning_effort ?? null;
  // OpenRouter rejects a conflict rather than guessing which one the client meant
  if (objEffort !== null && shorthand !== null && objEffort !== shorthand) {
    throw new RoutingError(
      400,
      'invalid_reasoning',
      `reasoning_effort "${shorthand}" conflicts with reasoning.effort "${objEffort}"`,
      'reasoning_effort',
    );
  }
  const asked = objEffort ?? shorthand;
  // effort "none" is OpenAI's and OpenRouter's spelling of "reasoning off"
  const none = asked === 'none';
  const effort: Effort | null = asked === 'none' ? null : asked;
  const budget = r?.max_tokens ?? null;
  // include_reasoning:false is the legacy spelling of reasoning.exclude:true
  const exclude = r?.exclude ?? (req.include_reasoning === false ? true : false);

  if (variant === 'thinking') {
    // The variant is the client's explicit choice of "reasoning on"; it overrides enabled:false.
    return {
      enabled: true,
      effort: effort ?? (budget !== null && budget > 0 ? null : THINKING_DEFAULT_EFFORT),
      max_tokens: budget !== null && budget > 0 ? budget : null,
      exclude,
    };
  }

  if (r !== null) {
    const off = r.enabled === false || budget === 0 || none;
    return {
      enabled: !off,
      effort: off ? null : effort,
      max_tokens: off || budget === null ? null : budget,
      exclude,
    };
  }
  if (shorthand !== null) return { enabled: !none, effort, max_tokens: null, exclude };
  if (req.include_reasoning === true) return { enabled: true, effort: null, max_tokens: null, exclude: false };
  if (req.include_reasoning === false) {
    // Only meaningful for a model that reasons anyway: keep its default state, hide the text.
    if (model.reasoning == null) return null;
    return { enabled: model.reasoning.mandatory, effort: null, max_tokens: null, exclude: true };
  }
  return null;
}
