import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { chooseAutoModel, formatUsdShort } from '../../src/routing/auto.js';
import { RoutingError } from '../../src/routing/errors.js';
import { AVAILABLE, chat, ep, longText, model, seeded, testCatalog, WEATHER_TOOL } from './fixtures.js';

const catalog = testCatalog([
  model('acme/cheap-top', [ep('alpha', 0.5, { context_length: 8192 })], {
    quality_tier: 1,
    supported_parameters: ['max_tokens', 'temperature'],
    context_length: 8192,
  }),
  model('acme/old', [ep('alpha', 0.01)], { quality_tier: 1, expiration_date: '2020-01-01' }),
  model('acme/imagegen', [ep('alpha', 0.01)], {
    quality_tier: 1,
    architecture: {
      input_modalities: ['text'],
      output_modalities: ['image'],
      tokenizer: 'o200k_base',
      instruct_type: null,
    },
  }),
]);

const NOW = Date.parse('2026-06-01T00:00:00Z');
const auto = (req: ChatRequest, tiers?: Record<string, number>) =>
  chooseAutoModel({
    catalog,
    req: { ...req, model: 'auto' },
    availableProviders: AVAILABLE,
    tiers,
    now: NOW,
    random: seeded(3),
  });
const droppedReason = (c: ReturnType<typeof auto>, id: string) =>
  c.explanation.dropped.find((d) => d.model === id)?.reason;

test('plain chat: best tier, then cheapest; explanation names the rule', () => {
  const c = auto(chat());
  assert.equal(c.model.id, 'acme/cheap-top');
  assert.match(c.explanation.rule, /^quality_tier 1, then cheapest: \$0\.\d+ expected$/);
  assert.equal(c.explanation.chosen, 'acme/cheap-top');
  assert.deepEqual(
    c.fallbacks.map((m) => m.id),
    ['acme/vision', 'acme/reasoner', 'meta-llama/llama-3.3-70b-instruct'],
  );
  assert.equal(c.plans.length, 4);
  assert.equal(c.plans[0].model.id, 'acme/cheap-top');
});

test('embedding-only, image-only, deprecated and hidden models are never candidates', () => {
  const c = auto(chat());
  assert.equal(droppedReason(c, 'acme/embed'), 'missing_capability:text_output');
  assert.equal(droppedReason(c, 'acme/imagegen'), 'missing_capability:text_output');
  assert.equal(droppedReason(c, 'acme/old'), 'deprecated');
  assert.equal(droppedReason(c, 'acme/secret'), 'provider_unavailable');
  const ids = [c.model, ...c.fallbacks].map((m) => m.id);
  for (const bad of ['acme/embed', 'acme/imagegen', 'acme/old', 'acme/secret']) assert.ok(!ids.includes(bad));
});

test('tools: never a model lacking tool use', () => {
  const c = auto(chat({ tools: [WEATHER_TOOL] }));
  assert.equal(c.model.id, 'acme/vision');
  assert.equal(droppedReason(c, 'acme/cheap-top'), 'missing_capability:tools');
  assert.equal(c.explanation.rule.startsWith('quality_tier 1, best available tier'), true, c.explanation.rule);
});

test('images: only models with image input', () => {
  const c = auto(
    chat({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is it' },
            { type: 'image_url', image_url: { url: 'https://x.example/a.png' } },
          ],
        },
      ],
    }),
  );
  assert.equal(c.model.id, 'acme/vision');
  assert.equal(c.fallbacks.length, 0);
  assert.equal(droppedReason(c, 'acme/cheap-top'), 'missing_capability:image_input');
  assert.match(c.explanation.rule, /only capable model/);
});

test('json schema: only structured-output models', () => {
  const c = auto(
    chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } }),
  );
  assert.equal(c.model.id, 'acme/vision');
  assert.equal(droppedReason(c, 'acme/cheap-top'), 'missing_capability:structured_outputs');
});

test('context: a prompt larger than a model context drops it', () => {
  const c = auto(chat({ messages: [{ role: 'user', content: longText(10_000) }] }));
  assert.equal(c.model.id, 'acme/vision');
  assert.equal(droppedReason(c, 'acme/cheap-top'), 'context_length');
});

test('reasoning requested: only reasoning-capable models', () => {
  const c = auto(chat({ reasoning: { effort: 'low' } }));
  assert.equal(c.model.id, 'acme/reasoner');
  assert.equal(droppedReason(c, 'acme/vision'), 'missing_capability:reasoning');
});

test('config tier overrides win over catalog tiers', () => {
  const c = auto(chat(), { 'meta-llama/llama-3.1-8b-instruct': 1 });
  assert.equal(c.model.id, 'meta-llama/llama-3.1-8b-instruct');
  assert.match(c.explanation.rule, /^quality_tier 1 \(config\), then cheapest/);
  assert.equal(c.explanation.ranking[0].tier_source, 'config');
});

test('provider preferences apply (max_price filters auto candidates too)', () => {
  const c = auto(chat({ provider: { max_price: { prompt: 1 } } }));
  assert.equal(c.model.id, 'acme/cheap-top');
  assert.equal(droppedReason(c, 'acme/vision'), 'max_price');
});

test('deterministic ranking, JSON-serialisable explanation', () => {
  const a = auto(chat());
  const b = auto(chat());
  assert.deepEqual([a.model.id, ...a.fallbacks.map((m) => m.id)], [b.model.id, ...b.fallbacks.map((m) => m.id)]);
  assert.deepEqual(JSON.parse(JSON.stringify(a.explanation)), a.explanation);
});

test('nothing capable → 503 summarising why', () => {
  try {
    auto(
      chat({
        tools: [WEATHER_TOOL],
        reasoning: { effort: 'high' },
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.example/a.png' } }] }],
      }),
    );
    assert.fail('expected failure');
  } catch (e) {
    assert.ok(e instanceof RoutingError);
    assert.equal(e.status, 503);
    assert.match(e.message, /missing_capability/);
  }
});

test('formatUsdShort never uses exponent notation', () => {
  assert.equal(formatUsdShort(3_100_000_000n), '$0.0031');
  assert.equal(formatUsdShort(120_000n), '$0.00000012');
  assert.equal(formatUsdShort(1_234_000_000_000n), '$1.23');
  assert.equal(formatUsdShort(0n), '$0');
});
