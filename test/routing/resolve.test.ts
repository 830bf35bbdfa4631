import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoutingError } from '../../src/routing/errors.js';
import { resolveModel, similarity, suggestModels } from '../../src/routing/resolve.js';
import { AVAILABLE, ep, model, testCatalog } from './fixtures.js';

const catalog = testCatalog();

function resolved(name: string) {
  const r = resolveModel(catalog, name, AVAILABLE);
  assert.equal(r.kind, 'model');
  if (r.kind !== 'model') throw new Error('unreachable');
  return r;
}

function rejects(name: string, status: number, code?: string): RoutingError {
  try {
    resolveModel(catalog, name, AVAILABLE);
  } catch (err) {
    assert.ok(err instanceof RoutingError, String(err));
    assert.equal(err.status, status, err.message);
    if (code !== undefined) assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected ${name} to be rejected`);
}

test('plain id resolves without variant', () => {
  const r = resolved('meta-llama/llama-3.3-70b-instruct');
  assert.equal(r.model.id, 'meta-llama/llama-3.3-70b-instruct');
  assert.equal(r.variant, null);
});

test('alias and canonical slug resolve to the current id', () => {
  assert.equal(resolved('meta-llama/llama-3.3-70b').model.id, 'meta-llama/llama-3.3-70b-instruct');
  assert.equal(resolved('meta-llama/llama-3.3-70b-instruct-2024-12').model.id, 'meta-llama/llama-3.3-70b-instruct');
  const v = resolved('meta-llama/llama-3.3-70b:floor');
  assert.equal(v.model.id, 'meta-llama/llama-3.3-70b-instruct');
  assert.equal(v.variant, 'floor');
});

test('each variant is parsed; names are case-insensitive', () => {
  for (const v of ['nitro', 'floor', 'free', 'thinking'] as const) {
    assert.equal(resolved(`meta-llama/llama-3.3-70b-instruct:${v}`).variant, v);
  }
  assert.equal(resolved('Meta-Llama/Llama-3.3-70B-Instruct:Nitro').variant, 'nitro');
});

test('unknown variant is a 400 naming the supported ones', () => {
  const err = rejects('meta-llama/llama-3.3-70b-instruct:turbo', 400, 'invalid_variant');
  assert.match(err.message, /:turbo/);
  assert.match(err.message, /:nitro/);
});

test('auto router names', () => {
  for (const n of ['auto', 'arouter/auto', 'openrouter/auto'])
    assert.equal(resolveModel(catalog, n, AVAILABLE).kind, 'auto');
  rejects('auto:floor', 400, 'invalid_variant');
});

test('unknown model is a 404 suggesting the closest visible ids', () => {
  const err = rejects('meta-llama/llama-3.3-70b-instrct', 404, 'model_not_found');
  assert.match(err.message, /not found/);
  assert.match(err.message, /Did you mean: meta-llama\/llama-3\.3-70b-instruct/);
  const partial = rejects('llama-3.3-70b', 404);
  assert.match(partial.message, /meta-llama\/llama-3\.3-70b-instruct/);
  const nothing = rejects('zzzz/qqqq', 404);
  assert.doesNotMatch(nothing.message, /Did you mean/);
});

test('a model only on providers the account lacks is "not found" with the same wording', () => {
  const hidden = rejects('acme/secret', 404, 'model_not_found');
  const unknown = rejects('acme/nonexistent-zz', 404, 'model_not_found');
  assert.equal(
    hidden.message.replace(/acme\/secret/, 'X').split('.')[0],
    unknown.message.replace(/acme\/nonexistent-zz/, 'X').split('.')[0],
  );
  // and hidden models are never suggested
  assert.ok(!suggestModels(catalog, 'acme/secrett', AVAILABLE).includes('acme/secret'));
  // visible once the provider is enabled
  assert.equal(resolveModel(catalog, 'acme/secret', new Set([...AVAILABLE, 'hidden'])).kind, 'model');
});

test('similarity prefers typo-close and token-sharing ids', () => {
  assert.ok(
    similarity('meta-llama/llama-3.3-70b-instrct', 'meta-llama/llama-3.3-70b-instruct') >
      similarity('meta-llama/llama-3.3-70b-instrct', 'meta-llama/llama-3.1-8b-instruct'),
  );
  assert.ok(similarity('reasoner', 'acme/reasoner') > 0.8);
});

test('a model past its expiration_date is a 404 model_deprecated naming the date; before it, it resolves', () => {
  const cat = testCatalog([
    model('acme/retired', [ep('alpha', 1)], { expiration_date: '2026-03-01' }),
    model('acme/retired-2', [ep('alpha', 1)]),
  ]);
  const before = Date.parse('2026-02-28T23:59:59Z');
  const after = Date.parse('2026-03-01T00:00:00Z');
  const r = resolveModel(cat, 'acme/retired', AVAILABLE, before);
  assert.equal(r.kind, 'model');
  try {
    resolveModel(cat, 'acme/retired:floor', AVAILABLE, after);
    assert.fail('expected model_deprecated');
  } catch (err) {
    assert.ok(err instanceof RoutingError);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'model_deprecated');
    assert.match(err.message, /acme\/retired.*2026-03-01/);
    assert.deepEqual(
      (err.metadata as { suggestions: string[] }).suggestions.includes('acme/retired'),
      false,
      'never suggests itself',
    );
    assert.ok((err.metadata as { suggestions: string[] }).suggestions.includes('acme/retired-2'));
  }
});
