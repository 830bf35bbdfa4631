// The Chat Completions driver of the fidelity matrix: OpenAI's chat wire format, chunks with [DONE], the usage chunk.
import assert from 'node:assert/strict';
import { bearer, parseArgs, type Answer, type ApiDriver, type Usage } from './answer.js';

export const chat: ApiDriver = {
  path: '/chat/completions',
  headers: bearer,
  body(ask, history) {
    const messages: any[] = [];
    if (ask.system)
      messages.push({
        role: 'system',
        content: ask.cacheMark
          ? [{ type: 'text', text: ask.system, cache_control: { type: 'ephemeral' } }]
          : ask.system,
      });
    messages.push({
      role: 'user',
      content: ask.image
        ? [
            { type: 'text', text: ask.user },
            { type: 'image_url', image_url: { url: ask.image } },
          ]
        : ask.user,
    });
    if (history) {
      messages.push(history.prev.raw.choices[0].message);
      history.prev.toolCalls.forEach((c, i) =>
        messages.push({ role: 'tool', tool_call_id: c.id, content: history.results[i] }),
      );
    }
    const b: Record<string, unknown> = { model: ask.model, max_tokens: ask.maxTokens ?? 1000, messages };
    if (ask.tools) {
      b.tools = ask.tools.map((t) => ({ type: 'function', function: t }));
      b.parallel_tool_calls = ask.parallel ?? false;
    }
    if (ask.reasoning) b.reasoning = { effort: 'low' };
    if (ask.jsonSchema)
      b.response_format = { type: 'json_schema', json_schema: { name: 'out', schema: ask.jsonSchema, strict: true } };
    if (ask.stream) b.stream = true;
    return b;
  },
  parse(body) {
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.choices.length, 1);
    const c = body.choices[0];
    assert.equal(c.message.role, 'assistant');
    const calls = (c.message.tool_calls ?? []) as any[];
    for (const tc of calls) {
      assert.equal(tc.type, 'function');
      assert.match(tc.id, /\S/);
      assert.equal(typeof tc.function.arguments, 'string');
    }
    assert.equal(c.finish_reason === 'tool_calls', calls.length > 0, `finish_reason ${c.finish_reason}`);
    return {
      text: c.message.content ?? '',
      reasoning: c.message.reasoning ?? '',
      toolCalls: calls.map((tc) => ({ id: tc.id, name: tc.function.name, args: parseArgs(tc.function.arguments) })),
      finish: chatFinish(c.finish_reason),
      usage: chatUsage(body.usage),
      error: null,
      raw: body,
    };
  },
  reader() {
    const chunks: any[] = [];
    let text = '';
    let reasoning = '';
    const calls = new Map<number, { id: string; name: string; args: string }>();
    let finish: string | null = null;
    let usage: any = null;
    let error: any = null;
    let done = false;
    return {
      push(ev) {
        assert.equal(ev.event, null, 'chat chunks are unnamed events');
        assert.ok(!done, 'nothing after [DONE]');
        if (ev.data === '[DONE]') {
          done = true;
          return '';
        }
        const c = JSON.parse(ev.data);
        if (chunks.length) assert.equal(c.id, chunks[0].id, 'every chunk carries the completion id');
        chunks.push(c);
        assert.equal(c.object, 'chat.completion.chunk');
        if (c.error) error = c.error;
        if (c.usage) usage = c.usage;
        const ch = c.choices?.[0];
        if (!ch) return '';
        if (ch.finish_reason) finish = ch.finish_reason;
        reasoning += ch.delta?.reasoning ?? '';
        for (const tc of ch.delta?.tool_calls ?? []) {
          const cur = calls.get(tc.index) ?? { id: '', name: '', args: '' };
          if (tc.id) cur.id = tc.id;
          if (tc.function?.name) cur.name += tc.function.name;
          cur.args += tc.function?.arguments ?? '';
          calls.set(tc.index, cur);
        }
        const piece = ch.delta?.content ?? '';
        text += piece;
        return piece;
      },
      finish() {
        assert.ok(done, 'the stream ends with data: [DONE]');
        const toolCalls = [...calls.values()].map((c) => ({ id: c.id, name: c.name, args: parseArgs(c.args) }));
        assert.equal(finish === 'tool_calls', toolCalls.length > 0, `finish_reason ${finish}`);
        return {
          text,
          reasoning,
          toolCalls,
          finish: chatFinish(finish),
          usage: chatUsage(usage),
          error: error && { type: String(error.metadata?.error_type ?? error.type ?? error.code), ...error },
          raw: chunks,
        };
      },
    };
  },
  errorOf: (b) => ({ type: b.error.type, message: b.error.message }),
};

function chatFinish(f: string | null): Answer['finish'] {
  if (f === 'tool_calls') return 'tool';
  if (f === 'length') return 'length';
  if (f === 'error') return 'error';
  assert.equal(f, 'stop');
  return 'stop';
}

function chatUsage(u: any): Usage | null {
  if (!u) return null;
  return {
    input: u.prompt_tokens,
    output: u.completion_tokens,
    cached: u.prompt_tokens_details.cached_tokens,
    cacheWrite: u.prompt_tokens_details.cache_write_tokens,
    reasoning: u.completion_tokens_details.reasoning_tokens,
    cost: u.cost,
  };
}
