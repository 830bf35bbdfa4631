// Dialect registry: a provider speaks one of these wire formats; adding an OpenAI-compatible provider is a
// catalog/config entry, never code.
import type { Dialect } from '../catalog/types.js';
import type { DialectAdapter } from './types.js';
import { openaiDialect } from './openai/index.js';
import { anthropicDialect } from './anthropic/index.js';
import { geminiDialect } from './gemini/index.js';

export { openaiResponsesDialect } from './openai-responses/index.js';

export const DIALECTS: Record<Dialect, DialectAdapter> = {
  openai: openaiDialect,
  anthropic: anthropicDialect,
  gemini: geminiDialect,
};
