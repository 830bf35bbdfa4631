// Simulated upstream LLM servers speaking the providers' own wire formats (OpenAI Chat Completions,
// Anthropic Messages, Gemini generateContent), for tests and demo mode. One node:http server per dialect:
//   openai    → url http://HOST:PORT/v1      (POST /v1/chat/completions, /v1/responses, /v1/embeddings, GET /v1/models)
//   anthropic → url http://HOST:PORT         (POST /v1/messages, /v1/messages/count_tokens, GET /v1/models)
//   gemini    → url http://HOST:PORT/v1beta  (POST /v1beta/models/{m}:generateContent, :streamGenerateContent,
//                                             :embedContent, :batchEmbedContents, :countTokens, GET /v1beta/models)
// Requests are validated against the providers' specs (src/sim/schemas/) and answered deterministically
// (src/sim/content.ts). Tests script misbehaviour per request with sim.script(rule) or POST /__sim/script.
import { SimServer, type DialectHandler, type RecordedRequest, type SimDialect, type SimRule } from './server.js';
import { openaiHandler } from './openai.js';
import { anthropicHandler } from './anthropic.js';
import { geminiHandler } from './gemini.js';
import type { ReleaseInfo } from './models.js';

export type { ReleaseInfo } from './models.js';

export type { SimDialect, SimRule, RecordedRequest } from './server.js';

export interface SimUpstream {
  dialect: SimDialect;
  /** base URL as a client of that provider expects it (see above) */
  url: string;
  port: number;
  /** every request received (live array; reset() empties it) */
  requests: RecordedRequest[];
  script(rule: SimRule): void;
  /** serve and list a new model from now on (with a `cost`, also in GET /__sim/metadata) */
  release(model: string | ReleaseInfo): void;
  /** stop serving and listing a model */
  withdraw(id: string): void;
  /** the most entries per model-list page (Anthropic, Gemini), to exercise a client's paging */
  listPageSize(n: number): void;
  reset(): void;
  close(): Promise<void>;
}

export interface SimUpstreamOptions {
  dialect: SimDialect;
  /** 0 (default) = random free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the accepted API key; default: any non-empty key */
  apiKey?: string;
  /** known model ids: other models get the provider's 404; also what the models listing returns */
  models?: string[];
}

const handlers: Record<SimDialect, () => DialectHandler> = {
  openai: openaiHandler,
  anthropic: anthropicHandler,
  gemini: geminiHandler,
};
const basePath: Record<SimDialect, string> = { openai: '/v1', anthropic: '', gemini: '/v1beta' };

export async function startSimUpstream(opts: SimUpstreamOptions): Promise<SimUpstream> {
  const host = opts.host ?? '127.0.0.1';
  const server = new SimServer(handlers[opts.dialect](), { apiKey: opts.apiKey, models: opts.models }, opts.dialect);
  const port = await server.listen(opts.port ?? 0, host);
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    dialect: opts.dialect,
    url: `http://${hostInUrl}:${port}${basePath[opts.dialect]}`,
    port,
    requests: server.requests,
    script: (rule) => server.script(rule),
    release: (m) => server.models.release(typeof m === 'string' ? { id: m } : m),
    withdraw: (id) => server.models.withdraw(id),
    listPageSize: (n) => {
      server.models.pageCap = n;
    },
    reset: () => server.reset(),
    close: () => server.close(),
  };
}
