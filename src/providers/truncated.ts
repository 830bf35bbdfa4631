// The error for a stream the upstream ended cleanly (FIN, complete chunked body) before its final event.
// Without it a cut answer would look whole: the translators used to invent finish_reason "stop" (and Anthropic
// billed message_start's provisional output_tokens: 1). Each dialect decides what "final" means (see its
// stream.ts); all of them report the cut the same way, like a mid-stream TCP reset: 502, retryable (another
// endpoint may answer whole, so before the first content the router falls back), no usage (what was
// delivered is counted locally), and a failure for the endpoint's health.
import type { StreamEvent, UpstreamError } from './types.js';
import { upstreamError } from './upstream-error.js';

export function truncatedStreamError(provider: string): UpstreamError {
  return upstreamError.truncated(provider);
}

export const truncatedStream = (provider: string): StreamEvent[] => [
  { type: 'error', error: truncatedStreamError(provider) },
];
