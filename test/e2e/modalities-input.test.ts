// Audio and file inputs through chat completions, with the official openai SDK against a real ARouter whose
// providers are the simulated upstreams (which validate each request against the provider's spec).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startDemoGateway, startGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let sims: SimSet;
let client: OpenAI;
before(async () => {
  ({ gw, sims } = await startDemoGateway());
  client = new OpenAI({ baseURL: gw.url, apiKey: gw.adminKey, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await sims.close();
});
beforeEach(() => sims.resetAll());

const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const PDF_URL = `data:application/pdf;base64,${PDF_BYTES.toString('base64')}`;
const WAV_BYTES = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 1)]);
const WAV64 = WAV_BYTES.toString('base64');

type Part = OpenAI.Chat.Completions.ChatCompletionContentPart;
const pdfPart: Part = { type: 'file', file: { filename: 'report.pdf', file_data: PDF_URL } };
const audioPart: Part = { type: 'input_audio', input_audio: { data: WAV64, format: 'wav' } };
const ask = (...parts: Part[]): OpenAI.Chat.Completions.ChatCompletionMessageParam[] => [
  { role: 'user', content: [{ type: 'text', text: 'What is in here?' }, ...parts] },
];

test('a PDF file part reaches OpenAI as a file part, Anthropic as a document block, Gemini as inlineData', async () => {
  const cases = [
    {
      model: 'openai/gpt-4o',
      sim: () => sims.openai,
      said: `file (report.pdf, application/pdf, ${PDF_BYTES.length} bytes)`,
    },
    {
      model: 'anthropic/claude-sonnet-4.5',
      sim: () => sims.anthropic,
      said: `document (report.pdf, application/pdf, ${PDF_BYTES.length} bytes)`,
    },
    {
      model: 'google/gemini-2.5-pro',
      sim: () => sims.gemini,
      said: `file (application/pdf, ${PDF_BYTES.length} bytes)`,
    },
  ];
  for (const c of cases) {
    const r: OpenAI.Chat.Completions.ChatCompletion = await client.chat.completions.create({
      model: c.model,
      messages: ask(pdfPart),
    });
    assert.equal(r.model, c.model);
    assert.ok(
      r.choices[0].message.content?.includes(`I received ${c.said}.`),
      `${c.model}: ${r.choices[0].message.content}`,
    );
    assert.equal(c.sim().requests.length, 1, c.model);
  }
  const sentOpenAI = sims.openai.requests[0].body as { messages: Array<{ content: unknown[] }> };
  assert.deepEqual(sentOpenAI.messages[0].content[1], pdfPart);
  const sentAnthropic = sims.anthropic.requests[0].body as { messages: Array<{ content: unknown[] }> };
  assert.deepEqual(sentAnthropic.messages[0].content[1], {
    type: 'document',
    source: { type: 'base64', media_type: 'application/pdf', data: PDF_BYTES.toString('base64') },
    title: 'report.pdf',
  });
  const sentGemini = sims.gemini.requests[0].body as { contents: Array<{ parts: unknown[] }> };
  assert.deepEqual(sentGemini.contents[0].parts[1], {
    inlineData: { mimeType: 'application/pdf', data: PDF_BYTES.toString('base64') },
  });
});

