// OpenAI /v1/embeddings → Gemini `:embedContent` (one string) or `:batchEmbedContents` (a list), from
// generative_service.proto EmbedContentRequest / BatchEmbedContentsRequest. Gemini embeds text only, so
// token-array inputs are refused with a 400 naming `input`. Gemini reports no token usage for embeddings:
// prompt_tokens is null and the gateway counts locally.
import type { EmbeddingsRequest } from '../../protocol/chat-request.js';
import { InvalidRequestError } from '../errors.js';
import type { EmbeddingsResult, UpstreamRequest, UpstreamTarget } from '../types.js';
import { geminiHeaders, modelId, modelUrl } from './request.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function buildEmbeddingsRequest(req: EmbeddingsRequest, target: UpstreamTarget): UpstreamRequest {
  const dims = req.dimensions !== undefined ? { outputDimensionality: req.dimensions } : {};
  const content = (text: string) => ({ parts: [{ text }] });
  let method: string;
  let body: Json;
  if (typeof req.input === 'string') {
    method = 'embedContent';
    body = { content: content(req.input), ...dims };
  } else if (req.input.every((x): x is string => typeof x === 'string')) {
    method = 'batchEmbedContents';
    // each batch entry must name the model the URL names
    const model = `models/${modelId(target)}`;
    body = { requests: req.input.map((text) => ({ model, content: content(text), ...dims })) };
  } else {
    throw new InvalidRequestError('input: Gemini embeds text only; token-id arrays are not supported', 'input');
  }
  return { url: modelUrl(target, method), method: 'POST', headers: geminiHeaders(target), body: JSON.stringify(body) };
}

export function parseEmbeddingsResponse(body: unknown, req: EmbeddingsRequest): EmbeddingsResult {
  const b = isObj(body) ? body : {};
  const values = (e: unknown): number[] => {
    if (!isObj(e) || !Array.isArray(e.values)) throw new Error('Gemini: embeddings response without values');
    return e.values as number[];
  };
  let vectors: number[][];
  if (typeof req.input === 'string') vectors = [values(b.embedding)];
  else if (Array.isArray(b.embeddings)) vectors = b.embeddings.map(values);
  else throw new Error('Gemini: batchEmbedContents response without embeddings');
  const expected = typeof req.input === 'string' ? 1 : req.input.length;
  if (vectors.length !== expected) throw new Error(`Gemini: expected ${expected} embeddings, got ${vectors.length}`);
  return { vectors, prompt_tokens: null };
}
