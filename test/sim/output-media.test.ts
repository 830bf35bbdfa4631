// The simulated upstreams' image and audio output: real PNG / WAV bytes, deterministic per prompt, refused for
// models that cannot generate them, OpenRouter's extensions accepted only for OpenRouter-style ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';
import { dataUrlBytes, parsePng, parseWav } from '../helpers/media.js';
import { encodePng } from '../../src/lib/png.js';
import { http } from './helpers.js';

let openai: SimUpstream;
let gemini: SimUpstream;
before(async () => {
  [openai, gemini] = await Promise.all([
    startSimUpstream({ dialect: 'openai', port: 0 }),
    startSimUpstream({ dialect: 'gemini', port: 0 }),
  ]);
});
after(async () => {
  await Promise.all([openai.close(), gemini.close()]);
});

const auth = { authorization: 'Bearer sk-test' };
const msgs = [{ role: 'user', content: 'a cat' }];

test('PNG encoder: the decoder test helper fails on a corrupted CRC', () => {
  const png = encodePng(2, 2, () => [1, 2, 3]);
  parsePng(png);
  const bad = Buffer.from(png);
  bad[bad.length - 20] ^= 0xff;
  assert.throws(() => parsePng(bad));
});

test('openai sim: images for an OpenRouter image model, deterministic; image refused for OpenAI ids and text models', async () => {
  const body = {
    model: 'openai/gpt-5-image',
    messages: msgs,
    modalities: ['image', 'text'],
    image_config: { aspect_ratio: '1:1' },
  };
  const a = await http(`${openai.url}/chat/completions`, { headers: auth, body });
  assert.equal(a.status, 200, a.text);
  const url = a.json.choices[0].message.images[0].image_url.url;
  parsePng(dataUrlBytes(url, 'image/png'));
  const b = await http(`${openai.url}/chat/completions`, { headers: auth, body });
  assert.equal(b.json.choices[0].message.images[0].image_url.url, url);
  assert.equal(a.json.usage.completion_tokens_details.image_tokens, 1290);
  // OpenAI's own spec has no image modality nor image_config
  const oa = await http(`${openai.url}/chat/completions`, { headers: auth, body: { ...body, model: 'gpt-4o' } });
  assert.equal(oa.status, 400);
  const text = await http(`${openai.url}/chat/completions`, {
    headers: auth,
    body: { model: 'openai/gpt-4o', messages: msgs, modalities: ['image', 'text'] },
  });
  assert.equal(text.status, 400);
  assert.equal(text.json.error.param, 'modalities');
});

test('openai sim: audio (WAV + transcript) for audio models; OpenRouter ids need stream; text models refuse', async () => {
  const audio = { voice: 'alloy', format: 'wav' };
  const ok = await http(`${openai.url}/chat/completions`, {
    headers: auth,
    body: { model: 'gpt-4o-audio-preview', messages: msgs, modalities: ['text', 'audio'], audio },
  });
  assert.equal(ok.status, 200, ok.text);
  parseWav(Buffer.from(ok.json.choices[0].message.audio.data, 'base64'));
  assert.ok(ok.json.choices[0].message.audio.transcript.length > 0);
  const or = await http(`${openai.url}/chat/completions`, {
    headers: auth,
    body: { model: 'openai/gpt-audio', messages: msgs, modalities: ['text', 'audio'], audio },
  });
  assert.equal(or.status, 400);
  assert.equal(or.json.error.param, 'stream');
  const text = await http(`${openai.url}/chat/completions`, {
    headers: auth,
    body: { model: 'gpt-4o', messages: msgs, modalities: ['text', 'audio'], audio },
  });
  assert.equal(text.status, 400);
});

test('gemini sim: inlineData PNG for image models, 400 for a text model asked for IMAGE', async () => {
  const body = {
    contents: [{ role: 'user', parts: [{ text: 'a cat' }] }],
    generationConfig: { responseModalities: ['TEXT', 'IMAGE'] },
  };
  const h = { 'x-goog-api-key': 'k' };
  const ok = await http(`${gemini.url}/models/gemini-2.5-flash-image:generateContent`, { headers: h, body });
  assert.equal(ok.status, 200, ok.text);
  const part = ok.json.candidates[0].content.parts.find((p: { inlineData?: unknown }) => p.inlineData);
  parsePng(Buffer.from(part.inlineData.data, 'base64'));
  assert.deepEqual(ok.json.usageMetadata.candidatesTokensDetails.at(-1), { modality: 'IMAGE', tokenCount: 1290 });
  const bad = await http(`${gemini.url}/models/gemini-2.5-flash:generateContent`, { headers: h, body });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /response modalities: image/);
});
