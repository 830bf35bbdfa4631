// Audio and file content parts, per dialect: the shapes each upstream's spec defines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { InvalidRequestError } from '../../src/providers/errors.js';
import { geminiDialect } from '../../src/providers/gemini/index.js';
import { openaiDialect } from '../../src/providers/openai/index.js';
import { makeCtx as geminiCtx, protoErrors } from './gemini-helpers.js';
import { chatRequest, makeCtx as openaiCtx } from './openai-helpers.js';
import { chatRequestValidator } from './openai-spec.js';

const PDF64 = Buffer.from('%PDF-1.4\n').toString('base64');
const WAV64 = Buffer.from('RIFF\0\0\0\0WAVE').toString('base64');
type Part = Exclude<ChatRequest['messages'][number]['content'], string | null | undefined>[number];

const withParts = (...parts: Part[]): ChatRequest =>
  chatRequest({
    messages: [{ role: 'user', content: [{ type: 'text', text: 'listen and read' }, ...parts] as never }],
  });

const openaiParts = (req: ChatRequest) =>
  JSON.parse(openaiDialect.buildChatRequest(req, openaiCtx()).body).messages[0].content as unknown[];
const geminiBody = (req: ChatRequest) => JSON.parse(geminiDialect.buildChatRequest(req, geminiCtx()).body);

test('OpenAI: input_audio and file parts in the spec shape are forwarded unchanged', (t) => {
  const req = withParts(
    { type: 'input_audio', input_audio: { data: WAV64, format: 'wav' } },
    { type: 'file', file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${PDF64}` } },
    { type: 'file', file: { file_id: 'file-abc123' } },
  );
  const parts = openaiParts(req);
  assert.deepEqual(parts, req.messages[0].content);
  const validate = chatRequestValidator();
  if (!validate) return t.skip('openai-openapi.yaml not available');
  const body = JSON.parse(openaiDialect.buildChatRequest(req, openaiCtx()).body);
  assert.equal(validate(body), true, JSON.stringify(validate.errors?.slice(0, 5)));
});

test('OpenAI: loose client shapes become what the API accepts', (t) => {
  const req = withParts(
    // a browser data URL and a MIME subtype as the format
    { type: 'input_audio', input_audio: { data: `data:audio/mpeg;base64,${WAV64}`, format: 'mpeg' } },
    // bare base64 named .pdf, and a data URL without a file name
    { type: 'file', file: { filename: 'report.pdf', file_data: PDF64 } },
    { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF64}` } },
  );
  const parts = openaiParts(req);
  assert.deepEqual(parts.slice(1), [
    { type: 'input_audio', input_audio: { data: WAV64, format: 'mp3' } },
    { type: 'file', file: { filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF64}` } },
    { type: 'file', file: { filename: 'file.pdf', file_data: `data:application/pdf;base64,${PDF64}` } },
  ]);
  // the client's request is not mutated
  assert.equal((req.messages[0].content as Array<{ file?: { filename?: string } }>)[3].file?.filename, undefined);
  const validate = chatRequestValidator();
  if (!validate) return t.skip('openai-openapi.yaml not available');
  assert.equal(validate(JSON.parse(openaiDialect.buildChatRequest(req, openaiCtx()).body)), true);
});

test('Gemini: audio formats map to the MIME types Gemini lists; PDFs go as inlineData', () => {
  const body = geminiBody(
    withParts(
      { type: 'input_audio', input_audio: { data: WAV64, format: 'wav' } },
      { type: 'input_audio', input_audio: { data: WAV64, format: 'mp3' } },
      { type: 'input_audio', input_audio: { data: WAV64, format: 'flac' } },
      { type: 'input_audio', input_audio: { data: `data:audio/ogg;base64,${WAV64}`, format: 'unknown-x' } },
      { type: 'file', file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${PDF64}` } },
      { type: 'file', file: { filename: 'b.pdf', file_data: PDF64 } },
    ),
  );
  assert.deepEqual(body.contents[0].parts, [
    { text: 'listen and read' },
    { inlineData: { mimeType: 'audio/wav', data: WAV64 } },
    { inlineData: { mimeType: 'audio/mp3', data: WAV64 } },
    { inlineData: { mimeType: 'audio/flac', data: WAV64 } },
    { inlineData: { mimeType: 'audio/ogg', data: WAV64 } },
    { inlineData: { mimeType: 'application/pdf', data: PDF64 } },
    { inlineData: { mimeType: 'application/pdf', data: PDF64 } },
  ]);
  assert.deepEqual(protoErrors(body, 'GenerateContentRequest', ['model']), []);
});

test('Gemini: empty or malformed audio is a 400 naming the field', () => {
  for (const data of ['', 'data:audio/wav;base64']) {
    assert.throws(
      () => geminiBody(withParts({ type: 'input_audio', input_audio: { data, format: 'wav' } })),
      (e: unknown) => e instanceof InvalidRequestError && e.param === 'messages[0].content[1].input_audio.data',
    );
  }
});
