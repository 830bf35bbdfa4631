// The Anthropic Messages driver of the fidelity matrix: x-api-key auth, content blocks, and the SSE sequence
// message_start → content_block_start/delta/stop per index → message_delta → message_stop (or `event: error`).
import assert from 'node:assert/strict';
import { parseArgs, dataUrlParts, type Answer, type ApiDriver, type Usage } from './answer.js';

export const messages: ApiDriver = {
  path: '/messages',
  headers: (key) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }),
  body(ask, history) {
    const content: any[] = [{ type: 'text', text: ask.user }];
    if (ask.image) {
      const { mediaType, data } = dataUrlParts(ask.image);
      content.push({ type: 'image', source: { type: 'base64', media_type: mediaType, data } });
    }
    const msgs: any[] = [{ role: 'user', content }];
    if (history) {
      msgs.push({ role: 'assistant', content: history.prev.raw.content });
      msgs.push({
        role: 'user',
        content: history.prev.toolCalls.map((c, i) => ({
          type: 'tool_result',
          tool_use_id: c.id,
          content: history.results[i],
        })),
      });
    }
    // thinking needs max_tokens above its budget (1024, Anthropic's least)
    const b: Record<string, unknown> = {
      model: ask.model,
      max_tokens: ask.maxTokens ?? (ask.reasoning ? 2048 : 1000),
      messages: msgs,
    };
    if (ask.system)
      b.system = [
        { type: 'text', text: ask.system, ...(ask.cacheMark ? { cache_control: { type: 'ephemeral' } } : {}) },
      ];
    if (ask.tools) {
      b.tools = ask.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }));
      b.tool_choice = { type: 'auto', disable_parallel_tool_use: !ask.parallel };
    }
    if (ask.reasoning) b.thinking = { type: 'enabled', budget_tokens: 1024 };
    if (ask.jsonSchema) b.output_config = { format: { type: 'json_schema', schema: ask.jsonSchema } };
    if (ask.stream) b.stream = true;
    return b;
  },
  parse(body) {
    assert.equal(body.type, 'message');
    assert.equal(body.role, 'assistant');
    assert.match(body.id, /^msg_/);
    return fromMessage(body);
  },
  reader() {
    const types: string[] = [];
    let msg: any = null;
    const open = new Set<number>();
    const closed = new Set<number>();
    const partial = new Map<number, string>();
    let error: any = null;
    return {
      push(ev) {
        assert.ok(ev.event, 'Messages events are named');
        const d = JSON.parse(ev.data);
        assert.equal(d.type, ev.event, 'the event name repeats the data type');
        types.push(ev.event);
        if (types.length === 1) assert.ok(ev.event === 'message_start' || ev.event === 'error', ev.event);
        switch (ev.event) {
          case 'message_start':
            msg = { ...d.message, content: [] };
            return '';
          case 'content_block_start':
            assert.equal(d.index, msg.content.length, 'blocks open in index order');
            assert.ok(!open.has(d.index));
            open.add(d.index);
            msg.content.push({ ...d.content_block });
            return '';
          case 'content_block_delta': {
            assert.ok(open.has(d.index) && !closed.has(d.index), `delta of an open block ${d.index}`);
            const block = msg.content[d.index];
            const delta = d.delta;
            if (delta.type === 'text_delta') {
              assert.equal(block.type, 'text');
              block.text += delta.text;
              return delta.text as string;
            }
            if (delta.type === 'thinking_delta') block.thinking += delta.thinking;
            else if (delta.type === 'signature_delta') block.signature = delta.signature;
            else if (delta.type === 'input_json_delta') {
              assert.equal(block.type, 'tool_use');
              partial.set(d.index, (partial.get(d.index) ?? '') + delta.partial_json);
            } else assert.fail(`unknown delta ${delta.type}`);
            return '';
          }
          case 'content_block_stop':
            assert.ok(open.has(d.index) && !closed.has(d.index));
            closed.add(d.index);
            if (msg.content[d.index].type === 'tool_use')
              msg.content[d.index].input = parseArgs(partial.get(d.index) ?? '');
            return '';
          case 'message_delta':
            assert.equal(closed.size, open.size, 'every block closed before message_delta');
            msg.stop_reason = d.delta.stop_reason;
            msg.usage = d.usage;
            return '';
          case 'message_stop':
            return '';
          case 'error':
            error = d.error;
            return '';
          default:
            assert.fail(`unknown event ${ev.event}`);
        }
      },
      finish() {
        if (error) {
          assert.equal(types.at(-1), 'error', 'the error event ends the stream');
          const text = (msg?.content ?? [])
            .filter((b: any) => b.type === 'text')
            .map((b: any) => b.text)
            .join('');
          return { text, reasoning: '', toolCalls: [], finish: 'error', usage: null, error, raw: msg };
        }
        assert.equal(types.at(-1), 'message_stop');
        assert.equal(types.at(-2), 'message_delta');
        return fromMessage(msg);
      },
    };
  },
  errorOf(b) {
    assert.equal(b.type, 'error');
    return { type: b.error.type, message: b.error.message };
  },
};

function fromMessage(m: any): Answer {
  const blocks = m.content as any[];
  const uses = blocks.filter((b) => b.type === 'tool_use');
  for (const u of uses) {
    assert.match(u.id, /^[a-zA-Z0-9_-]+$/);
    assert.equal(typeof u.input, 'object');
  }
  assert.equal(m.stop_reason === 'tool_use', uses.length > 0, `stop_reason ${m.stop_reason}`);
  const finish: Answer['finish'] =
    m.stop_reason === 'tool_use' ? 'tool' : m.stop_reason === 'max_tokens' ? 'length' : 'stop';
  if (finish === 'stop') assert.equal(m.stop_reason, 'end_turn');
  const thinking = blocks.filter((b) => b.type === 'thinking');
  for (const t of thinking) assert.equal(typeof t.signature, 'string');
  return {
    text: blocks
      .filter((b) => b.type === 'text')
      .map((b) => b.text)
      .join(''),
    reasoning: thinking.map((b) => b.thinking).join(''),
    toolCalls: uses.map((u) => ({ id: u.id, name: u.name, args: u.input })),
    finish,
    usage: messagesUsage(m.usage),
    error: null,
    raw: m,
  };
}

/** Anthropic's input_tokens excludes cache reads and writes; the neutral input includes them */
function messagesUsage(u: any): Usage {
  const read = u.cache_read_input_tokens ?? 0;
  const write = u.cache_creation_input_tokens ?? 0;
  return {
    input: u.input_tokens + read + write,
    output: u.output_tokens,
    cached: read,
    cacheWrite: write,
    // Anthropic's usage has no reasoning count (output_tokens includes thinking)
    reasoning: NaN,
    cost: u.cost,
  };
}
