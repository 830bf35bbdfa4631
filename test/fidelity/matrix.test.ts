// The fidelity matrix, end to end: every inbound API (Chat Completions, Anthropic Messages, OpenAI Responses)
// × every upstream dialect × every feature of test/fidelity/cases.ts, through one demo gateway and raw HTTP.
// An `unsupported` cell asserts the exact error a client gets; a `bug` cell runs as a todo; none is skipped.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { expectedCost, rowCounts, usdNumber, usdString, waitForGeneration } from '../helpers/accounting.js';
import { readSse } from '../helpers/sse.js';
import { cells, type Cell } from './cases.js';
import { DRIVERS } from './apis.js';
import type { Answer, Ask, History } from './answer.js';
import { FEATURE_RUNS, type CellContext, type Sent } from './features.js';

let gw: TestGateway;
let sims: SimSet;

before(async () => {
  ({ gw, sims } = await startDemoGateway());
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

function endpoint(model: string) {
  const m = gw.app.catalog.get(model);
  assert.ok(m, `catalog model ${model}`);
  return m.endpoints[0];
}

async function post(cell: Cell, ask: Ask, history?: History, signal?: AbortSignal): Promise<Response> {
  const d = DRIVERS[cell.api];
  return gw.fetch(d.path, {
    method: 'POST',
    key: null,
    headers: d.headers(gw.adminKey),
    json: d.body(ask, history),
    signal,
  });
}

function context(cell: Cell): CellContext {
  const d = DRIVERS[cell.api];
  const ep = endpoint(cell.model);
  const counts = (a: Answer) => ({
    prompt: a.usage!.input,
    completion: a.usage!.output,
    cachedRead: a.usage!.cached,
    cacheWrite: a.usage!.cacheWrite,
    reasoning: Number.isNaN(a.usage!.reasoning) ? 0 : a.usage!.reasoning,
    images: 0,
  });
  return {
    cell,
    upstream: ep.model,
    async send(ask, history) {
      const res = await post(cell, ask, history);
      const body = (await res.json()) as any;
      const genId = res.headers.get('x-arouter-generation-id') ?? '';
      return { status: res.status, genId, answer: res.status === 200 ? d.parse(body) : body, pieces: [] };
    },
    async stream(ask, abortAfter) {
      const ac = new AbortController();
      const res = await post(cell, { ...ask, stream: true }, undefined, ac.signal);
      const genId = res.headers.get('x-arouter-generation-id') ?? '';
      if (res.status !== 200) return { status: res.status, genId, answer: (await res.json()) as any, pieces: [] };
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const reader = d.reader();
      const pieces: string[] = [];
      for await (const ev of readSse(res.body!)) {
        const piece = reader.push(ev);
        if (piece) pieces.push(piece);
        if (abortAfter !== undefined && pieces.length >= abortAfter) {
          ac.abort();
          return { status: 200, genId, answer: null as unknown as Answer, pieces };
        }
      }
      assert.equal(abortAfter, undefined, 'the stream ended before the client aborted');
      return { status: 200, genId, answer: reader.finish(), pieces };
    },
    script(rule) {
      sims[cell.dialect].script(rule);
    },
    assertCost(a) {
      assert.ok(a.usage, 'usage present');
      const want = expectedCost(ep.pricing, counts(a));
      assert.equal(a.usage.cost, usdNumber(want), `cost of ${JSON.stringify(a.usage)}`);
    },
    assertRowCost(g) {
      const want = expectedCost(ep.pricing, rowCounts(g));
      assert.equal(g.total_cost_exact, usdString(want), JSON.stringify(g));
      return usdNumber(want);
    },
    generation: (id) => {
      assert.ok(id, 'the answer names its generation (x-arouter-generation-id)');
      return waitForGeneration(gw, id);
    },
  };
}

async function refused(cell: Cell, c: CellContext, ask: Ask): Promise<void> {
  assert.ok(cell.outcome.kind === 'unsupported');
  const s: Sent = ask.stream ? await c.stream(ask) : await c.send(ask);
  assert.equal(s.status, cell.outcome.status, JSON.stringify(s.answer).slice(0, 400));
  assert.deepEqual(DRIVERS[cell.api].errorOf(s.answer), { type: cell.outcome.type, message: cell.outcome.message });
}

/** OpenAI endpoints get Responses requests on their own /v1/responses (catalog `responses_api`), the rest on chat */
function assertOpenAIApi(cell: Cell): void {
  if (cell.dialect !== 'openai') return;
  const want = cell.api === 'responses' ? '/v1/responses' : '/v1/chat/completions';
  const paths = sims.openai.requests.filter((r) => r.method === 'POST').map((r) => r.path);
  assert.ok(paths.length > 0 && paths.every((p) => p === want), `upstream calls ${paths.join(', ')}, want ${want}`);
}

for (const cell of cells()) {
  const o = cell.outcome;
  const name = `${cell.api} × ${cell.dialect} × ${cell.feature} (${cell.model})${o.kind === 'ok' ? '' : ` [${o.kind}]`}`;
  test(name, { todo: o.kind === 'bug' ? o.note : undefined }, async () => {
    const c = context(cell);
    const f = FEATURE_RUNS[cell.feature];
    const ask = f.ask(c);
    if (o.kind === 'unsupported') await refused(cell, c, ask);
    else {
      await f.run(c, ask);
      assertOpenAIApi(cell);
    }
  });
}
