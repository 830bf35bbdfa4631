// Cost exactness through a listening gateway: every price field (prompt, completion, request, image,
// internal_reasoning, cache read, cache write) against a cost recomputed here from the catalog pricing and
// the token counts the client received, for the three dialects, stream and non-stream; then 200 requests
// whose ledger costs, summed as exact picodollars, equal the /v1/activity daily totals and the key usage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import {
  ALL_PRICES,
  activity,
  chat,
  chatStream,
  countsOf,
  createKey,
  expectedCost,
  generation,
  json,
  pricedModel,
  pusd,
  rowCounts,
  sumDaily,
  sumExact,
  usdNumber,
  usdString,
  type PriceTable,
  type Usage,
} from '../helpers/accounting.js';

let gw: TestGateway;
let sims: SimSet;

// the same (all non-zero) prices on one endpoint per dialect
const MODELS = [
  { id: 'acme/priced-claude', provider: 'anthropic', upstream: 'claude-sonnet-4-5-20250929', tokenizer: 'claude' },
  { id: 'acme/priced-gpt', provider: 'openai', upstream: 'gpt-4o', tokenizer: 'o200k_base' },
  { id: 'acme/priced-gemini', provider: 'google', upstream: 'gemini-2.5-pro', tokenizer: 'gemini' },
] as const;

before(async () => {
  ({ gw, sims } = await startDemoGateway({
    models: MODELS.map((m) => pricedModel(m.id, m.provider, m.upstream, m.tokenizer)),
    // rows reach storage quickly, but the assertions never depend on that (reads see queued rows)
    ledger: { flush_interval_ms: 50 },
  }));
});
after(async () => {
  await gw.close();
  await sims.close();
});

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
// > 1024 tokens so the simulated upstreams cache it (OpenAI/Gemini implicitly, Anthropic at cache_control)
const LONG_SYSTEM = 'You are a careful assistant. Answer briefly and precisely, citing nothing. '.repeat(110);

function cachedPrompt(model: string, withImage: boolean, salt: string) {
  return {
    model,
    // room for Anthropic's minimum thinking budget (1024), which is carved out of max_tokens
    max_tokens: 2000,
    reasoning: { effort: 'low' },
    messages: [
      // cache_control is Anthropic's (explicit) caching; the others cache long prefixes implicitly
      {
        role: 'system',
        content: [
          {
            type: 'text',
            text: LONG_SYSTEM + salt,
            ...(model === 'acme/priced-claude' ? { cache_control: { type: 'ephemeral' } } : {}),
          },
        ],
      },
      {
        role: 'user',
        content: withImage
          ? [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image_url', image_url: { url: PNG } },
            ]
          : [{ type: 'text', text: 'Summarise the rules above.' }],
      },
    ],
  };
}

function pricingOf(modelId: string): PriceTable {
  const m = gw.app.catalog.get(modelId);
  assert.ok(m, modelId);
  return m.endpoints[0].pricing;
}

for (const m of MODELS) {
  for (const stream of [false, true]) {
    test(`${m.provider} ${stream ? 'stream' : 'non-stream'}: usage.cost equals the cost recomputed from pricing on every price field`, async () => {
      const p = pricingOf(m.id);
      assert.deepEqual(p, ALL_PRICES, 'the config model carries all eight prices');
      const salt = `${m.id} ${stream}`;
      const seen = { cachedRead: 0, cacheWrite: 0, reasoning: 0 };
      // twice with the same long prefix: the first writes the cache (Anthropic), the second reads it
      for (const [i, withImage] of [
        [0, true],
        [1, false],
      ] as const) {
        const body = cachedPrompt(m.id, withImage, salt);
        let usage: Usage;
        let id: string;
        if (stream) {
          const s = await chatStream(gw, body);
          assert.equal(s.status, 200);
          assert.equal(s.finish, 'stop');
          assert.ok(s.done && s.usage, 'a usage chunk before [DONE]');
          usage = s.usage;
          id = s.id!;
          assert.equal(s.chunks[0].id, id);
        } else {
          const r = await chat(gw, body);
          assert.equal(r.status, 200, JSON.stringify(r.body));
          usage = r.body.usage as Usage;
          id = r.body.id as string;
          assert.equal(r.headers.get('x-arouter-generation-id'), id);
        }
        assert.equal(usage.estimated, undefined, 'the simulated upstreams report usage');
        assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
        const images = withImage ? 1 : 0;
        const want = expectedCost(p, countsOf(usage, images));
        assert.equal(usage.cost, usdNumber(want), `request ${i}: usage.cost`);
        const g = await generation(gw, id);
        assert.equal(g.total_cost_exact, usdString(want), `request ${i}: ledger cost`);
        assert.equal(g.total_cost, usage.cost);
        assert.deepEqual(rowCounts(g, images), countsOf(usage, images), 'ledger tokens = tokens the client got');
        assert.equal(g.streamed, stream);
        assert.equal(g.model, m.id);
        assert.equal(g.provider_name, m.provider);
        assert.equal(g.tokens_estimated, false);
        seen.cachedRead += usage.prompt_tokens_details.cached_tokens;
        seen.cacheWrite += usage.prompt_tokens_details.cache_write_tokens;
        seen.reasoning += usage.completion_tokens_details.reasoning_tokens;
        // the per-request fee and the image fee are really in there
        assert.ok(want > pusd(p.request) + BigInt(images) * pusd(p.image));
      }
      // the scenario exercised what it claims to (cache writes are an Anthropic feature)
      assert.ok(seen.reasoning > 0, 'reasoning tokens reported');
      assert.ok(seen.cachedRead > 0, 'cached read tokens reported');
      if (m.provider === 'anthropic') assert.ok(seen.cacheWrite > 0, 'cache write tokens reported');
    });
  }
}