test('input_audio reaches Gemini as inlineData audio/wav and an OpenAI audio model as input_audio', async () => {
  const g = await client.chat.completions.create({ model: 'google/gemini-2.5-flash', messages: ask(audioPart) });
  assert.match(
    g.choices[0].message.content ?? '',
    new RegExp(`I received audio \\(audio/wav, ${WAV_BYTES.length} bytes\\)`),
  );
  const sentGemini = sims.gemini.requests[0].body as { contents: Array<{ parts: unknown[] }> };
  assert.deepEqual(sentGemini.contents[0].parts[1], { inlineData: { mimeType: 'audio/wav', data: WAV64 } });

  // a browser-style data URL is reduced to the bare base64 OpenAI's spec asks for
  const o = await client.chat.completions.create({
    model: 'openai/gpt-audio',
    messages: ask({ type: 'input_audio', input_audio: { data: `data:audio/wav;base64,${WAV64}`, format: 'wav' } }),
  });
  assert.equal(o.model, 'openai/gpt-audio');
  assert.match(o.choices[0].message.content ?? '', new RegExp(`I received audio \\(wav, ${WAV_BYTES.length} bytes\\)`));
  const sentOpenAI = sims.openai.requests[0].body as { messages: Array<{ content: unknown[] }> };
  assert.deepEqual(sentOpenAI.messages[0].content[1], audioPart);
  // the upstream counts the audio in its prompt tokens (the sim: one per 100 bytes), billed at the prompt price
  const long = await client.chat.completions.create({
    model: 'openai/gpt-audio',
    messages: ask({
      type: 'input_audio',
      input_audio: { data: Buffer.alloc(10_000).toString('base64'), format: 'mp3' },
    }),
  });
  assert.ok((long.usage?.prompt_tokens ?? 0) >= 100, JSON.stringify(long.usage));
});

test('audio to a model that cannot read it: 400 naming the part, nothing sent upstream', async () => {
  await assert.rejects(
    client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'system', content: 'Be terse.' }, ...ask(pdfPart, audioPart)],
    }),
    (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.param, 'messages[1].content[2]');
      assert.equal((e.error as { metadata?: { code?: string } }).metadata?.code, 'unsupported_input_modality');
      assert.equal(
        e.message,
        '400 openai/gpt-4o-mini cannot read input_audio (its input modalities: text, image, file)',
      );
      return true;
    },
  );
  assert.equal(sims.openai.requests.length, 0);
});

test('models: [a, b] with audio only b reads: served by b, and the route says why a was skipped', async () => {
  const body = {
    model: 'anthropic/claude-sonnet-4.5',
    models: ['google/gemini-2.5-flash'],
    messages: ask(audioPart),
  };
  const r = await client.chat.completions.create(
    body as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
  );
  assert.equal(r.model, 'google/gemini-2.5-flash');
  assert.equal(sims.anthropic.requests.length, 0);
  const dry = await gw.fetch('/route', { method: 'POST', json: body });
  assert.equal(dry.status, 200);
  const plan = (await dry.json()) as {
    data: {
      explanation: {
        models: Array<{ requested: string; failure: string | null }>;
        dropped: Array<{ model: string; reason: string; detail: string }>;
      };
    };
  };
  const skipped = plan.data.explanation.models.find((m) => m.requested === 'anthropic/claude-sonnet-4.5');
  assert.equal(
    skipped?.failure,
    'anthropic/claude-sonnet-4.5 cannot read input_audio (its input modalities: text, image, file)',
  );
  assert.ok(
    plan.data.explanation.dropped.some((d) => d.model === 'anthropic/claude-sonnet-4.5' && d.reason === 'modality'),
  );
});

test('a body above the limit is a 413 naming the setting that raises it', async () => {
  const small = await startGateway({ demoUpstreams: sims.urls, config: { server: { body_limit_bytes: 4096 } } });
  try {
    const res = await small.fetch('/chat/completions', {
      method: 'POST',
      json: {
        model: 'google/gemini-2.5-flash',
        messages: ask({ ...audioPart, input_audio: { data: 'A'.repeat(8000), format: 'wav' } }),
      },
    });
    assert.equal(res.status, 413);
    const err = ((await res.json()) as { error: { message: string; metadata?: { code?: string } } }).error;
    assert.equal(err.metadata?.code, 'payload_too_large');
    assert.match(err.message, /limit of 4096 bytes \(server\.body_limit_bytes, env AROUTER_BODY_LIMIT\)/);
  } finally {
    await small.close();
  }
});
