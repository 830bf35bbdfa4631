// The models page's filter semantics (console/src/model-filter.ts), as the API's: output modalities match any
// listed one, parameters all listed ones; the URL query round trip; sorting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyFilters,
  filterQuery,
  filtersFromQuery,
  pricePerMillion,
  type ListedModel,
  type ModelExtra,
} from '../../console/src/model-filter.js';

function model(id: string, o: Partial<ListedModel> & { out?: string[]; prompt?: string } = {}): ListedModel {
  return {
    id,
    name: o.name ?? id,
    created: o.created ?? 0,
    description: '',
    context_length: o.context_length ?? 8000,
    architecture: { input_modalities: ['text'], output_modalities: o.out ?? ['text'] },
    pricing: { prompt: o.prompt ?? '0.000001', completion: '0.000002' },
    supported_parameters: o.supported_parameters ?? [],
    expiration_date: null,
  };
}

const models = [
  model('a/text', { created: 3, supported_parameters: ['tools', 'seed'], prompt: '0.000003', context_length: 200_000 }),
  model('b/image', { created: 2, out: ['image', 'text'], supported_parameters: ['tools'], prompt: '0.0000005' }),
  model('c/audio', { created: 1, out: ['audio'], prompt: '0' }),
  model('d/embed', { created: 4, out: ['embeddings'], name: 'Embedder Mini' }),
];
const ids = (f: string, extra: Map<string, ModelExtra> | null = null) =>
  applyFilters(models, filtersFromQuery(new URLSearchParams(f)), extra).map((m) => m.id);

test('output modalities: any of the listed; parameters: all of the listed; search: every word', () => {
  assert.deepEqual(ids('out=image'), ['b/image']);
  assert.deepEqual(ids('out=image,audio'), ['b/image', 'c/audio']);
  assert.deepEqual(ids('out=text'), ['a/text', 'b/image'], 'a model with image and text output is a text model too');
  assert.deepEqual(ids('out=bogus'), ['d/embed', 'a/text', 'b/image', 'c/audio'], 'unknown values are ignored');
  assert.deepEqual(ids('params=tools'), ['a/text', 'b/image']);
  assert.deepEqual(ids('params=tools,seed'), ['a/text']);
  assert.deepEqual(ids('q=embedder mini'), ['d/embed']);
  assert.deepEqual(ids('q=B/IMA'), ['b/image']);
});

test('price (per 1M input tokens) and context (thousands) ranges; provider from the providers answer', () => {
  assert.deepEqual(ids('pmin=0.5&pmax=1&sort=name'), ['b/image', 'd/embed']);
  assert.deepEqual(ids('pmax=0'), ['c/audio']);
  assert.deepEqual(ids('cmin=100'), ['a/text']);
  assert.deepEqual(ids('cmax=8&sort=name'), ['b/image', 'c/audio', 'd/embed']);
  const extra = new Map<string, ModelExtra>([
    ['a/text', { providers: new Set(['openai']), throughput: 40 }],
    ['b/image', { providers: new Set(['google', 'openai']), throughput: 90 }],
    ['c/audio', { providers: new Set(['google']), throughput: null }],
  ]);
  assert.deepEqual(ids('provider=google&sort=name', extra), ['b/image', 'c/audio']);
  assert.deepEqual(ids('sort=throughput-desc', extra), ['b/image', 'a/text', 'c/audio', 'd/embed']);
});

test('sorts: newest (default), price both ways, context', () => {
  assert.deepEqual(ids(''), ['d/embed', 'a/text', 'b/image', 'c/audio']);
  assert.deepEqual(ids('sort=price-asc'), ['c/audio', 'b/image', 'd/embed', 'a/text']);
  assert.deepEqual(ids('sort=price-desc'), ['a/text', 'd/embed', 'b/image', 'c/audio']);
  assert.equal(ids('sort=context-desc')[0], 'a/text');
  assert.deepEqual(ids('sort=nonsense'), ids(''));
});

test('the URL query: empty values leave it, any change but the page returns to page 1', () => {
  assert.deepEqual(filterQuery({ out: ['image', 'audio'] }), { out: 'image,audio', page: null });
  assert.deepEqual(filterQuery({ out: [], q: '' }), { out: null, q: null, page: null });
  assert.deepEqual(filterQuery({ sort: 'newest' }), { sort: null, page: null });
  assert.deepEqual(filterQuery({ page: 3 }), { page: '3' });
  assert.deepEqual(filterQuery({ page: 1 }), { page: null });
  const f = filtersFromQuery(new URLSearchParams('page=-2&pmin=abc&cmin=1.'));
  assert.equal(f.page, 1);
  assert.equal(f.pmin, null);
  assert.equal(f.cmin, 1);
  assert.equal(pricePerMillion('0.0000025'), 2.5, 'no floating-point residue');
});
