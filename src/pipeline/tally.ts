// What a request's answer amounted to, as it was delivered: the text (for local counting when the upstream
// reports no usage), usage, finish, error and first-token time. Final tokens and cost are computed once, when the
// answer ends, and reused by settlement so the client and the ledger see the same numbers.
import type { FinishReason, NormalizedUsage, UpstreamError } from '../protocol/chat-result.js';
import { finalUsage, type FinalUsage, type GeneratedText } from '../accounting/usage.js';
import type { RouteAttempt } from '../routing/index.js';

export interface Tally {
  text: GeneratedText;
  usage: NormalizedUsage | null;
  finish: FinishReason | null;
  native: string | null;
  error: UpstreamError | null;
  firstTokenAt: number | null;
  /** some content reached the client (kept here so a stream that throws midway is still billed for it) */
  delivered: boolean;
  /** tokens and cost, once computed for the answer (reused by settle, so local counting runs once) */
  final: FinalUsage | null;
  /** the provider's own id of the answer, when it gives one */
  upstreamId: string | null;
  /** the ledger has the row already (added before the answer's last bytes, so the journal holds it) */
  recorded: boolean;
}

export function newTally(): Tally {
  return {
    text: { content: '', reasoning: '', tools: '' },
    usage: null,
    finish: null,
    native: null,
    error: null,
    firstTokenAt: null,
    delivered: false,
    final: null,
    upstreamId: null,
    recorded: false,
  };
}

/** Final tokens and cost of what the tally holds; memoised, so settle() reuses what the client was shown. */
export function computeFinal(a: RouteAttempt, tally: Tally): FinalUsage {
  return (tally.final ??= finalUsage({
    upstream: tally.usage,
    promptTokens: () => a.promptTokens,
    inputImages: a.inputImages,
    generated: tally.text,
    tokenizer: a.model.architecture.tokenizer,
    maxTokens: a.maxTokens,
    pricing: a.endpoint.pricing,
    delivered: tally.delivered,
  }));
}
