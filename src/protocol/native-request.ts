// The client's own Responses request, carried beside the canonical request for the one dialect that speaks the
// same API upstream (OpenAI's /v1/responses, src/providers/openai-responses/). Every other dialect builds from the
// canonical fields and never sees it; the canonical request stays the source of truth for routing, fallbacks and
// accounting. Keyed by a symbol so that no JSON body (a chat client's extra fields included) can forge one.
import type { ChatRequest } from './chat-request.js';

/** what the Responses inbound adapter hands the Responses dialect */
export interface NativeResponses {
  /**
   * the client's body as OpenAI may receive it: only CreateResponse fields (ARouter's own — model, models,
   * provider, store, stream, reasoning max_tokens / exclude / enabled, cache_control — removed), the hosted tools
   * ARouter drops removed, ARouter's reasoning carries (`arouter.v1.…`) unwrapped to OpenAI's own reasoning items
   */
  readonly body: Readonly<Record<string, unknown>>;
  /** the canonical name of a call the model made (namespace tools are flattened in the canonical request) */
  toolName(name: string, namespace: string | undefined): string;
  /** a custom tool call's free-text input → the canonical call's JSON arguments */
  customArguments(input: string): string;
}

const NATIVE = Symbol('arouter.native-responses');

type Carrier = ChatRequest & { [NATIVE]?: NativeResponses };

export function attachNativeResponses(req: ChatRequest, native: NativeResponses): void {
  // not enumerable: copies and deep comparisons of the canonical request see only its wire fields
  Object.defineProperty(req, NATIVE, { value: native, enumerable: false, writable: true, configurable: true });
}

/** the Responses request a canonical request came from, when it came through the Responses API */
export function nativeResponsesOf(req: ChatRequest): NativeResponses | undefined {
  return (req as Carrier)[NATIVE];
}

/** the format tag of OpenAI's own reasoning state in canonical `reasoning_details` (OpenRouter's name for it) */
export const OPENAI_RESPONSES_REASONING_FORMAT = 'openai-responses-v1';
