// OpenAI chat request → Gemini `GenerateContentRequest` (generative_service.proto), sent to
// `{base}/models/{model}:generateContent` or `:streamGenerateContent?alt=sse` (SSE; without `alt=sse` Gemini
// streams a JSON array instead). The simulated and the real upstream reject unknown fields, so every field
// here is a proto field in lowerCamelCase; OpenAI fields Gemini has no equivalent for (user,
// parallel_tool_calls, logit_bias, ...) are dropped.
import type { ChatRequest, ChatTool, ChatToolChoice } from '../../protocol/chat-request.js';
import { narrowAllowedTools } from '../allowed-tools.js';
import type { BuildContext, UpstreamRequest, UpstreamTarget } from '../types.js';
import { buildGenerationConfig } from './generation.js';
import { buildContents } from './messages.js';
import { declaresNoParameters, rawJsonSchema, toGeminiSchema } from './schema.js';

/** `models/gemini-2.5-flash` and `gemini-2.5-flash` both name the model; URLs need the bare id. */
export function modelId(target: UpstreamTarget): string {
  return target.endpoint.model.replace(/^models\//, '');
}

export function modelUrl(target: UpstreamTarget, method: string): string {
  const base = target.provider.base_url.replace(/\/+$/, '');
  return `${base}/models/${modelId(target)}:${method}`;
}

export function geminiHeaders(target: UpstreamTarget, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra, ...target.provider.headers };
  // header auth (not ?key=) keeps the key out of URLs, which end up in logs
  if (target.apiKey) headers['x-goog-api-key'] = target.apiKey;
  return headers;
}

/** Gemini 3 and later reject unsigned function calls in the current turn (thought-signatures docs). */
export function needsPlaceholderSignatures(model: string): boolean {
  const m = /gemini-(\d+)/i.exec(model);
  return m !== null && Number(m[1]) >= 3;
}

export function buildChatRequest(clientReq: ChatRequest, ctx: BuildContext): UpstreamRequest {
  // allowed_tools: only the allowed tools are declared, its mode becomes AUTO / ANY
  const req = narrowAllowedTools(clientReq);
  const { systemInstruction, contents } = buildContents(req.messages, {
    placeholderSignatures: needsPlaceholderSignatures(modelId(ctx.target)),
  });
  const body: Record<string, unknown> = {};
  if (systemInstruction) body.systemInstruction = systemInstruction;
  body.contents = contents;

  if (req.tools && req.tools.length > 0) {
    body.tools = [{ functionDeclarations: req.tools.map((t, i) => functionDeclaration(t, i)) }];
    if (req.tool_choice !== undefined)
      body.toolConfig = { functionCallingConfig: functionCallingConfig(req.tool_choice) };
  }

  const generationConfig = buildGenerationConfig(req, ctx);
  if (generationConfig) body.generationConfig = generationConfig;

  return {
    url: ctx.stream
      ? `${modelUrl(ctx.target, 'streamGenerateContent')}?alt=sse`
      : modelUrl(ctx.target, 'generateContent'),
    method: 'POST',
    headers: geminiHeaders(ctx.target, ctx.stream ? { accept: 'text/event-stream' } : {}),
    body: JSON.stringify(body),
  };
}

function functionDeclaration(tool: ChatTool, index: number): Record<string, unknown> {
  const fn = tool.function;
  // `description` is REQUIRED in the proto; an empty one is what "none given" means
  const decl: Record<string, unknown> = { name: fn.name, description: fn.description ?? '' };
  const params = fn.parameters;
  // Gemini rejects an OBJECT schema without properties, so a parameterless function sends none
  if (params === undefined || declaresNoParameters(params)) return decl;
  const converted = toGeminiSchema(params, { param: `tools[${index}].function.parameters` });
  if (converted) decl.parameters = converted;
  else decl.parametersJsonSchema = rawJsonSchema(params);
  return decl;
}

function functionCallingConfig(choice: ChatToolChoice): Record<string, unknown> {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'required') return { mode: 'ANY' };
  if (choice === 'none') return { mode: 'NONE' };
  // narrowed to a plain choice by buildChatRequest (allowed-tools.ts); kept safe here
  if (choice.type === 'allowed_tools') return { mode: choice.allowed_tools.mode === 'required' ? 'ANY' : 'AUTO' };
  return { mode: 'ANY', allowedFunctionNames: [choice.function.name] };
}
