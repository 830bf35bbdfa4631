// POST {base_url}/embeddings. Vectors are always requested as floats: when the client wants base64 the
// gateway encodes them itself, so every provider is handled the same way.
import type { EmbeddingsRequest } from '../../protocol/chat-request.js';
import type { EmbeddingsResult, UpstreamRequest, UpstreamTarget } from '../types.js';
import { errorFromPayload, invalidResponse, UpstreamResponseError } from './errors.js';
import { isRecord } from './normalize.js';
import { upstreamHeaders, upstreamUrl } from './request.js';

export function buildEmbeddingsRequest(req: EmbeddingsRequest, target: UpstreamTarget): UpstreamRequest {
  const body: Record<string, unknown> = { model: target.endpoint.model, input: req.input };
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  body.encoding_format = 'float';
  return {
    url: upstreamUrl(target, '/embeddings'),
    method: 'POST',
    headers: upstreamHeaders(target, false),
    body: JSON.stringify(body),
  };
}

/** A server that ignored encoding_format may still answer base64 (little-endian float32, as OpenAI encodes it). */
function decodeBase64Floats(b64: string): number[] {
  const buf = Buffer.from(b64, 'base64');
  const out = new Array<number>(buf.length >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

export function parseEmbeddingsResponse(body: unknown, _req: EmbeddingsRequest): EmbeddingsResult {
  if (!isRecord(body)) throw new UpstreamResponseError(invalidResponse('embeddings body is not a JSON object'));
  if (body.error !== undefined && body.error !== null) throw new UpstreamResponseError(errorFromPayload(body));
  if (!Array.isArray(body.data)) throw new UpstreamResponseError(invalidResponse('embeddings body has no data array'));
  const items: { index: number; vector: number[] }[] = [];
  for (let i = 0; i < body.data.length; i++) {
    const d: unknown = body.data[i];
    if (!isRecord(d)) continue;
    const e = d.embedding;
    const vector = Array.isArray(e) ? (e as number[]) : typeof e === 'string' ? decodeBase64Floats(e) : null;
    if (vector === null) throw new UpstreamResponseError(invalidResponse(`embedding ${i} has no vector`));
    items.push({ index: typeof d.index === 'number' ? d.index : i, vector });
  }
  // OpenAI documents `index` as the position in the input; do not trust the array order
  items.sort((a, b) => a.index - b.index);
  const usage = isRecord(body.usage) ? body.usage : null;
  const pt = usage?.prompt_tokens ?? usage?.total_tokens;
  return { vectors: items.map((x) => x.vector), prompt_tokens: typeof pt === 'number' ? pt : null };
}
