// Image and audio output in the simulated OpenAI-compatible upstream. One sim plays OpenAI and the compatible
// hosts; OpenRouter is recognised by its namespaced model ids ("openai/gpt-5-image"), and for those the sim
// accepts OpenRouter's extensions of the request: "image" in `modalities` and `image_config`
// {aspect_ratio, image_size} (openrouter-reference.md §9). Everything else is validated against OpenAI's spec,
// whose ResponseModalities enum is ["text","audio"]. Audio output is streamed only on OpenRouter (its docs:
// "streaming required") and for DashScope's omni models ("only streaming output is supported"); OpenAI's own
// audio models answer JSON too.
import {
  AUDIO_OUTPUT_TOKENS,
  canOutputAudio,
  canOutputImage,
  IMAGE_OUTPUT_TOKENS,
  simAudioBase64,
  simImageBase64,
} from './media.js';
import { isObj } from './validate.js';

type Obj = Record<string, unknown>;

export interface OutputError {
  message: string;
  param: string | null;
  code: string | null;
}

export interface OutputAsk {
  image: boolean;
  audio: boolean;
}

const isOpenRouterId = (model: string) => model.includes('/');

/**
 * OpenRouter's extensions checked and removed, so the rest validates against OpenAI's spec: the body to
 * validate, or the error OpenRouter / OpenAI would give.
 */
export function stripOpenRouterExtras(body: Obj): { body: Obj; error: OutputError | null } {
  const model = typeof body.model === 'string' ? body.model : '';
  if (!isOpenRouterId(model)) return { body, error: null };
  const out: Obj = { ...body };
  if (Array.isArray(body.modalities)) {
    const bad = body.modalities.find((m) => m !== 'text' && m !== 'image' && m !== 'audio');
    if (bad !== undefined)
      return { body, error: { message: `Invalid modality: ${JSON.stringify(bad)}`, param: 'modalities', code: null } };
    out.modalities = body.modalities.filter((m) => m !== 'image');
    if ((out.modalities as unknown[]).length === 0) delete out.modalities;
  }
  if (body.image_config !== undefined) {
    const ic = body.image_config;
    if (!isObj(ic) || Object.values(ic).some((v) => typeof v !== 'string'))
      return {
        body,
        error: { message: 'image_config must be an object of strings', param: 'image_config', code: null },
      };
    delete out.image_config;
  }
  return { body: out, error: null };
}

/** the output the (schema-valid) request asks for, or the upstream's 400 for a model that cannot make it */
export function outputAsk(body: Obj): { ask: OutputAsk; error: OutputError | null } {
  const model = String(body.model);
  const m = Array.isArray(body.modalities) ? body.modalities : [];
  const ask = { image: m.includes('image'), audio: m.includes('audio') };
  if (ask.image && !canOutputImage(model))
    return { ask, error: { message: `${model} does not support image output`, param: 'modalities', code: null } };
  if (ask.audio && !canOutputAudio(model))
    return {
      ask,
      error: { message: 'This model does not support audio output.', param: 'modalities', code: 'unsupported_value' },
    };
  if (ask.audio && !isObj(body.audio))
    return {
      ask,
      error: {
        message: "Audio output requires the 'audio' parameter.",
        param: 'audio',
        code: 'missing_required_parameter',
      },
    };
  if (ask.audio && body.stream !== true && (isOpenRouterId(model) || /omni/i.test(model)))
    return { ask, error: { message: 'Audio output requires stream: true.', param: 'stream', code: null } };
  return { ask, error: null };
}

/** the media of one answer: images (data URLs) and audio, with the tokens they count */
export function mediaFor(
  ask: OutputAsk,
  seed: string,
  transcript: string,
  created: number,
): { images: Obj[]; audio: Obj | null; imageTokens: number; audioTokens: number } {
  const images = ask.image
    ? [{ type: 'image_url', image_url: { url: `data:image/png;base64,${simImageBase64(seed)}` } }]
    : [];
  const audio = ask.audio
    ? { id: `audio_${seed.slice(0, 24)}`, data: simAudioBase64(seed), transcript, expires_at: created + 3600 }
    : null;
  return {
    images,
    audio,
    imageTokens: images.length * IMAGE_OUTPUT_TOKENS,
    audioTokens: audio ? AUDIO_OUTPUT_TOKENS : 0,
  };
}
