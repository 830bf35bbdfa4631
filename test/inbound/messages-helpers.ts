// Shared by the Messages inbound adapter tests: answer info and usage, SSE framing, and the Anthropic SDK's
// own stream parser run on an encoded stream (a fetch that answers with the text).
import Anthropic from '@anthropic-ai/sdk';
import type { AnswerInfo, AnswerUsage } from '../../src/protocol/inbound.js';

export const info: AnswerInfo = { id: 'gen-1a2b3c', created: 1700000000, model: 'openai/gpt-5', provider: 'openai' };

export function usage(over: Partial<AnswerUsage> = {}): AnswerUsage {
  return {
    prompt_tokens: 1000,
    completion_tokens: 200,
    reasoning_tokens: 50,
    cached_read_tokens: 600,
    cache_write_tokens: 100,
    cost: 0.0042,
    estimated: false,
    ...over,
  };
}

/** `event:` + `data:` frames → [event name, parsed data]. */
export function frames(sse: string): [string, any][] {
  return sse
    .split('\n\n')
    .filter((f) => f.trim() !== '')
    .map((f) => {
      const lines = f.split('\n');
      assert(lines.length === 2 && lines[0].startsWith('event: ') && lines[1].startsWith('data: '), f);
      return [lines[0].slice(7), JSON.parse(lines[1].slice(6))];
    });
}

function assert(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`bad SSE frame: ${what}`);
}

function client(body: string, contentType: string, status = 200): Anthropic {
  return new Anthropic({
    apiKey: 'sk-test',
    baseURL: 'http://arouter.test',
    maxRetries: 0,
    fetch: async () => new Response(body, { status, headers: { 'content-type': contentType } }),
  });
}

/** What the Anthropic SDK's MessageStream accumulates from an SSE body. */
export function sdkFinalMessage(sse: string): Promise<Anthropic.Message> {
  return client(sse, 'text/event-stream')
    .messages.stream({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
    .finalMessage();
}

/** What the SDK throws for an error body with that status. */
export async function sdkError(status: number, body: unknown): Promise<unknown> {
  try {
    await client(JSON.stringify(body), 'application/json', status).messages.create({
      model: 'm',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
