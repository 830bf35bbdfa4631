// Canonical `author/slug` ids for models.dev entries. OpenRouter's own listing is the naming authority (its
// ids are what clients already send); a provider's file joins an OpenRouter id through the provider-agnostic
// `base_model` both point at, and otherwise through a small set of spelling rules (Hugging Face orgs to
// authors, Fireworks' "k2p6" to "k2.6", Anthropic's "4-6" to "4.6", dated snapshots and "-latest" folded).
// Whatever the rules miss is pinned by an explicit `ids` entry in the importer's overrides file.

/** models.dev provider id → our provider id (only these providers are imported) */
export const PROVIDER_IDS: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  deepseek: 'deepseek',
  mistral: 'mistral',
  xai: 'xai',
  groq: 'groq',
  togetherai: 'together',
  'fireworks-ai': 'fireworks',
  deepinfra: 'deepinfra',
  cerebras: 'cerebras',
  alibaba: 'alibaba',
  moonshotai: 'moonshot',
  openrouter: 'openrouter',
};

/** a first-party provider's models belong to this author (its models.dev `models/<dir>` and our author) */
export const FIRST_PARTY: Record<string, { dir: string; author: string }> = {
  openai: { dir: 'openai', author: 'openai' },
  anthropic: { dir: 'anthropic', author: 'anthropic' },
  google: { dir: 'google', author: 'google' },
  deepseek: { dir: 'deepseek', author: 'deepseek' },
  mistral: { dir: 'mistral', author: 'mistralai' },
  xai: { dir: 'xai', author: 'x-ai' },
  alibaba: { dir: 'alibaba', author: 'qwen' },
  moonshotai: { dir: 'moonshotai', author: 'moonshotai' },
};

/** models.dev `models/<dir>` and Hugging Face organisations → our (OpenRouter's) author slugs */
const AUTHORS: Record<string, string> = {
  meta: 'meta-llama',
  'meta-llama': 'meta-llama',
  mistral: 'mistralai',
  mistralai: 'mistralai',
  xai: 'x-ai',
  alibaba: 'qwen',
  qwen: 'qwen',
  zhipuai: 'z-ai',
  'zai-org': 'z-ai',
  'deepseek-ai': 'deepseek',
  minimaxai: 'minimax',
  xiaomimimo: 'xiaomi',
  liquidai: 'liquid',
};

export function authorOf(dir: string): string {
  const d = dir.toLowerCase();
  return AUTHORS[d] ?? d;
}

/** the maker of a bare model name (no org directory), by its family prefix */
const NAME_PREFIXES: Array<[RegExp, string]> = [
  [/^gpt-oss/, 'openai'],
  [/^(gpt|o\d|text-embedding|chatgpt)/, 'openai'],
  [/^claude/, 'anthropic'],
  [/^(gemini|gemma)/, 'google'],
  [/^llama/, 'meta-llama'],
  [/^(qwen|qwq|qvq)/, 'qwen'],
  [/^kimi/, 'moonshotai'],
  [/^(zai-)?glm/, 'z-ai'],
  [/^deepseek/, 'deepseek'],
  [/^minimax/, 'minimax'],
  [/^(mistral|mixtral|codestral|devstral|magistral|ministral|pixtral)/, 'mistralai'],
  [/^grok/, 'x-ai'],
];

export function authorOfName(name: string): string | null {
  const n = name.toLowerCase();
  for (const [re, a] of NAME_PREFIXES) if (re.test(n)) return a;
  return null;
}

/** provider-specific spellings → OpenRouter-style slug */
export function normaliseSlug(provider: string, name: string): string {
  let s = name.toLowerCase();
  if (provider === 'fireworks-ai') s = s.replace(/(\d)p(\d)/g, '$1.$2');
  if (provider === 'cerebras') s = s.replace(/^zai-/, '');
  if (provider === 'anthropic' || s.startsWith('claude-')) {
    s = s.replace(/-\d{8}$/, '').replace(/-(\d)-0$/, '-$1');
    s = s.replace(/^claude-(\d)-(\d)-/, 'claude-$1.$2-').replace(/-(\d)-(\d)$/, '-$1.$2');
  }
  if (provider === 'mistral') s = s.replace(/-latest$/, '');
  if (provider === 'moonshotai') s = s.replace(/-preview$/, '');
  if (provider === 'alibaba') s = s.replace(/^qwen2-5-/, 'qwen-2.5-');
  if (provider === 'openai') s = s.replace(/-chat-latest$/, '-chat');
  // serving-mode suffixes of the GPU hosts (throughput tier, weight format) are not part of the model
  if (provider === 'togetherai' || provider === 'deepinfra') {
    s = s.replace(/-(tput|fp8|turbo|lite)$/, '').replace(/-instruct-(turbo|fp8)$/, '-instruct');
  }
  return s;
}

/** canonical id of a provider-agnostic models.dev base (`meta/llama-3.3-70b-instruct`) */
export function idFromBase(base: string): string {
  const [dir, ...rest] = base.split('/');
  return `${authorOf(dir)}/${rest.join('/').toLowerCase()}`;
}
