// The fidelity matrix's features, each written once against the neutral Ask / Answer of ./answer.ts: `ask` is
// the cell's first request (what an `unsupported` cell expects refused), `run` drives the cell and asserts it.
// The API-specific shapes are asserted by the drivers (./api-*.ts) as they read each answer.
import assert from 'node:assert/strict';
import type { Cell, Feature } from './cases.js';
import type { Answer, Ask, History, ToolDef } from './answer.js';
import type { Generation } from '../helpers/accounting.js';

export interface Sent {
  status: number;
  genId: string;
  answer: Answer;
  /** streams: the text pieces as they arrived */
  pieces: string[];
}

/** what the matrix test gives a feature: its gateway, drivers and simulated upstreams, bound to the cell */
export interface CellContext {
  cell: Cell;
  /** the upstream's name of the cell's model (what the simulator says it is) */
  upstream: string;
  send(ask: Ask, history?: History): Promise<Sent>;
  /** a streamed request; `abortAfter` = hang up after that many text pieces */
  stream(ask: Ask, abortAfter?: number): Promise<Sent>;
  /** script the cell's simulated upstream for its next request */
  script(rule: Record<string, unknown>): void;
  /** asserts usage.cost is what the model's prices make of the usage's counts */
  assertCost(a: Answer): void;
  /** asserts a ledger row's cost is what the prices make of its counts; returns the cost (USD) */
  assertRowCost(g: Generation): number;
  generation(id: string): Promise<Generation>;
}

const WEATHER: ToolDef = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const TIME: ToolDef = {
  name: 'get_time',
  description: 'Local time in a timezone',
  parameters: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
};
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, population: { type: 'integer' } },
  required: ['city', 'population'],
  additionalProperties: false,
};
const LONG_REPLY = 'The quick brown fox jumps over the lazy dog while the cat watches. '.repeat(40);
const USER = 'hello matrix';
// https://docs.anthropic.com/en/api/errors
const ANTHROPIC_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'timeout_error',
  'api_error',
  'overloaded_error',
]);

/** the simulators' deterministic answer (src/sim/README.md, "Deterministic answers") */
const hello = (c: CellContext, user = USER) => `Hello from ${c.upstream}. You said: ${user.slice(0, 40)}`;

function ok(s: Sent): Answer {
  assert.equal(s.status, 200, JSON.stringify(s.answer?.raw ?? null).slice(0, 400));
  return s.answer;
}

function assertUsage(a: Answer): void {
  assert.ok(a.usage, 'usage present');
  assert.ok(a.usage.input > 0 && a.usage.output > 0, JSON.stringify(a.usage));
}

/** a system prompt over the simulators' 1024-token caching minimum, unique to the cell */
const longSystem = (cell: Cell) =>
  `Cell ${cell.api}/${cell.dialect}. ` + 'You are a careful assistant who answers briefly and precisely. '.repeat(90);

interface FeatureRun {
  ask(c: CellContext): Ask;
  run(c: CellContext, ask: Ask): Promise<void>;
}

async function toolCall(c: CellContext, ask: Ask): Promise<Answer> {
  const a = ok(await c.send(ask));
  assert.equal(a.finish, 'tool');
  return a;
}

