// Image and audio output in the dialects: what each upstream is asked (OpenAI: modalities + audio;
// OpenRouter also image_config; Gemini: responseModalities + imageConfig, checked against the protos), how
// answers and streams are read (message/delta images and audio, Gemini inlineData), the media token counts,
// and the assembly of a stream-only answer for a non-stream client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildChatRequest as openaiBuild } from '../../src/providers/openai/request.js';
import { parseChatResponse as openaiParse } from '../../src/providers/openai/response.js';
import { createStreamTranslator as openaiStream } from '../../src/providers/openai/stream.js';
import { openaiDialect } from '../../src/providers/openai/index.js';
import { buildChatRequest as geminiBuild } from '../../src/providers/gemini/request.js';
import { parseChatResponse as geminiParse } from '../../src/providers/gemini/response.js';
import { createStreamTranslator as geminiStream } from '../../src/providers/gemini/stream.js';
import { assembleStream } from '../../src/providers/assemble.js';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { chatRequest, makeCtx as openaiCtx, runStream } from './openai-helpers.js';
import { makeCtx as geminiCtx, protoErrors } from './gemini-helpers.js';

const IMG = 'iVBORw0KGgo=';
const imageReq = (over: Partial<ChatRequest> = {}): ChatRequest =>
  chatRequest({ modalities: ['image', 'text'], image_config: { aspect_ratio: '16:9', image_size: '4K' }, ...over });
const audioReq = (): ChatRequest =>
  chatRequest({ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } });

test('openai dialect: image_config goes to OpenRouter only; modalities and audio to every host', () => {
  const or = JSON.parse(openaiBuild(imageReq(), openaiCtx({ providerId: 'openrouter' })).body);
  assert.deepEqual(or.modalities, ['image', 'text']);
  assert.deepEqual(or.image_config, { aspect_ratio: '16:9', image_size: '4K' });
  const oa = JSON.parse(openaiBuild(imageReq(), openaiCtx({ providerId: 'openai' })).body);
  assert.equal(oa.image_config, undefined);
  const audio = JSON.parse(openaiBuild(audioReq(), openaiCtx({ providerId: 'openai' })).body);
  assert.deepEqual(audio.modalities, ['text', 'audio']);
  assert.deepEqual(audio.audio, { voice: 'alloy', format: 'wav' });
  const text = JSON.parse(openaiBuild(chatRequest(), openaiCtx()).body);
  assert.equal(text.modalities, undefined);
  assert.equal(text.audio, undefined);
});

test('openai dialect: audio output is stream-only on OpenRouter and DashScope, not on OpenAI', () => {
  const so = openaiDialect.streamOnly!;
  assert.equal(so(audioReq(), openaiCtx({ providerId: 'openrouter' })), true);
  assert.equal(so(audioReq(), openaiCtx({ providerId: 'alibaba' })), true);
  assert.equal(so(audioReq(), openaiCtx({ providerId: 'openai' })), false);
  assert.equal(so(audioReq(), openaiCtx({ providerId: 'openrouter', stream: true })), false);
  assert.equal(so(imageReq(), openaiCtx({ providerId: 'openrouter' })), false);
});

