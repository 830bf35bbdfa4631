// What each wire format can carry as input, whatever the catalog says of a model: an endpoint takes a
// modality only when both its model and its provider's dialect do.
// - OpenAI Chat Completions: text, image_url, input_audio and file parts (ChatCompletionRequestMessageContentPart*).
// - Anthropic Messages: text, image and document blocks; there is no audio block (spec: InputContentBlock).
// - Gemini: any `inlineData` / `fileData` MIME type, audio and PDF included (content.proto Blob).
import type { Dialect, Modality } from '../catalog/types.js';

export const DIALECT_INPUTS: Record<Dialect, readonly Modality[]> = {
  openai: ['text', 'image', 'audio', 'file'],
  anthropic: ['text', 'image', 'file'],
  gemini: ['text', 'image', 'audio', 'file'],
};
