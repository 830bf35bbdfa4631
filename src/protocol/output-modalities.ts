// What a chat request asks the model to generate besides text: `modalities` (OpenAI: ["text","audio"];
// OpenRouter: ["image","text"] or ["image"] for image models) with `audio` {voice, format} and `image_config`.
// Shared by routing (which models can serve it), the dialects (what to ask the upstream) and the chat route.
import type { ChatRequest } from './chat-request.js';
import { badRequest, type HttpError } from './errors.js';

export type OutputModality = 'image' | 'audio';

/** the non-text output modalities a request asks for, in a fixed order (image, audio) */
export function requestedOutputs(req: ChatRequest): OutputModality[] {
  const m = req.modalities;
  if (m === undefined || m === null || m.length === 0) return [];
  const out: OutputModality[] = [];
  if (m.includes('image')) out.push('image');
  if (m.includes('audio')) out.push('audio');
  return out;
}

export function wantsImage(req: ChatRequest): boolean {
  return req.modalities?.includes('image') === true;
}

export function wantsAudio(req: ChatRequest): boolean {
  return req.modalities?.includes('audio') === true;
}

/**
 * The client's mistakes a schema cannot express, as OpenAI answers them: audio output needs `audio`
 * {voice, format} ("Audio output requires the 'audio' parameter"), and `audio` without the modality is
 * meaningless. null when the request is consistent.
 */
export function outputModalityProblem(req: ChatRequest): HttpError | null {
  if (wantsAudio(req) && (req.audio === undefined || req.audio === null)) {
    return badRequest(
      'modalities includes "audio": the audio parameter {voice, format} is required for audio output',
      'audio',
    );
  }
  if (req.audio != null && !wantsAudio(req)) {
    return badRequest('audio is set but modalities does not include "audio"', 'modalities');
  }
  return null;
}