export const FEATURE_RUNS: Record<Feature, FeatureRun> = {
  text: {
    ask: (c) => ({ model: c.cell.model, user: USER }),
    async run(c, ask) {
      const s = await c.send(ask);
      const a = ok(s);
      assert.equal(a.text, hello(c));
      assert.equal(a.finish, 'stop');
      assertUsage(a);
      c.assertCost(a);
      const g = await c.generation(s.genId);
      assert.equal(g.total_cost, a.usage!.cost, 'the ledger records the cost the client was told');
      assert.equal(g.tokens_prompt, a.usage!.input);
      assert.equal(g.tokens_completion, a.usage!.output);
    },
  },
  stream: {
    ask: (c) => ({ model: c.cell.model, user: USER, stream: true }),
    async run(c, ask) {
      const s = await c.stream(ask);
      const a = ok(s);
      assert.ok(s.pieces.filter((p) => p !== '').length > 1, 'the text arrives in pieces');
      assert.equal(a.finish, 'stop');
      assert.equal(a.text, ok(await c.send({ ...ask, stream: false })).text);
      assert.equal(a.text, hello(c));
    },
  },
  tools: {
    ask: (c) => ({ model: c.cell.model, user: 'weather in Paris?', tools: [WEATHER] }),
    async run(c, ask) {
      const a = await toolCall(c, ask);
      assert.equal(a.toolCalls.length, 1);
      assert.equal(a.toolCalls[0].name, 'get_weather');
      assert.deepEqual(a.toolCalls[0].args, { city: 'example' });
      const s = await c.stream({ ...ask, stream: true });
      assert.deepEqual(
        ok(s).toolCalls.map((t) => [t.name, t.args]),
        [['get_weather', { city: 'example' }]],
        'streamed the same call',
      );
    },
  },
  parallel_tools: {
    ask: (c) => ({ model: c.cell.model, user: 'weather and time in Paris?', tools: [WEATHER, TIME], parallel: true }),
    async run(c, ask) {
      const a = await toolCall(c, ask);
      assert.deepEqual(
        a.toolCalls.map((t) => t.name),
        ['get_weather', 'get_time'],
      );
      assert.deepEqual(a.toolCalls[1].args, { timezone: 'example' });
      assert.notEqual(a.toolCalls[0].id, a.toolCalls[1].id);
      const s = ok(await c.stream({ ...ask, stream: true }));
      assert.deepEqual(
        s.toolCalls.map((t) => t.name),
        ['get_weather', 'get_time'],
      );
    },
  },
  tool_results: {
    ask: (c) => ({ model: c.cell.model, user: 'weather and time in Paris?', tools: [WEATHER, TIME], parallel: true }),
    async run(c, ask) {
      const first = await toolCall(c, ask);
      assert.equal(first.toolCalls.length, 2);
      const second = ok(await c.send(ask, { prev: first, results: ['sunny, 21C', '14:05'] }));
      assert.equal(second.finish, 'stop');
      assert.equal(second.text, 'Tool results: sunny, 21C; 14:05');
      assertUsage(second);
    },
  },
  images: {
    ask: (c) => ({ model: c.cell.model, user: 'what is in the picture?', image: PNG }),
    async run(c, ask) {
      const a = ok(await c.send(ask));
      assert.equal(a.text, hello(c, ask.user) + ' I see 1 image(s).');
      // the simulators count 85 tokens an image
      assert.ok(a.usage!.input >= 85, `input tokens ${a.usage!.input}`);
    },
  },
  reasoning: {
    // Anthropic's least thinking budget is 1024 and must stay under max_tokens: below that ARouter answers
    // without thinking (README, reasoning)
    ask: (c) => ({ model: c.cell.model, user: USER, reasoning: true, maxTokens: 2048 }),
    async run(c, ask) {
      const a = ok(await c.send(ask));
      assert.equal(a.finish, 'stop');
      assert.match(a.reasoning, /A short, direct answer is best/);
      assert.equal(a.text, hello(c));
      // Messages usage has no reasoning count (NaN); output tokens include the thinking
      if (!Number.isNaN(a.usage!.reasoning)) assert.ok(a.usage!.reasoning > 0, 'reasoning tokens counted');
      assert.ok(a.usage!.output > Math.ceil(a.text.length / 4), 'output tokens include the reasoning');
      c.assertCost(a);
      const s = ok(await c.stream({ ...ask, stream: true }));
      assert.equal(s.reasoning, a.reasoning, 'the streamed reasoning is the same');
    },
  },
  json_schema: {
    ask: (c) => ({ model: c.cell.model, user: 'a city', jsonSchema: SCHEMA }),
    async run(c, ask) {
      const a = ok(await c.send(ask));
      assert.equal(a.finish, 'stop');
      assert.deepEqual(JSON.parse(a.text), { city: 'example', population: 1 });
    },
  },
  cache_tokens: {
    ask: (c) => ({ model: c.cell.model, user: USER, system: longSystem(c.cell), cacheMark: true }),
    async run(c, ask) {
      const first = ok(await c.send(ask));
      const s = await c.send(ask);
      const second = ok(s);
      if (c.cell.dialect === 'anthropic') {
        assert.ok(first.usage!.cacheWrite > 1024, `cache write tokens ${JSON.stringify(first.usage)}`);
        assert.equal(second.usage!.cached, first.usage!.cacheWrite, 'the written prefix is read back');
      } else assert.ok(second.usage!.cached >= 1024, `cached tokens ${JSON.stringify(second.usage)}`);
      assert.equal(second.usage!.input, first.usage!.input, 'cached tokens are part of the input');
      c.assertCost(first);
      c.assertCost(second);
      assert.ok(second.usage!.cost < first.usage!.cost, 'a cache read costs less');
      const g = await c.generation(s.genId);
      assert.equal(g.tokens_cached, second.usage!.cached);
      assert.equal(g.total_cost, second.usage!.cost);
    },
  },
  stream_usage: {
    ask: (c) => ({ model: c.cell.model, user: USER, stream: true }),
    async run(c, ask) {
      const s = await c.stream(ask);
      const streamed = ok(s);
      const plain = ok(await c.send({ ...ask, stream: false }));
      assert.ok(streamed.usage, 'the stream ends with its usage');
      assert.deepEqual(streamed.usage, plain.usage);
      c.assertCost(streamed);
      const g = await c.generation(s.genId);
      assert.equal(g.streamed, true);
      assert.equal(g.total_cost, streamed.usage.cost);
    },
  },
  midstream_error: {
    ask: (c) => ({ model: c.cell.model, user: USER, stream: true }),
    async run(c, ask) {
      c.script({ match: { model: c.upstream }, errorEventMidStream: true });
      const s = await c.stream(ask);
      assert.equal(s.status, 200, 'the stream had started');
      const a = s.answer;
      assert.ok(a.text.length > 0, 'content arrived before the error');
      assert.ok(hello(c).startsWith(a.text));
      assert.equal(a.finish, 'error');
      assert.ok(a.error && a.error.type && a.error.message, JSON.stringify(a.error));
      // each API's own in-band error (the drivers checked where it sits in the stream)
      if (c.cell.api === 'messages') assert.ok(ANTHROPIC_ERROR_TYPES.has(a.error.type), a.error.type);
      if (c.cell.api === 'responses') assert.equal(a.error.type, 'server_error');
      if (c.cell.api === 'chat')
        assert.ok(
          a.raw.some((ch: any) => ch.error && ch.choices?.[0]?.finish_reason === 'error'),
          'an error chunk with finish_reason error',
        );
      const g = await c.generation(s.genId);
      assert.equal(g.finish_reason, 'error');
      assert.equal(g.cancelled, false);
      assert.ok(g.tokens_completion > 0, 'what was delivered is billed');
      c.assertRowCost(g);
    },
  },
  abort: {
    ask: (c) => ({ model: c.cell.model, user: 'Tell me a long story', maxTokens: 400, stream: true }),
    async run(c, ask) {
      // ~4 tokens per piece at 40 tokens/s: a piece every ~100 ms, the whole answer would take ~10 s
      c.script({ match: { model: c.upstream }, reply: LONG_REPLY, tokensPerSecond: 40 });
      const s = await c.stream(ask, 3);
      const delivered = s.pieces.join('');
      assert.ok(delivered.length > 0 && LONG_REPLY.startsWith(delivered));
      const g = await c.generation(s.genId);
      assert.equal(g.cancelled, true, JSON.stringify(g));
      assert.equal(g.status, 499);
      assert.equal(g.streamed, true);
      assert.ok(g.tokens_completion > 0, 'what was delivered is billed');
      // the gateway may have read a piece or two the client never got; never the whole answer (400)
      assert.ok(
        g.tokens_completion <= Math.ceil(delivered.length / 4) + 16,
        `${g.tokens_completion} completion tokens billed for ${delivered.length} characters delivered`,
      );
      assert.ok(c.assertRowCost(g) > 0);
    },
  },
};
