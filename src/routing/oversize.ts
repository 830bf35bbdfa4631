// A request no endpoint could take because of its own size — max_tokens above every endpoint's output limit,
// a prompt beyond every context window — is the client's to fix: a 400 naming the parameter and the largest
// limit on offer (OpenAI's `context_length_exceeded` for the context), not a 503 that invites retrying the
// same request. Only when EVERY candidate endpoint fell for size: when some fell for health or a client
// preference, the request itself may be fine, and the planner keeps its 503.
import type { EndpointDef } from '../catalog/types.js';
import type { DropReason } from './filters.js';
import type { RequestFeatures } from './features.js';

export const SIZE_REASONS: ReadonlySet<DropReason> = new Set<DropReason>(['context_length', 'max_tokens']);

export interface Oversize {
  code: 'max_tokens_exceeded' | 'context_length_exceeded';
  param: string;
  message: string;
  /** the limit the message names (largest output limit or largest context), to compare models */
  limit: number;
}

/** `endpoints` are the candidates that fell for size; `subject` names them ("acme/model", "any model"). */
export function oversize(f: RequestFeatures, endpoints: readonly EndpointDef[], subject: string): Oversize {
  let maxOutput = 0;
  let context = 0;
  for (const e of endpoints) {
    if (e.max_completion_tokens > maxOutput) maxOutput = e.max_completion_tokens;
    if (e.context_length > context) context = e.context_length;
  }
  const out = f.maxOutputTokens;
  const param = f.maxOutputParam;
  // an output limit no endpoint has is the one thing to fix, whatever the prompt (and needs no token count)
  if (out !== null && out > maxOutput) {
    return {
      code: 'max_tokens_exceeded',
      param,
      message: `${param} ${out} is above the largest output limit of ${subject}: ${maxOutput} tokens`,
      limit: maxOutput,
    };
  }
  const prompt = f.prompt.exact;
  const need = out === null ? `${prompt} prompt tokens` : `${prompt} prompt tokens + ${out} ${param}`;
  return {
    code: 'context_length_exceeded',
    param: out !== null && prompt < context ? param : 'messages',
    message: `The request does not fit the largest context of ${subject}: ${context} tokens < ${need}`,
    limit: context,
  };
}
