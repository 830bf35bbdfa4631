// Generated media of the simulated upstreams: an 8×8 PNG whose colour derives from the prompt, and a short WAV
// tone whose pitch does, so the same request always gets the same bytes and different prompts differ. Which
// models may generate them follows the catalog's naming (…-image…, gpt-audio / …-audio-…, qwen omni): the real
// providers answer 400 when a text model is asked for image or audio output.
import { createHash } from 'node:crypto';
import { encodePng } from '../lib/png.js';
import { encodeWavTone } from '../lib/wav.js';

/** tokens one generated image counts (Gemini's 1290 for an image up to 1024×1024) */
export const IMAGE_OUTPUT_TOKENS = 1290;
/** tokens of the generated audio (~ OpenAI's 10 audio tokens per 0.1 s… the sim's clip is 0.25 s) */
export const AUDIO_OUTPUT_TOKENS = 25;

export const canOutputImage = (model: string): boolean => /-image(-|$)/i.test(model);
export const canOutputAudio = (model: string): boolean => /audio|omni/i.test(model);

function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

/** a PNG (base64) for this prompt: a two-colour 8×8 checker whose colours derive from it */
export function simImageBase64(seed: string): string {
  const h = digest(seed);
  const png = encodePng(8, 8, (x, y) => ((x + y) % 2 === 0 ? [h[0], h[1], h[2]] : [h[3], h[4], h[5]]));
  return png.toString('base64');
}

/** a WAV (base64) for this prompt: a 0.25 s tone between 220 and 880 Hz */
export function simAudioBase64(seed: string): string {
  const h = digest(seed);
  return encodeWavTone(220 + (h.readUInt16BE(0) % 661), 0.25).toString('base64');
}
