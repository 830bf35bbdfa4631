// OpenRouter's own SDK (@openrouter/sdk) against the demo gateway: it validates every response with its zod
// schemas, so each call here passing means our shapes carry every field it requires. Models (filters, paging,
// count, detail, endpoints), chat (non-stream, stream, an in-band stream error), generation lookup, key info,
// the keys API, and each typed error with our message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OpenRouter } from '@openrouter/sdk';
import * as errors from '@openrouter/sdk/models/errors';
import type { ChatResult, ChatStreamChunk } from '@openrouter/sdk/models';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { createKey } from '../helpers/accounting.js';

let gw: TestGateway;
let sims: SimSet;
let or: OpenRouter;
const ASK = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

before(async () => {
  ({ gw, sims } = await startDemoGateway());
  or = client(gw.adminKey);
});
after(async () => {
  await gw.close();
  await sims.close();
});

// the upstream model name the simulators answer with (the catalog's, so the test follows catalog updates)
const upstream = (id: string) => gw.app.catalog.get(id)!.endpoints[0].model;

function client(apiKey: string): OpenRouter {
  return new OpenRouter({ apiKey, serverURL: gw.url, retryConfig: { strategy: 'none' } });
}

async function rawIds(query: string): Promise<string[]> {
  const body = (await (await gw.fetch(`/models${query}`)).json()) as { data: Array<{ id: string }> };
  return body.data.map((m) => m.id);
}

test('models.list: the whole list, filters, and paging by limit/offset that ends', async () => {
  const all = await or.models.list();
  const ids = all.result.data.map((m) => m.id);
  assert.deepEqual(ids, await rawIds(''));
  assert.equal(all.result.totalCount, ids.length);
  const images = await or.models.list({ outputModalities: 'image' });
  assert.deepEqual(
    images.result.data.map((m) => m.id),
    await rawIds('?output_modalities=image'),
  );
  assert.ok(images.result.data.length > 0);
  const tools = await or.models.list({ supportedParameters: 'tools' });
  assert.ok(tools.result.data.every((m) => m.supportedParameters.includes('tools')));

  const paged: string[] = [];
  let pages = 0;
  for await (const page of await or.models.list({ limit: 10 })) {
    assert.ok(page.result.data.length <= 10);
    paged.push(...page.result.data.map((m) => m.id));
    assert.ok(++pages <= ids.length, 'the paginator stops');
  }
  assert.equal(pages, Math.ceil(ids.length / 10) + (ids.length % 10 === 0 ? 1 : 0));
  assert.deepEqual(paged, ids);
});

test('models.count, models.get (author/slug), endpoints.list', async () => {
  const count = await or.models.count();
  assert.equal(count.data.count, (await rawIds('')).length);
  const m = await or.models.get({ author: 'openai', slug: 'gpt-4o-mini' });
  assert.equal(m.data.id, 'openai/gpt-4o-mini');
  assert.equal(m.data.architecture.modality, 'text+image+file->text');
  assert.equal(m.data.links.details, '/v1/models/openai/gpt-4o-mini/endpoints');
  const ep = await or.endpoints.list({ author: 'openai', slug: 'gpt-4o-mini' });
  assert.equal(ep.data.id, 'openai/gpt-4o-mini');
  assert.ok(ep.data.endpoints.length > 0);
  for (const e of ep.data.endpoints) {
    assert.equal(typeof e.supportsImplicitCaching, 'boolean');
    assert.equal(e.supportsToolChoice.auto, e.supportedParameters.includes('tool_choice'));
  }
  await assert.rejects(or.models.get({ author: 'openai', slug: 'no-such-model' }), errors.NotFoundResponseError);
});

test('chat.send non-stream, then generations.getGeneration of its id', async () => {
  // the SDK types both overloads with the union: narrow by the `stream` we sent
  const r = (await or.chat.send({ chatRequest: { ...ASK, stream: false } })) as ChatResult;
  assert.match(String(r.choices[0].message.content), /^Hello from gpt-4o-mini/);
  assert.equal(r.choices[0].finishReason, 'stop');
  const g = await or.generations.getGeneration({ id: r.id });
  assert.equal(g.data.id, r.id);
  assert.equal(g.data.model, 'openai/gpt-4o-mini');
  assert.equal(g.data.providerName, 'openai');
  assert.ok(g.data.totalCost > 0);
  assert.equal(g.data.usage, g.data.totalCost);
  assert.deepEqual(
    g.data.providerResponses?.map((p) => [p.providerName, p.status]),
    [['openai', 200]],
  );
});

