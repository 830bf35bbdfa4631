import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countChatPromptTokens } from '../../src/accounting/tokenizer.js';
import { RoutingError } from '../../src/routing/errors.js';
import { extractFeatures, featureCache, reasoningRequested, usedParameters } from '../../src/routing/features.js';
import { reasoningPlan } from '../../src/routing/reasoning.js';
import { chat, model, ep, REASONING_INFO, WEATHER_TOOL } from './fixtures.js';

const plain = model('acme/plain', [ep('alpha', 1)]);
const reasoner = model('acme/r', [ep('alpha', 1)], { reasoning: REASONING_INFO });
const mandatory = model('acme/r1', [ep('alpha', 1)], { reasoning: { ...REASONING_INFO, mandatory: true } });

test('prompt tokens and images come from countChatPromptTokens with the model tokenizer', () => {
  const req = chat({
    messages: [
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'https://x.example/a.png' } },
        ],
      },
    ],
    tools: [WEATHER_TOOL],
  });
  const f = extractFeatures(req, 'claude');
  const expected = countChatPromptTokens(req.messages, 'claude', req.tools);
  assert.equal(f.promptTokens, expected.tokens);
  assert.equal(f.inputImages, 1);
  assert.deepEqual(f.inputModalities, ['image']);
  assert.equal(f.tools, true);
});

test('max output tokens: max_completion_tokens wins over max_tokens; null when absent', () => {
  assert.equal(extractFeatures(chat({ max_tokens: 100, max_completion_tokens: 50 }), 'o200k_base').maxOutputTokens, 50);
  assert.equal(extractFeatures(chat({ max_tokens: 100 }), 'o200k_base').maxOutputTokens, 100);
  assert.equal(extractFeatures(chat(), 'o200k_base').maxOutputTokens, null);
});

test('response_format kinds and the parameters they imply', () => {
  assert.equal(extractFeatures(chat({ response_format: { type: 'text' } }), 'o200k_base').responseFormat, null);
  const obj = extractFeatures(chat({ response_format: { type: 'json_object' } }), 'o200k_base');
  assert.equal(obj.responseFormat, 'json_object');
  assert.ok(obj.parameters.includes('response_format') && !obj.parameters.includes('structured_outputs'));
  const schema = extractFeatures(
    chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }),
    'o200k_base',
  );
  assert.equal(schema.responseFormat, 'json_schema');
  assert.ok(schema.parameters.includes('structured_outputs'));
});

test('used parameters list what the request sets (non-null)', () => {
  const req = chat({
    temperature: 0.2,
    top_p: null,
    seed: 1,
    stop: ['x'],
    tools: [WEATHER_TOOL],
    tool_choice: 'auto',
    max_completion_tokens: 10,
    reasoning_effort: 'low',
    ...({ logprobs: true } as object),
  });
  assert.deepEqual(
    usedParameters(req, null).sort(),
    ['logprobs', 'max_tokens', 'reasoning', 'seed', 'stop', 'temperature', 'tool_choice', 'tools'].sort(),
  );
  assert.deepEqual(usedParameters(chat(), 'thinking'), ['reasoning']);
});

test('reasoning requested: object, effort shorthand, include_reasoning, variant; explicit off wins', () => {
  assert.equal(reasoningRequested(chat(), null), false);
  assert.equal(reasoningRequested(chat({ reasoning: {} }), null), true);
  assert.equal(reasoningRequested(chat({ reasoning: { effort: 'high' } }), null), true);
  assert.equal(reasoningRequested(chat({ reasoning: { max_tokens: 2000 } }), null), true);
  assert.equal(reasoningRequested(chat({ reasoning: { enabled: false } }), null), false);
  assert.equal(reasoningRequested(chat({ reasoning: { enabled: false, effort: 'high' } }), null), false);
  assert.equal(reasoningRequested(chat({ reasoning_effort: 'medium' }), null), true);
  assert.equal(reasoningRequested(chat({ include_reasoning: true }), null), true);
  assert.equal(reasoningRequested(chat({ include_reasoning: false }), null), false);
  assert.equal(reasoningRequested(chat(), 'thinking'), true);
});

