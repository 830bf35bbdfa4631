// The OpenAI Responses driver of the fidelity matrix: input items, output items (message / reasoning /
// function_call), and the typed SSE sequence response.created → … → response.completed | .failed | .incomplete,
// with increasing sequence numbers and deltas that add up to the final response's items.
import assert from 'node:assert/strict';
import { bearer, parseArgs, type Answer, type ApiDriver, type Usage } from './answer.js';

const TERMINAL = new Set(['response.completed', 'response.failed', 'response.incomplete']);

export const responses: ApiDriver = {
  path: '/responses',
  headers: bearer,
  body(ask, history) {
    const content: any[] = [{ type: 'input_text', text: ask.user }];
    if (ask.image) content.push({ type: 'input_image', image_url: ask.image, detail: 'auto' });
    const input: any[] = [{ role: 'user', content }];
    if (history) {
      input.push(...history.prev.raw.output);
      history.prev.toolCalls.forEach((c, i) =>
        input.push({ type: 'function_call_output', call_id: c.id, output: history.results[i] }),
      );
    }
    const b: Record<string, unknown> = { model: ask.model, input, max_output_tokens: ask.maxTokens ?? 1000 };
    if (ask.system) b.instructions = ask.system;
    // the Responses API has no cache marks: the top-level automatic one ARouter's Chat Completions and Messages
    // accept (OpenRouter-style) is the only way a client could ask Anthropic to cache
    if (ask.cacheMark) b.cache_control = { type: 'ephemeral' };
    if (ask.tools) {
      b.tools = ask.tools.map((t) => ({ type: 'function', ...t, strict: false }));
      b.parallel_tool_calls = ask.parallel ?? false;
    }
    if (ask.reasoning) b.reasoning = { effort: 'low', summary: 'auto' };
    if (ask.jsonSchema) b.text = { format: { type: 'json_schema', name: 'out', schema: ask.jsonSchema, strict: true } };
    if (ask.stream) b.stream = true;
    return b;
  },
  parse(body) {
    assert.equal(body.object, 'response');
    assert.match(body.id, /^resp_/);
    return fromResponse(body);
  },
  reader() {
    let seq = -1;
    const types: string[] = [];
    let final: any = null;
    const texts = new Map<string, string>();
    const args = new Map<string, string>();
    return {
      push(ev) {
        assert.ok(ev.event, 'Responses events are named');
        const d = JSON.parse(ev.data);
        assert.equal(d.type, ev.event);
        assert.equal(d.sequence_number, seq + 1, 'sequence numbers count up from 0');
        seq = d.sequence_number;
        assert.ok(!final, 'nothing after the terminal event');
        types.push(d.type);
        if (types.length === 1) assert.equal(d.type, 'response.created');
        if (TERMINAL.has(d.type)) final = d.response;
        if (d.type === 'response.output_text.delta') {
          texts.set(d.item_id, (texts.get(d.item_id) ?? '') + d.delta);
          return d.delta as string;
        }
        if (d.type === 'response.output_text.done') assert.equal(d.text, texts.get(d.item_id));
        if (d.type === 'response.function_call_arguments.delta')
          args.set(d.item_id, (args.get(d.item_id) ?? '') + d.delta);
        if (d.type === 'response.function_call_arguments.done') assert.equal(d.arguments, args.get(d.item_id) ?? '');
        return '';
      },
      finish() {
        assert.ok(final, `a terminal event ends the stream (got ${types.at(-1)})`);
        if (final.status === 'completed') {
          assert.ok(types.includes('response.in_progress'));
          // the deltas add up to the final items
          for (const item of final.output)
            if (item.type === 'message')
              assert.equal(item.content.map((p: any) => p.text ?? '').join(''), texts.get(item.id) ?? '');
        }
        return fromResponse(final);
      },
    };
  },
  errorOf: (b) => ({ type: b.error.type, message: b.error.message }),
};

function fromResponse(r: any): Answer {
  const items = r.output as any[];
  const calls = items.filter((i) => i.type === 'function_call');
  for (const c of calls) {
    assert.match(c.id, /^fc_/);
    assert.match(c.call_id, /\S/);
    assert.equal(typeof c.arguments, 'string');
  }
  const text = items
    .filter((i) => i.type === 'message')
    .flatMap((i) => {
      assert.equal(i.role, 'assistant');
      return i.content.filter((p: any) => p.type === 'output_text').map((p: any) => p.text as string);
    })
    .join('');
  const reasoning = items
    .filter((i) => i.type === 'reasoning')
    .flatMap((i) => i.summary.map((s: any) => s.text as string))
    .join('');
  let finish: Answer['finish'];
  if (r.status === 'failed') finish = 'error';
  else if (r.status === 'incomplete') {
    assert.equal(r.incomplete_details.reason, 'max_output_tokens');
    finish = 'length';
  } else {
    assert.equal(r.status, 'completed');
    finish = calls.length ? 'tool' : 'stop';
  }
  return {
    text,
    reasoning,
    toolCalls: calls.map((c) => ({ id: c.call_id, name: c.name, args: parseArgs(c.arguments) })),
    finish,
    usage: r.usage ? responsesUsage(r.usage) : null,
    error: r.status === 'failed' ? { type: r.error.code, message: r.error.message } : null,
    raw: r,
  };
}

function responsesUsage(u: any): Usage {
  return {
    input: u.input_tokens,
    output: u.output_tokens,
    cached: u.input_tokens_details.cached_tokens,
    cacheWrite: u.input_tokens_details.cache_write_tokens ?? 0,
    reasoning: u.output_tokens_details.reasoning_tokens,
    cost: u.cost,
  };
}
