// Request building for the anthropic dialect: reasoning plan → extended thinking and its constraints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCtx, reasoning } from '../fixtures/anthropic/helpers.js';
import { build, toolLoop, weatherTools } from '../fixtures/anthropic/build.js';

test('reasoning: effort-based budgets as a share of max_tokens, minimum 1024', () => {
  const budget = (effort: 'low' | 'medium' | 'high' | null, maxTokens = 10000) =>
    build({}, makeCtx({ reasoning: reasoning({ effort }), maxTokens, maxTokensExplicit: true })).thinking;
  assert.deepEqual(budget('low'), { type: 'enabled', budget_tokens: 2000 });
  assert.deepEqual(budget('medium'), { type: 'enabled', budget_tokens: 5000 });
  assert.deepEqual(budget('high'), { type: 'enabled', budget_tokens: 8000 });
  assert.deepEqual(budget(null), { type: 'enabled', budget_tokens: 5000 });
  assert.deepEqual(budget('low', 4000), { type: 'enabled', budget_tokens: 1024 });
  // OpenRouter's ratios for the two outer levels: minimal 10% (at least 1024), xhigh 95%
  assert.deepEqual(budget('minimal' as never), { type: 'enabled', budget_tokens: 1024 });
  assert.deepEqual(budget('minimal' as never, 20000), { type: 'enabled', budget_tokens: 2000 });
  assert.deepEqual(budget('xhigh' as never), { type: 'enabled', budget_tokens: 9500 });
  // disabled / absent plan: nothing reasoning-related is sent
  assert.equal(build({}, makeCtx({ reasoning: reasoning({ enabled: false }) })).thinking, undefined);
  assert.equal(build({}).thinking, undefined);
});

test('reasoning: the budget is carved out of max_tokens, which is never raised (it is what was reserved)', () => {
  // explicit budget above the client's max_tokens: clamped below it
  let body = build(
    {},
    makeCtx({ reasoning: reasoning({ max_tokens: 8000 }), maxTokens: 2000, maxTokensExplicit: true }),
  );
  assert.equal(body.max_tokens, 2000);
  assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 1999 });
  // effort share of max_tokens, at least Anthropic's minimum of 1024
  body = build({}, makeCtx({ reasoning: reasoning({ effort: 'low' }), maxTokens: 20000, maxTokensExplicit: true }));
  assert.equal(body.max_tokens, 20000);
  assert.equal(body.thinking.budget_tokens, 4000);
  body = build({}, makeCtx({ reasoning: reasoning({ effort: 'high' }), maxTokens: 10000, maxTokensExplicit: true }));
  assert.equal(body.thinking.budget_tokens, 8000);
  body = build({}, makeCtx({ reasoning: reasoning({ effort: 'low' }), maxTokens: 3000, maxTokensExplicit: true }));
  assert.equal(body.thinking.budget_tokens, 1024);
  // explicit budgets below Anthropic's minimum are raised to 1024
  body = build({}, makeCtx({ reasoning: reasoning({ max_tokens: 100 }), maxTokens: 8000 }));
  assert.equal(body.thinking.budget_tokens, 1024);
  // max_tokens too small for the minimum budget: no thinking, and max_tokens stays the client's
  body = build({}, makeCtx({ reasoning: reasoning({ effort: 'low' }), maxTokens: 600, maxTokensExplicit: true }));
  assert.equal(body.thinking, undefined);
  assert.equal(body.max_tokens, 600);
  body = build({}, makeCtx({ reasoning: reasoning(), maxTokens: 1024, maxCompletion: 1024 }));
  assert.equal(body.thinking, undefined);
  assert.equal(body.max_tokens, 1024);
});

test('reasoning: sampling parameters are dropped and forced tool choice becomes auto', () => {
  const body = build(
    {
      temperature: 0.2,
      top_p: 0.5,
      top_k: 5,
      tools: weatherTools,
      tool_choice: 'required',
      parallel_tool_calls: false,
    },
    makeCtx({ reasoning: reasoning({ effort: 'high' }) }),
  );
  assert.equal('temperature' in body, false);
  assert.equal('top_p' in body, false);
  assert.equal('top_k' in body, false);
  assert.deepEqual(body.tool_choice, { type: 'auto', disable_parallel_tool_use: true });
  const named = build(
    { tools: weatherTools, tool_choice: { type: 'function', function: { name: 'get_time' } } },
    makeCtx({ reasoning: reasoning() }),
  );
  assert.deepEqual(named.tool_choice, { type: 'auto' });
});

test('reasoning in a tool loop: kept when the last assistant turn replays its thinking', () => {
  const body = build({ messages: toolLoop, tools: weatherTools }, makeCtx({ reasoning: reasoning() }));
  assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 4096 }); // medium: half of the 8192 default
  assert.equal(body.messages[1].content[0].type, 'thinking');
});

test('reasoning in a tool loop without echoed reasoning_details: thinking is turned off, sampling kept', () => {
  const messages = toolLoop.map((m) => (m.role === 'assistant' ? { ...m, reasoning_details: undefined } : m));
  const body = build(
    { messages, tools: weatherTools, temperature: 0.4 },
    makeCtx({ reasoning: reasoning(), maxTokens: 8000 }),
  );
  assert.equal(body.thinking, undefined);
  assert.equal(body.max_tokens, 8000);
  assert.equal(body.temperature, 0.4);
  // a finished tool loop followed by a plain assistant answer has no such requirement
  const done = build(
    {
      messages: [...messages, { role: 'assistant', content: 'It is 18C.' }, { role: 'user', content: 'Thanks' }],
      tools: weatherTools,
    },
    makeCtx({ reasoning: reasoning() }),
  );
  assert.ok(done.thinking);
});

test('thinking off: replayed thinking is stripped from a final (prefill) assistant turn only', () => {
  const details = [{ type: 'reasoning.text', text: 'hmm', signature: 'sig', format: 'anthropic-claude-v1' }];
  const body = build({
    messages: [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b', reasoning_details: details },
      { role: 'user', content: 'c' },
      { role: 'assistant', content: 'The answer:', reasoning_details: details },
    ],
  });
  assert.deepEqual(body.messages[1].content, [
    { type: 'thinking', thinking: 'hmm', signature: 'sig' },
    { type: 'text', text: 'b' },
  ]);
  assert.deepEqual(body.messages[3].content, [{ type: 'text', text: 'The answer:' }]);
});