test('chat.send stream: every chunk validates; an in-band error chunk is typed, not a ZodError', async () => {
  const s = (await or.chat.send({ chatRequest: { ...ASK, stream: true as const } })) as AsyncIterable<ChatStreamChunk>;
  let text = '';
  let finish: unknown = null;
  for await (const c of s) {
    text += c.choices[0]?.delta?.content ?? '';
    finish = c.choices[0]?.finishReason ?? finish;
  }
  assert.match(text, /^Hello from gpt-4o-mini/);
  assert.equal(finish, 'stop');

  sims.openai.script({ match: { model: upstream('openai/gpt-4o-mini') }, errorEventMidStream: true });
  const failing = (await or.chat.send({
    chatRequest: { ...ASK, stream: true as const },
  })) as AsyncIterable<ChatStreamChunk>;
  const errs = [];
  for await (const c of failing) if (c.error) errs.push(c.error);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].code, 502);
  assert.match(errs[0].message, /OpenAI/);
  assert.equal(errs[0].metadata?.errorType, 'provider_unavailable');
});

test('apiKeys: current key info, and create / get / update / list / delete', async () => {
  const me = await or.apiKeys.getCurrentKeyMetadata();
  assert.equal(typeof me.data.label, 'string');
  assert.equal(me.data.isManagementKey, true);
  const made = await or.apiKeys.create({ requestBody: { name: 'sdk-made', limit: 5 } });
  assert.match(made.key, /^lr_live_/);
  const hash = made.data.hash;
  assert.equal((await or.apiKeys.get({ hash })).data.name, 'sdk-made');
  assert.equal((await or.apiKeys.update({ hash, requestBody: { name: 'sdk-renamed' } })).data.name, 'sdk-renamed');
  assert.ok((await or.apiKeys.list()).data.some((k) => k.hash === hash));
  const theirs = await client(made.key).apiKeys.getCurrentKeyMetadata();
  assert.equal(theirs.data.limit, 5);
  assert.equal(theirs.data.isManagementKey, false);
  assert.equal((await or.apiKeys.delete({ hash })).deleted, true);
});

test('typed errors 400, 401, 402, 404, 429 carry our message; our string code is in error.metadata.code', async () => {
  const cases: Array<[string, () => Promise<unknown>, new (...a: never[]) => Error, RegExp, string]> = [
    [
      '400',
      () => or.chat.send({ chatRequest: { ...ASK, messages: [] } }),
      errors.BadRequestResponseError,
      /messages/,
      'invalid_request',
    ],
    [
      '401',
      () => client('lr_live_notakey000000000000000000000000000').chat.send({ chatRequest: ASK }),
      errors.UnauthorizedResponseError,
      /Invalid API key/,
      'invalid_api_key',
    ],
    [
      '404',
      () => or.chat.send({ chatRequest: { ...ASK, model: 'nope/nope' } }),
      errors.NotFoundResponseError,
      /"nope\/nope" not found/,
      'model_not_found',
    ],
  ];
  const poor = await createKey(gw, { name: 'poor', limit: 0.000001 });
  cases.push([
    '402',
    () => client(poor.key).chat.send({ chatRequest: ASK }),
    errors.PaymentRequiredResponseError,
    /limit/,
    'key_limit_exceeded',
  ]);
  const slow = await createKey(gw, { name: 'slow', rate_limit: { requests_per_minute: 1 } });
  await client(slow.key).chat.send({ chatRequest: ASK });
  cases.push([
    '429',
    () => client(slow.key).chat.send({ chatRequest: ASK }),
    errors.TooManyRequestsResponseError,
    /rate limit/i,
    'rate_limit_exceeded',
  ]);
  for (const [status, call, Type, message, code] of cases) {
    const err = await call().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof Type, `${status}: got ${String(err)}`);
    const e = err as errors.BadRequestResponseError;
    assert.equal(e.statusCode, Number(status));
    assert.equal(e.error.code, Number(status));
    assert.match(e.message, message, status);
    assert.equal(e.error.metadata?.code, code, status);
  }
});