test('feature cache counts once per tokenizer and varies by variant', () => {
  const get = featureCache(chat());
  const a = get('o200k_base');
  assert.equal(get('o200k_base'), a);
  const t = get('o200k_base', 'thinking');
  assert.equal(t.promptTokens, a.promptTokens);
  assert.equal(t.reasoning, true);
  assert.equal(a.reasoning, false);
});

test('reasoningPlan: null when nothing asked', () => {
  assert.equal(reasoningPlan(chat(), null, reasoner), null);
  assert.equal(reasoningPlan(chat(), 'floor', reasoner), null);
});

test('reasoningPlan: :thinking defaults to medium effort and keeps client effort/budget/exclude', () => {
  assert.deepEqual(reasoningPlan(chat(), 'thinking', reasoner), {
    enabled: true,
    effort: 'medium',
    max_tokens: null,
    exclude: false,
  });
  assert.deepEqual(reasoningPlan(chat({ reasoning_effort: 'high' }), 'thinking', reasoner), {
    enabled: true,
    effort: 'high',
    max_tokens: null,
    exclude: false,
  });
  assert.deepEqual(reasoningPlan(chat({ reasoning: { max_tokens: 4000, exclude: true } }), 'thinking', reasoner), {
    enabled: true,
    effort: null,
    max_tokens: 4000,
    exclude: true,
  });
});

test('reasoningPlan: request spellings', () => {
  assert.deepEqual(reasoningPlan(chat({ reasoning: { effort: 'low' } }), null, reasoner), {
    enabled: true,
    effort: 'low',
    max_tokens: null,
    exclude: false,
  });
  assert.deepEqual(reasoningPlan(chat({ reasoning_effort: 'high' }), null, reasoner), {
    enabled: true,
    effort: 'high',
    max_tokens: null,
    exclude: false,
  });
  assert.deepEqual(reasoningPlan(chat({ reasoning: { enabled: false } }), null, reasoner), {
    enabled: false,
    effort: null,
    max_tokens: null,
    exclude: false,
  });
  assert.deepEqual(reasoningPlan(chat({ include_reasoning: true }), null, reasoner), {
    enabled: true,
    effort: null,
    max_tokens: null,
    exclude: false,
  });
  // legacy "hide reasoning": only meaningful on reasoning models, keeps a mandatory model reasoning
  assert.equal(reasoningPlan(chat({ include_reasoning: false }), null, plain), null);
  assert.deepEqual(reasoningPlan(chat({ include_reasoning: false }), null, mandatory), {
    enabled: true,
    effort: null,
    max_tokens: null,
    exclude: true,
  });
});

test('reasoningPlan: every effort OpenAI and OpenRouter define; "none" turns reasoning off', () => {
  for (const effort of ['minimal', 'low', 'medium', 'high', 'xhigh'] as const) {
    assert.deepEqual(reasoningPlan(chat({ reasoning_effort: effort }), null, reasoner), {
      enabled: true,
      effort,
      max_tokens: null,
      exclude: false,
    });
    assert.deepEqual(reasoningPlan(chat({ reasoning: { effort } }), null, reasoner), {
      enabled: true,
      effort,
      max_tokens: null,
      exclude: false,
    });
  }
  const off = { enabled: false, effort: null, max_tokens: null, exclude: false };
  assert.deepEqual(reasoningPlan(chat({ reasoning_effort: 'none' }), null, reasoner), off);
  assert.deepEqual(reasoningPlan(chat({ reasoning: { effort: 'none' } }), null, reasoner), off);
  assert.equal(reasoningRequested(chat({ reasoning_effort: 'none' }), null), false);
  assert.equal(reasoningRequested(chat({ reasoning: { effort: 'none' } }), null), false);
  assert.equal(reasoningRequested(chat({ reasoning_effort: 'xhigh' }), null), true);
  // the :thinking variant is the client's explicit "on": none there means the variant's default
  assert.deepEqual(reasoningPlan(chat({ reasoning_effort: 'none' }), 'thinking', reasoner), {
    enabled: true,
    effort: 'medium',
    max_tokens: null,
    exclude: false,
  });
});

test('reasoningPlan: conflicting efforts are a 400', () => {
  assert.throws(
    () => reasoningPlan(chat({ reasoning: { effort: 'low' }, reasoning_effort: 'high' }), null, reasoner),
    (e: unknown) => e instanceof RoutingError && e.status === 400 && e.param === 'reasoning_effort',
  );
});