test('catalog models: cost follows the "0 = not published" rules (cache read at its price, reasoning at completion price)', async () => {
  // openai/o4-mini: input_cache_read published, internal_reasoning "0" → reasoning billed as completion
  const body = {
    model: 'openai/o4-mini',
    reasoning: { effort: 'low' },
    max_tokens: 300,
    messages: [
      { role: 'system', content: LONG_SYSTEM + 'o4' },
      { role: 'user', content: 'hi' },
    ],
  };
  const p = pricingOf('openai/o4-mini');
  for (let i = 0; i < 2; i++) {
    const r = await chat(gw, body);
    assert.equal(r.status, 200);
    const u = r.body.usage as Usage;
    assert.ok(u.completion_tokens_details.reasoning_tokens > 0);
    if (i === 1) assert.ok(u.prompt_tokens_details.cached_tokens > 0);
    assert.equal(u.cost, usdNumber(expectedCost(p, countsOf(u))));
    assert.equal((await generation(gw, r.body.id)).total_cost_exact, usdString(expectedCost(p, countsOf(u))));
  }
});

test('embeddings: cost is prompt tokens at the prompt price, in the response and the ledger', async () => {
  // the OpenAI API reports usage; Gemini's embedContent reports none, so the gateway counts locally
  for (const [model, upstream, estimated] of [
    ['openai/text-embedding-3-small', 'text-embedding-3-small', false],
    ['google/gemini-embedding-001', 'gemini-embedding-001', true],
  ] as const) {
    const r = await json<{ id: string; usage: { prompt_tokens: number; cost: number; estimated?: boolean } }>(
      gw.fetch('/embeddings', { method: 'POST', json: { model, input: ['first text to embed', 'and a second one'] } }),
    );
    const want = BigInt(r.usage.prompt_tokens) * pusd(pricingOf(model).prompt);
    assert.ok(want > 0n);
    assert.equal(r.usage.cost, usdNumber(want));
    assert.equal(r.usage.estimated, estimated ? true : undefined, `${model}: usage.estimated`);
    const g = await generation(gw, r.id);
    assert.equal(g.kind, 'embeddings');
    assert.equal(g.total_cost_exact, usdString(want));
    assert.equal(g.tokens_prompt, r.usage.prompt_tokens);
    assert.equal(g.tokens_estimated, estimated, `${model}: tokens_estimated`);
    assert.equal(g.provider_model, upstream);
  }
  // an OpenAI-dialect upstream that omits usage is counted locally too
  sims.openai.script({ match: { path: '/embeddings' }, omitUsage: true });
  const r = await json<{ id: string; usage: { prompt_tokens: number; cost: number; estimated?: boolean } }>(
    gw.fetch('/embeddings', {
      method: 'POST',
      json: { model: 'openai/text-embedding-3-small', input: 'no usage here' },
    }),
  );
  assert.equal(r.usage.estimated, true);
  const g = await generation(gw, r.id);
  assert.equal(g.tokens_estimated, true);
  assert.equal(
    g.total_cost_exact,
    usdString(BigInt(r.usage.prompt_tokens) * pusd(pricingOf('openai/text-embedding-3-small').prompt)),
  );
});

