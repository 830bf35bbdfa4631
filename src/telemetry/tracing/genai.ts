// Names and values of the OpenTelemetry GenAI semantic conventions (semantic-conventions 1.45; the gen_ai.*
// attributes are "development" status there, so they are spelled out here rather than imported from the
// package's incubating entry point, which would load 180 KB per process for a dozen strings).
import type { ChatRequest } from '../../protocol/chat-request.js';

export const GEN_AI = {
  operation: 'gen_ai.operation.name',
  // gen_ai.system was replaced by gen_ai.provider.name (semconv 1.37)
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  maxTokens: 'gen_ai.request.max_tokens',
  temperature: 'gen_ai.request.temperature',
  topP: 'gen_ai.request.top_p',
  stream: 'gen_ai.request.stream',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheWriteTokens: 'gen_ai.usage.cache_creation.input_tokens',
  reasoningTokens: 'gen_ai.usage.reasoning.output_tokens',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
} as const;

/** catalog provider id → the convention's well-known gen_ai.provider.name; others are sent as ARouter's id */
const WELL_KNOWN: Record<string, string> = {
  google: 'gcp.gemini',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};

export function providerName(id: string): string {
  return WELL_KNOWN[id] ?? id;
}

interface Part {
  type: string;
  content?: string;
  id?: string;
  name?: string;
  arguments?: string;
  result?: string;
}

/**
 * The request's messages in the conventions' input-messages shape (role + parts), as a JSON string (allowed on
 * spans). Only built when the operator turned content capture on. Media are named by type, not copied.
 */
export function inputMessages(req: ChatRequest): string {
  const out = req.messages.map((m) => {
    const parts: Part[] = [];
    const c = m.content;
    if (typeof c === 'string') parts.push({ type: 'text', content: c });
    else if (Array.isArray(c))
      for (const p of c) parts.push(p.type === 'text' ? { type: 'text', content: p.text } : { type: p.type });
    if (m.role === 'assistant' && m.tool_calls)
      for (const t of m.tool_calls)
        parts.push({ type: 'tool_call', id: t.id, name: t.function.name, arguments: t.function.arguments });
    // a tool's answer is one part: the call it answers and its text
    if (m.role === 'tool')
      return { role: 'tool', parts: [{ type: 'tool_call_response', id: m.tool_call_id, result: parts[0]?.content }] };
    return { role: m.role, parts };
  });
  return JSON.stringify(out);
}

export function outputMessages(text: string, reasoning: string, finish: string | null): string {
  const parts: Part[] = [];
  if (reasoning) parts.push({ type: 'reasoning', content: reasoning });
  parts.push({ type: 'text', content: text });
  return JSON.stringify([{ role: 'assistant', parts, finish_reason: finish ?? 'stop' }]);
}
