// Issue 12 item 4: deeply nested JSON. Before: 100k-deep `content` / `temperature` / tool parameters answered
// 500 (stack overflow in a recursive walker), a deep `response_format` schema a 502 "upstream connection error:
// RangeError" that counted against the endpoint, so three of them opened its circuit breaker for everyone.
// Now: a 400 naming the field, decided on the raw body, and the endpoint's health untouched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

const MINI = 'openai/gpt-5-mini';
const GEMINI = 'google/gemini-2.5-flash';
const N = 100_000;
const arrays = '['.repeat(N) + ']'.repeat(N);
const objects = '{"x":'.repeat(N) + '1' + '}'.repeat(N);
const schema = '{"type":"object","properties":{"a":'.repeat(N / 10) + '{"type":"string"}' + '}}'.repeat(N / 10);

const chat = (model: string, extra: string, content = '"hi"') =>
  `{"model":"${model}","messages":[{"role":"user","content":${content}}]${extra}}`;
const tool = (parameters: string) =>
  `,"tools":[{"type":"function","function":{"name":"f","parameters":${parameters}}}]`;
const format = (s: string) => `,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${s}}}`;

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  ({ gw, sims } = await startDemoGateway({ routing: { breaker_failures: 3 } }));
});
after(async () => {
  await gw.close();
  await sims.close();
});

async function post(body: string): Promise<{
  status: number;
  body: { error?: { message: string; metadata: { code: string }; param: string | null } };
}> {
  const res = await gw.fetch('/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return {
    status: res.status,
    body: (await res.json()) as { error?: { message: string; metadata: { code: string }; param: string | null } },
  };
}

async function circuits(model: string): Promise<string[]> {
  const res = await gw.fetch(`/models/${model}/endpoints`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: { endpoints: { circuit: string }[] } };
  return body.data.endpoints.map((e) => e.circuit);
}

test('100k-deep content, temperature, tool parameters and response_format schemas are 400s naming the field', async () => {
  const cases: [string, string][] = [
    [chat(MINI, '', arrays), 'messages[0].content'],
    [chat(MINI, '', objects), 'messages[0].content'],
    [chat(MINI, `,"temperature":${arrays}`), 'temperature'],
    [chat(MINI, tool(objects)), 'tools[0].function.parameters'],
    [chat(GEMINI, tool(schema)), 'tools[0].function.parameters'],
    [chat(MINI, format(schema)), 'response_format.json_schema.schema'],
    [chat(GEMINI, format(schema)), 'response_format.json_schema.schema'],
  ];
  for (const [body, field] of cases) {
    const r = await post(body);
    assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error?.param, field);
    assert.equal(r.body.error?.metadata.code, 'too_deep');
    assert.match(r.body.error!.message, /nested too deeply.*64 levels/);
  }
  // a real-world depth (a schema ten objects deep) is served
  const ten = '{"type":"object","properties":{"a":'.repeat(10) + '{"type":"string"}' + '}}'.repeat(10);
  for (const model of [MINI, GEMINI]) {
    const ok = await post(chat(model, format(ten)));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  }
});

test('deep requests never count against the endpoint: its circuit stays closed and it keeps serving', async () => {
  const before = sims.openai.requests.length + sims.gemini.requests.length;
  for (let i = 0; i < 5; i++) {
    for (const model of [MINI, GEMINI]) assert.equal((await post(chat(model, format(schema)))).status, 400);
  }
  // nothing was sent upstream
  assert.equal(sims.openai.requests.length + sims.gemini.requests.length, before);
  for (const model of [MINI, GEMINI]) {
    const states = await circuits(model);
    assert.ok(states.length > 0);
    assert.deepEqual(
      states.filter((s) => s !== 'closed'),
      [],
      `${model}: ${states.join(',')}`,
    );
    assert.equal(gw.app.health.keys().filter((k) => gw.app.health.isRecentlyFailing(k)).length, 0);
    const ok = await post(chat(model, ''));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  }
});
