import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EmbeddingsRequest } from '../../src/protocol/chat-request.js';
import { InvalidRequestError } from '../../src/providers/errors.js';
import { geminiDialect } from '../../src/providers/gemini/index.js';
import { makeCtx, protoErrors } from './gemini-helpers.js';

const target = makeCtx({ model: 'gemini-embedding-001', apiKey: 'k' }).target;
const build = (req: EmbeddingsRequest) => geminiDialect.buildEmbeddingsRequest!(req, target);

describe('gemini embeddings', () => {
  it('embeds one string with embedContent', () => {
    const up = build({ model: 'google/gemini-embedding-001', input: 'hello', dimensions: 256 });
    assert.equal(up.url, 'https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:embedContent');
    assert.equal(up.headers['x-goog-api-key'], 'k');
    const body = JSON.parse(up.body);
    assert.deepEqual(body, { content: { parts: [{ text: 'hello' }] }, outputDimensionality: 256 });
    assert.deepEqual(protoErrors(body, 'EmbedContentRequest', ['model']), []);
  });

  it('embeds a list with batchEmbedContents, naming the model in every entry', () => {
    const up = build({ model: 'google/gemini-embedding-001', input: ['a', 'b'] });
    assert.equal(
      up.url,
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents',
    );
    const body = JSON.parse(up.body);
    assert.deepEqual(body, {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] } },
      ],
    });
    assert.deepEqual(protoErrors(body, 'BatchEmbedContentsRequest', ['model']), []);
  });

  it('refuses token-id inputs', () => {
    for (const input of [
      [1, 2, 3],
      [[1, 2], [3]],
    ]) {
      assert.throws(
        () => build({ model: 'm', input }),
        (e: unknown) => e instanceof InvalidRequestError && e.param === 'input',
      );
    }
  });

  it('reads vectors from both response shapes, with no token count', () => {
    assert.deepEqual(
      geminiDialect.parseEmbeddingsResponse!({ embedding: { values: [0.1, 0.2] } }, { model: 'm', input: 'x' }),
      {
        vectors: [[0.1, 0.2]],
        prompt_tokens: null,
      },
    );
    assert.deepEqual(
      geminiDialect.parseEmbeddingsResponse!(
        { embeddings: [{ values: [0.1] }, { values: [0.2] }] },
        { model: 'm', input: ['a', 'b'] },
      ),
      { vectors: [[0.1], [0.2]], prompt_tokens: null },
    );
  });

  it('rejects a response that does not match the input', () => {
    assert.throws(() =>
      geminiDialect.parseEmbeddingsResponse!({ embeddings: [{ values: [0.1] }] }, { model: 'm', input: ['a', 'b'] }),
    );
    assert.throws(() => geminiDialect.parseEmbeddingsResponse!({}, { model: 'm', input: 'a' }));
  });
});