test('openai dialect: message.images, message.audio and media tokens of a JSON answer', () => {
  const r = openaiParse(
    {
      id: 'gen-1',
      choices: [
        {
          finish_reason: 'stop',
          message: {
            role: 'assistant',
            content: 'Here.',
            images: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${IMG}` } }, { bogus: 1 }],
            audio: { id: 'audio_1', data: 'UklGRg==', transcript: 'Hi', expires_at: 99 },
          },
        },
      ],
      usage: {
        prompt_tokens: 5,
        completion_tokens: 1400,
        completion_tokens_details: { reasoning_tokens: 0, image_tokens: 1290, audio_tokens: 100 },
      },
    },
    openaiCtx(),
  );
  assert.deepEqual(r.images, [{ type: 'image_url', image_url: { url: `data:image/png;base64,${IMG}` } }]);
  assert.deepEqual(r.audio, { id: 'audio_1', data: 'UklGRg==', transcript: 'Hi', expires_at: 99 });
  assert.equal(r.usage?.output_image_tokens, 1290);
  assert.equal(r.usage?.output_audio_tokens, 100);
  const plain = openaiParse({ choices: [{ message: { content: 'x' } }] }, openaiCtx());
  assert.equal(plain.images, undefined);
  assert.equal(plain.audio, undefined);
});

const chunk = (delta: unknown, finish: string | null = null) =>
  ({ data: JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] }) }) as const;

test('openai dialect: delta.images and delta.audio pieces pass through the stream', () => {
  const events = runStream(openaiStream(openaiCtx({ stream: true })), [
    chunk({ role: 'assistant', content: '' }),
    chunk({ audio: { id: 'audio_1' } }),
    chunk({ audio: { transcript: 'Hel' } }),
    chunk({ audio: { data: 'UklG' } }),
    chunk({ images: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] }),
    chunk({ audio: { expires_at: 7 } }, 'stop'),
    { data: '[DONE]' },
  ]);
  const deltas = events.flatMap((e) => (e.type === 'delta' ? [e.delta] : []));
  assert.deepEqual(deltas, [
    { audio: { id: 'audio_1' } },
    { audio: { transcript: 'Hel' } },
    { audio: { data: 'UklG' } },
    { images: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] },
    { audio: { expires_at: 7 } },
  ]);
});

test('assembleStream: a buffered SSE answer becomes the JSON answer (audio joined, usage kept)', () => {
  const sse = [
    chunk({ role: 'assistant' }),
    chunk({ audio: { id: 'a1', transcript: 'Hello ' } }),
    chunk({ audio: { transcript: 'there', data: 'UklG' } }),
    chunk({ audio: { data: 'Rg==', expires_at: 5 } }, 'stop'),
    {
      data: JSON.stringify({
        choices: [],
        usage: { prompt_tokens: 3, completion_tokens: 30, completion_tokens_details: { audio_tokens: 25 } },
      }),
    },
    { data: '[DONE]' },
  ]
    .map((e) => `data: ${e.data}\n\n`)
    .join('');
  const r = assembleStream(Buffer.from(sse), openaiStream(openaiCtx({ stream: true })), 'OpenRouter');
  assert.deepEqual(r.audio, { id: 'a1', data: 'UklGRg==', transcript: 'Hello there', expires_at: 5 });
  assert.equal(r.content, null);
  assert.equal(r.finish_reason, 'stop');
  assert.equal(r.usage?.output_audio_tokens, 25);
  // cut before the finish: the attempt fails as a stream would
  const cut = sse.slice(0, sse.indexOf('"stop"') - 40);
  assert.throws(() => assembleStream(Buffer.from(cut), openaiStream(openaiCtx({ stream: true })), 'OpenRouter'));
});

test('gemini dialect: responseModalities and imageConfig (proto-valid; image_size has no proto field)', () => {
  const body = JSON.parse(geminiBuild(imageReq(), geminiCtx({ model: 'gemini-2.5-flash-image' })).body);
  assert.deepEqual(body.generationConfig.responseModalities, ['IMAGE', 'TEXT']);
  assert.deepEqual(body.generationConfig.imageConfig, { aspectRatio: '16:9' });
  assert.deepEqual(protoErrors(body, 'GenerateContentRequest', ['model']), []);
  const text = JSON.parse(geminiBuild(chatRequest({ modalities: ['text'] }), geminiCtx()).body);
  assert.equal(text.generationConfig?.responseModalities, undefined);
});

const geminiAnswer = {
  responseId: 'r1',
  candidates: [
    {
      finishReason: 'STOP',
      content: {
        role: 'model',
        parts: [
          { text: 'A red square.' },
          { inlineData: { mimeType: 'image/png', data: IMG }, thoughtSignature: 'sig-1' },
          { inlineData: { mimeType: 'image/png', data: 'draft' }, thought: true },
        ],
      },
    },
  ],
  usageMetadata: {
    promptTokenCount: 4,
    candidatesTokenCount: 1295,
    candidatesTokensDetails: [
      { modality: 'TEXT', tokenCount: 5 },
      { modality: 'IMAGE', tokenCount: 1290 },
    ],
  },
};

test('gemini dialect: inlineData parts become data-URL images; thought images skipped; signature kept', () => {
  const r = geminiParse(geminiAnswer, geminiCtx({ model: 'gemini-2.5-flash-image' }));
  assert.equal(r.content, 'A red square.');
  assert.deepEqual(r.images, [{ type: 'image_url', image_url: { url: `data:image/png;base64,${IMG}` } }]);
  assert.equal(r.reasoning_details.length, 1);
  assert.equal(r.reasoning_details[0].data, 'sig-1');
  assert.equal(r.usage?.completion_tokens, 1295);
  assert.equal(r.usage?.output_image_tokens, 1290);
});

test('gemini dialect: the stream carries the image as delta.images', () => {
  const t = geminiStream(geminiCtx({ model: 'gemini-2.5-flash-image', stream: true }));
  const out = [...t.push({ data: JSON.stringify(geminiAnswer) }), ...t.end()];
  const images = out.flatMap((e) => (e.type === 'delta' && e.delta.images ? e.delta.images : []));
  assert.equal(images.length, 1);
  const usage = out.find((e) => e.type === 'usage');
  assert.equal(usage?.type === 'usage' ? usage.usage.output_image_tokens : 0, 1290);
});