test('200 requests: the exact ledger costs sum to the /v1/activity daily totals and to the key usage', async () => {
  const { key, id: keyId } = await createKey(gw, { name: 'sum-200' });
  const N = 200;
  const clientCosts = new Map<string, number>();
  const jobs = Array.from({ length: N }, (_, i) => async () => {
    const m = MODELS[i % 3].id;
    const kind = i % 10;
    if (kind === 9) {
      const r = await json<{ id: string; usage: { cost: number } }>(
        gw.fetch('/embeddings', {
          method: 'POST',
          key,
          json: { model: 'openai/text-embedding-3-small', input: `embedding number ${i}` },
        }),
      );
      clientCosts.set(r.id, r.usage.cost);
      return;
    }
    const body =
      kind < 3
        ? cachedPrompt(m, i % 2 === 0, 'sum')
        : {
            model: m,
            max_tokens: 20 + i,
            messages: [{ role: 'user', content: `request number ${i} ${'x'.repeat(i)}` }],
          };
    if (kind % 2 === 1) {
      const s = await chatStream(gw, body, key);
      assert.equal(s.status, 200);
      clientCosts.set(s.id!, s.usage!.cost);
    } else {
      const r = await chat(gw, body, key);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      clientCosts.set(r.body.id, r.body.usage.cost);
    }
  });
  // 16 at a time: concurrent enough to interleave settlements and ledger batches
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
  assert.equal(clientCosts.size, N);

  const a = await activity(gw, '', key);
  assert.equal(a.data.length, N, 'one ledger row per request, only this key’s');
  assert.ok(a.data.every((g) => g.key_id === keyId && g.status === 200));
  for (const g of a.data)
    assert.equal(g.total_cost, clientCosts.get(g.id), `row ${g.id}: ledger cost = cost the client was told`);
  const ledgerSum = sumExact(a.data);
  assert.ok(ledgerSum > 0n);
  assert.equal(
    a.daily.reduce((n, d) => n + d.requests, 0),
    N,
  );
  assert.equal(usdString(sumDaily(a.daily)), usdString(ledgerSum), 'daily cost_exact totals = exact sum of rows');
  assert.equal(
    a.daily.reduce((n, d) => n + d.prompt_tokens, 0),
    a.data.reduce((n, g) => n + g.tokens_prompt, 0),
  );
  assert.equal(
    a.daily.reduce((n, d) => n + d.completion_tokens, 0),
    a.data.reduce((n, g) => n + g.tokens_completion, 0),
  );

  const k = await json<{ data: { usage: number } }>(gw.fetch('/key', { key }));
  assert.equal(k.data.usage, usdNumber(ledgerSum), 'GET /v1/key usage = ledger sum');
  // the admin sees the same rows through the key_id filter
  const byAdmin = await activity(gw, `key_id=${keyId}`);
  assert.equal(usdString(sumExact(byAdmin.data)), usdString(ledgerSum));
});

test('after a fallback the cost is at the serving endpoint’s prices; the failed attempt costs nothing', async () => {
  const model = 'meta-llama/llama-3.3-70b-instruct';
  const m = gw.app.catalog.get(model)!;
  const groq = m.endpoints.find((e) => e.provider === 'groq')!;
  const deepinfra = m.endpoints.find((e) => e.provider === 'deepinfra')!;
  assert.notEqual(groq.pricing.prompt, deepinfra.pricing.prompt, 'the two endpoints are priced differently');
  for (const stream of [false, true]) {
    sims.openai.script({ match: { model: groq.model }, status: 500 });
    const body = {
      model,
      max_tokens: 40,
      provider: { order: ['groq', 'deepinfra'] },
      messages: [{ role: 'user', content: `fallback ${stream}` }],
    };
    let usage: Usage;
    let id: string;
    if (stream) {
      const s = await chatStream(gw, body);
      assert.equal(s.status, 200);
      usage = s.usage!;
      id = s.id!;
    } else {
      const r = await chat(gw, body);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.provider, 'deepinfra');
      usage = r.body.usage;
      id = r.body.id;
    }
    const g = await generation(gw, id);
    assert.equal(g.provider_name, 'deepinfra');
    assert.equal(g.provider_model, deepinfra.model);
    const want = expectedCost(deepinfra.pricing, countsOf(usage));
    assert.equal(usage.cost, usdNumber(want));
    assert.equal(g.total_cost_exact, usdString(want));
    assert.notEqual(g.total_cost_exact, usdString(expectedCost(groq.pricing, countsOf(usage))));
  }
});
