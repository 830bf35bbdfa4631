import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  audioTokens,
  AUDIO_TOKENS_PER_SECOND,
  countChatPromptTokens,
  estimateChatUpperBound,
  fileTokens,
  PDF_TOKENS_PER_PAGE,
} from '../../src/accounting/tokenizer.js';

const b64 = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');

test('audio: estimated from its size and format, 32 tokens a second', () => {
  // 10 s of 16 kHz 16-bit mono WAV
  assert.equal(audioTokens({ data: b64(320_000), format: 'wav' }), 10 * AUDIO_TOKENS_PER_SECOND);
  // 10 s of 128 kbit/s MP3, as bare base64 and as a data URL
  assert.equal(audioTokens({ data: b64(160_000), format: 'mp3' }), 10 * AUDIO_TOKENS_PER_SECOND);
  assert.equal(audioTokens({ data: `data:audio/mpeg;base64,${b64(160_000)}`, format: 'mp3' }), 320);
  assert.equal(audioTokens({ data: 42 }), 0);
});

test('files: PDFs by pages of ~50 KB (at least one), text files by bytes, file ids as one page', () => {
  assert.equal(fileTokens({ file_data: `data:application/pdf;base64,${b64(1000)}` }), PDF_TOKENS_PER_PAGE);
  assert.equal(fileTokens({ filename: 'big.pdf', file_data: b64(500_000) }), 10 * PDF_TOKENS_PER_PAGE);
  assert.equal(fileTokens({ filename: 'notes.txt', file_data: b64(4000) }), 1000);
  assert.equal(fileTokens({ file_data: `data:text/plain;base64,${b64(4000)}` }), 1000);
  assert.equal(fileTokens({ file_id: 'file-abc' } as never), PDF_TOKENS_PER_PAGE);
});

test('chat counts add audio and file estimates, the bound stays a bound, and 8 MB of base64 is cheap', () => {
  const audio = b64(6_000_000);
  const messages = [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'transcribe' },
        { type: 'input_audio', input_audio: { data: audio, format: 'wav' } },
        { type: 'file', file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${b64(100_000)}` } },
      ],
    },
  ];
  countChatPromptTokens([{ role: 'user', content: 'warm up the tables' }], 'o200k_base');
  const start = process.hrtime.bigint();
  const exact = countChatPromptTokens(messages, 'o200k_base');
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const textOnly = countChatPromptTokens(
    [{ role: 'user', content: [{ type: 'text', text: 'transcribe' }] }],
    'o200k_base',
  );
  const filenameTokens = countChatPromptTokens([{ role: 'user', content: 'a.pdf' }], 'o200k_base').tokens - 7;
  assert.equal(exact.tokens - textOnly.tokens - filenameTokens, 6000 + 2 * PDF_TOKENS_PER_PAGE);
  assert.ok(estimateChatUpperBound(messages, 'claude').tokens >= countChatPromptTokens(messages, 'claude').tokens);
  // tokenising 8 MB of base64 as text would take seconds
  assert.ok(ms < 50, `${ms} ms`);
});
