import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog } from '../../src/catalog/catalog.js';
import type { Modality, ProviderDef } from '../../src/catalog/types.js';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { RoutingError } from '../../src/routing/errors.js';
import { summarizeRoute } from '../../src/routing/explain.js';
import { extractFeatures } from '../../src/routing/features.js';
import { HealthTracker } from '../../src/routing/health.js';
import { buildRoutePlan } from '../../src/routing/plan.js';
import { ep, model, provider, seeded } from './fixtures.js';

const arch = (inputs: Modality[]) => ({
  input_modalities: inputs,
  output_modalities: ['text'] as Modality[],
  tokenizer: 'o200k_base',
  instruct_type: null,
});

const claudeApi: ProviderDef = { ...provider('claude'), dialect: 'anthropic' };
const geminiApi: ProviderDef = { ...provider('gem'), dialect: 'gemini' };
const catalog = new Catalog({
  providers: [provider('alpha'), provider('beta'), claudeApi, geminiApi],
  models: [
    model('acme/vision', [ep('alpha', 1)], { architecture: arch(['text', 'image']), quality_tier: 1 }),
    model('acme/docs', [ep('claude', 3)], { architecture: arch(['text', 'image', 'file']), quality_tier: 2 }),
    model('acme/omni', [ep('gem', 2)], { architecture: arch(['text', 'image', 'audio', 'file']), quality_tier: 3 }),
    // the catalog says audio, but one provider speaks the Anthropic API, which has no audio block
    model('acme/hearing', [ep('claude', 1), ep('beta', 5)], { architecture: arch(['text', 'audio']) }),
    model('acme/hearing-claude-only', [ep('claude', 1)], { architecture: arch(['text', 'audio']) }),
  ],
});
const AVAILABLE = new Set(['alpha', 'beta', 'claude', 'gem']);

const AUDIO = { type: 'input_audio' as const, input_audio: { data: 'UklGRg==', format: 'wav' } };
const PDF = { type: 'file' as const, file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } };

function req(over: Partial<ChatRequest>, parts: ChatRequest['messages'][number]['content'] = []): ChatRequest {
  return {
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'what is this?' }, ...(parts as [])] },
    ],
    ...over,
  };
}

function build(r: ChatRequest) {
  return buildRoutePlan({
    catalog,
    req: r,
    availableProviders: AVAILABLE,
    health: new HealthTracker(),
    random: seeded(3),
  });
}

function fails(r: ChatRequest): RoutingError {
  try {
    build(r);
  } catch (e) {
    assert.ok(e instanceof RoutingError, String(e));
    return e;
  }
  assert.fail('expected a RoutingError');
}

test('features locate the first part of each non-text modality', () => {
  const f = extractFeatures(req({ model: 'acme/omni' }, [AUDIO, PDF, AUDIO]), 'o200k_base');
  assert.deepEqual(f.inputModalities, ['audio', 'file']);
  assert.deepEqual(f.inputParts, [
    { modality: 'audio', type: 'input_audio', param: 'messages[1].content[1]' },
    { modality: 'file', type: 'file', param: 'messages[1].content[2]' },
  ]);
  assert.deepEqual(extractFeatures(req({ model: 'acme/omni' }), 'o200k_base').inputParts, []);
});

test('audio to a text+image model: 400 naming the part and the modalities the model reads', () => {
  const e = fails(req({ model: 'acme/vision' }, [AUDIO]));
  assert.equal(e.status, 400);
  assert.equal(e.code, 'unsupported_input_modality');
  assert.equal(e.param, 'messages[1].content[1]');
  assert.equal(e.message, 'acme/vision cannot read input_audio (its input modalities: text, image)');
  assert.equal(e.metadata?.failed_routing_step, 'modality');
});

test('the part named is the one the model cannot read, not the first non-text part', () => {
  const e = fails(req({ model: 'acme/docs' }, [PDF, AUDIO]));
  assert.equal(e.param, 'messages[1].content[2]');
  assert.match(e.message, /cannot read input_audio/);
});

test('models: [a, b] where only b reads the part: routing falls to b and says why a was skipped', () => {
  const p = build(req({ models: ['acme/vision', 'acme/omni'] }, [AUDIO]));
  assert.deepEqual(
    p.attempts.map((a) => a.model.id),
    ['acme/omni'],
  );
  const skipped = p.explanation.models.find((m) => m.requested === 'acme/vision');
  assert.equal(skipped?.candidates, 0);
  assert.equal(skipped?.failure, 'acme/vision cannot read input_audio (its input modalities: text, image)');
  const drop = p.explanation.dropped.find((d) => d.model === 'acme/vision');
  assert.equal(drop?.reason, 'modality');
  assert.match(drop?.detail ?? '', /does not accept audio input \(input_audio at messages\[1\]\.content\[1\]\)/);
  assert.match(summarizeRoute(p.explanation), /model=acme\/omni/);
});

test('a PDF goes to a file-reading model; a model without file input is skipped', () => {
  const p = build(req({ models: ['acme/vision', 'acme/docs'] }, [PDF]));
  assert.equal(p.attempts[0].model.id, 'acme/docs');
});

test('dialect capability: an Anthropic-API endpoint of an audio model is dropped, the OpenAI-API one kept', () => {
  const p = build(req({ model: 'acme/hearing' }, [AUDIO]));
  assert.deepEqual(
    p.attempts.map((a) => a.provider.id),
    ['beta'],
  );
  const d = p.explanation.dropped.find((x) => x.provider === 'claude');
  assert.equal(d?.reason, 'modality');
  assert.match(d?.detail ?? '', /anthropic API\) cannot carry input_audio/);
  // text alone still uses the cheaper Anthropic endpoint
  assert.ok(build(req({ model: 'acme/hearing' })).attempts.some((a) => a.provider.id === 'claude'));
});

test('dialect capability: when no provider API can carry the part, the 400 says so', () => {
  const e = fails(req({ model: 'acme/hearing-claude-only' }, [AUDIO]));
  assert.equal(e.status, 400);
  assert.equal(e.param, 'messages[1].content[1]');
  assert.equal(
    e.message,
    "acme/hearing-claude-only cannot read input_audio through its providers' APIs (its input modalities: text)",
  );
});

test('a fallback failing for another reason keeps the 503 (the request may be fine)', () => {
  const e = fails(req({ models: ['acme/vision', 'acme/docs'], provider: { ignore: ['claude'] } }, [PDF]));
  assert.equal(e.status, 503);
});

test('auto: only models reading every part are candidates', () => {
  const p = build(req({ model: 'openrouter/auto' }, [AUDIO]));
  assert.ok(p.attempts.length > 0);
  for (const a of p.attempts) assert.ok(['acme/omni', 'acme/hearing'].includes(a.model.id), a.model.id);
  assert.ok(p.attempts.every((a) => a.provider.id !== 'claude'));
  const dropped = p.explanation.auto?.dropped.find((d) => d.model === 'acme/vision');
  assert.equal(dropped?.reason, 'missing_capability:audio_input');
});
