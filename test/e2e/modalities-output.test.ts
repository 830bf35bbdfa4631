// Image and audio output through chat completions, with the openai SDK against a listening gateway and the
// simulated upstreams: Gemini image models (gemini dialect), OpenAI image and audio models through OpenRouter
// (openai dialect), stream and non-stream, the media decoded and checked, the cost equal both ways.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';
import { dataUrlBytes, parsePng, parseWav } from '../helpers/media.js';

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

type Extra = Record<string, unknown>;
type Usage = { cost?: number; completion_tokens: number; completion_tokens_details?: Extra };

async function complete(body: Extra) {
  const res = await client.chat.completions.create({
    messages: [{ role: 'user', content: 'Draw a red square' }],
    ...body,
  } as never);
  return res as unknown as {
    choices: Array<{ message: Extra & { content: string | null; images?: Array<{ image_url: { url: string } }> } }>;
    usage: Usage;
  };
}

/** the stream's deltas folded: content, images, audio pieces, and its usage chunk */
async function streamed(body: Extra) {
  const stream = await client.chat.completions.create({
    messages: [{ role: 'user', content: 'Draw a red square' }],
    stream: true,
    ...body,
  } as never);
  let content = '';
  const images: Array<{ image_url: { url: string } }> = [];
  const audio = { id: '', data: '', transcript: '', expires_at: 0 };
  let usage: Usage | null = null;
  for await (const chunk of stream as unknown as AsyncIterable<Extra>) {
    const c = chunk as { choices: Array<{ delta: Extra }>; usage?: Usage };
    if (c.usage) usage = c.usage;
    const d = c.choices[0]?.delta as
      { content?: string; images?: typeof images; audio?: Partial<typeof audio> } | undefined;
    if (!d) continue;
    if (d.content) content += d.content;
    if (d.images) images.push(...d.images);
    if (d.audio?.id) audio.id = d.audio.id;
    if (d.audio?.data) audio.data += d.audio.data;
    if (d.audio?.transcript) audio.transcript += d.audio.transcript;
    if (d.audio?.expires_at) audio.expires_at = d.audio.expires_at;
  }
  return { content, images, audio, usage };
}

const IMAGE_MODELS = [
  { model: 'google/gemini-2.5-flash-image', sim: () => sims.gemini, dialect: 'gemini' },
  { model: 'openai/gpt-5-image-mini', sim: () => sims.openai, dialect: 'openai' },
] as const;

for (const m of IMAGE_MODELS) {
  test(`image output: ${m.model} (${m.dialect} dialect) answers a PNG in message.images and delta.images, same cost`, async () => {
    const body = { model: m.model, modalities: ['image', 'text'], image_config: { aspect_ratio: '16:9' } };
    const res = await complete(body);
    const msg = res.choices[0].message;
    assert.equal(msg.images?.length, 1);
    const png = parsePng(dataUrlBytes(msg.images![0].image_url.url, 'image/png'));
    assert.deepEqual([png.width, png.height], [8, 8]);
    assert.ok((res.usage.cost ?? 0) > 0);
    assert.ok(((res.usage.completion_tokens_details?.image_tokens as number) ?? 0) > 0, 'image tokens reported');

    const upstream = m.sim().requests.at(-1)!.body as Extra;
    if (m.dialect === 'gemini') {
      const gc = upstream.generationConfig as Extra;
      assert.deepEqual(gc.responseModalities, ['IMAGE', 'TEXT']);
      assert.deepEqual(gc.imageConfig, { aspectRatio: '16:9' });
    } else {
      assert.deepEqual(upstream.modalities, ['image', 'text']);
      assert.deepEqual(upstream.image_config, { aspect_ratio: '16:9' });
    }

    const s = await streamed(body);
    assert.equal(s.images.length, 1);
    // the same prompt draws the same image, and costs the same streamed
    assert.equal(s.images[0].image_url.url, msg.images![0].image_url.url);
    assert.ok(s.usage, 'usage chunk');
    assert.equal(s.usage!.cost, res.usage.cost);
    assert.equal(s.usage!.completion_tokens, res.usage.completion_tokens);
  });
}

test('image output priced: Gemini image tokens at the catalog completion price', async () => {
  const res = await complete({ model: 'google/gemini-2.5-flash-image', modalities: ['image', 'text'] });
  const imageTokens = res.usage.completion_tokens_details?.image_tokens as number;
  assert.equal(imageTokens, 1290);
  // $30 per M output tokens: the image alone is 1290 × 0.00003 = $0.0387
  assert.ok(res.usage.cost! >= 0.0387, `cost ${res.usage.cost}`);
});

test('audio output: openai/gpt-audio-mini answers a WAV with a transcript, non-stream (assembled) and stream', async () => {
  const body = {
    model: 'openai/gpt-audio-mini',
    modalities: ['text', 'audio'],
    audio: { voice: 'alloy', format: 'wav' },
  };
  const res = await complete(body);
  const audio = res.choices[0].message.audio as { id: string; data: string; transcript: string; expires_at: number };
  assert.ok(audio, 'message.audio');
  const wav = parseWav(Buffer.from(audio.data, 'base64'));
  assert.ok(wav.samples > 0);
  assert.ok(audio.transcript.length > 0, 'transcript');
  assert.ok(audio.id.length > 0 && audio.expires_at > 0);
  assert.ok((res.usage.cost ?? 0) > 0);
  // OpenRouter streams audio only: the upstream call was a stream even though the client's was not
  const up = sims.openai.requests.at(-1)!.body as Extra;
  assert.equal(up.stream, true);
  assert.deepEqual(up.audio, { voice: 'alloy', format: 'wav' });

  const s = await streamed(body);
  assert.equal(s.audio.data, audio.data);
  assert.equal(s.audio.transcript, audio.transcript);
  parseWav(Buffer.from(s.audio.data, 'base64'));
  assert.equal(s.usage!.cost, res.usage.cost);
});

test('a model without the output modality: 404 naming modalities, nothing sent upstream', async () => {
  await assert.rejects(
    complete({ model: 'openai/gpt-4o-mini', modalities: ['image', 'text'] }),
    (e: InstanceType<typeof OpenAI.APIError>) => {
      assert.equal(e.status, 404);
      assert.equal(e.param, 'modalities');
      assert.match(e.message, /output modalities: image/);
      return true;
    },
  );
  await assert.rejects(
    complete({ model: 'google/gemini-2.5-flash', modalities: ['text', 'audio'], audio: { voice: 'a', format: 'wav' } }),
    (e: InstanceType<typeof OpenAI.APIError>) => e.status === 404 && e.param === 'modalities',
  );
  assert.equal(sims.openai.requests.length + sims.gemini.requests.length, 0);
});

test('audio output without the audio parameter: 400 naming audio', async () => {
  await assert.rejects(
    complete({ model: 'openai/gpt-audio-mini', modalities: ['text', 'audio'] }),
    (e: InstanceType<typeof OpenAI.APIError>) => e.status === 400 && e.param === 'audio',
  );
});
