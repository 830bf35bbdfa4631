// Pieces of the simulated OpenAI answer: usage (with generated image / audio tokens), finish reasons,
// deterministic logprobs, tool calls and streamed audio pieces.
import { approxTokens, splitFragments, splitWords, stableId, type ReplyPlan } from './content.js';
import type { StreamFrame } from './server.js';

type Obj = Record<string, unknown>;

export function usageOf(
  plan: ReplyPlan,
  promptTokens: number,
  cached: number,
  n: number,
  media: { imageTokens: number; audioTokens: number },
  /** audio the prompt carried, as OpenAI reports it */
  audioIn = 0,
): Obj {
  const completion = (plan.completionTokens + media.imageTokens + media.audioTokens) * n;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: audioIn },
    completion_tokens_details: {
      reasoning_tokens: plan.reasoningTokens * n,
      audio_tokens: media.audioTokens * n,
      // OpenRouter's field for generated images (OpenAI's spec has none)
      ...(media.imageTokens > 0 ? { image_tokens: media.imageTokens * n } : {}),
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export const FINISH: Record<ReplyPlan['finish'], string> = {
  stop: 'stop',
  stop_sequence: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
};

/** Deterministic logprobs for `text` (one entry per ~word), when the request asked for them. */
export function logprobsFor(text: string, top: number): Obj {
  const content = (text.match(/\s*\S+|\s+$/g) ?? []).map((token, i) => {
    const logprob = -0.01 * ((i % 7) + 1);
    const bytes = [...Buffer.from(token, 'utf8')];
    const alts = Array.from({ length: top }, (_, k) =>
      k === 0
        ? { token, logprob, bytes }
        : { token: `${token}${k}`, logprob: logprob - k, bytes: [...Buffer.from(`${token}${k}`, 'utf8')] },
    );
    return { token, logprob, bytes, top_logprobs: alts };
  });
  return { content, refusal: null };
}

export function toolCallsOut(
  plan: ReplyPlan,
  seed: string,
): Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> {
  return plan.toolCalls.map((c, i) => ({
    id: `call_${stableId(`${seed}:${i}`)}`,
    type: 'function',
    function: { name: c.name, arguments: c.json },
  }));
}

/** OpenAI streams audio as delta.audio pieces: the id, transcript fragments, the data in parts, then expires_at */
export function audioFrames(audio: Obj, frame: (d: Obj) => string): StreamFrame[] {
  const frames: StreamFrame[] = [{ data: frame({ audio: { id: audio.id } }) }];
  for (const p of splitWords(String(audio.transcript)))
    frames.push({ data: frame({ audio: { transcript: p } }), tokens: approxTokens(p) });
  for (const d of splitFragments(String(audio.data), 3)) frames.push({ data: frame({ audio: { data: d } }) });
  frames.push({ data: frame({ audio: { expires_at: audio.expires_at } }) });
  return frames;
}
