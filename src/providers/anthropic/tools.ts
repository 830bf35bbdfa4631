// Tools, tool_choice and response_format for Anthropic.
//
// response_format (json_object / json_schema) is emulated with a forced tool named `json_output` whose
// input_schema is the requested schema; the response side unwraps the tool's input as the text content
// (LiteLLM's approach). We chose this over `output_config.format` (present in the 2026 spec) because the
// tool route works on every Claude model, while native structured outputs only exist on recent ones and
// only accept a restricted schema subset (no permissive json_object schema). Trade-off: with thinking on,
// a forced tool is not allowed, so the choice is downgraded to auto and the model may answer in text.
import type { ChatRequest } from '../../protocol/chat-request.js';
import { InvalidRequestError } from '../errors.js';
import { cacheControl } from './content.js';
import { JSON_TOOL_NAME, type ToolNames } from './state.js';

export interface ToolDef {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  cache_control?: Record<string, string>;
}

function cacheOf(tool: unknown): { cache_control?: Record<string, string> } {
  const cc = cacheControl(tool);
  return cc ? { cache_control: cc } : {};
}

export interface ToolsOut {
  tools?: ToolDef[];
  tool_choice?: Record<string, unknown>;
}

/** The JSON-output tool for response_format, or null when plain text was asked for. */
export function jsonTool(req: ChatRequest): ToolDef | null {
  const rf = req.response_format;
  if (!rf || rf.type === 'text') return null;
  if (rf.type === 'json_object') {
    return {
      name: JSON_TOOL_NAME,
      description: 'Respond with your final answer as a JSON object passed to this tool.',
      input_schema: { type: 'object', additionalProperties: true },
    };
  }
  const schema: Record<string, unknown> = { ...(rf.json_schema.schema ?? {}) };
  // Tool input is always an object for Anthropic; OpenAI structured outputs require an object root too.
  if (schema.type === undefined) schema.type = 'object';
  if (schema.type !== 'object') {
    throw new InvalidRequestError(
      'Anthropic can only produce JSON objects: the schema root must be {"type":"object"}',
      'response_format.json_schema.schema',
    );
  }
  return {
    name: JSON_TOOL_NAME,
    description:
      rf.json_schema.description ??
      `Respond with your final answer as a JSON object matching the "${rf.json_schema.name}" schema, passed to this tool.`,
    input_schema: schema,
  };
}

function inputSchema(parameters: Record<string, unknown> | undefined, param: string): Record<string, unknown> {
  if (parameters === undefined) return { type: 'object', properties: {} };
  const schema = { ...parameters };
  if (schema.type === undefined) schema.type = 'object';
  if (schema.type !== 'object') {
    throw new InvalidRequestError('Anthropic tool parameters must be a JSON schema of type "object"', param);
  }
  return schema;
}

/**
 * Builds `tools` and `tool_choice`. `historyNames` are the wire names of tools called in earlier turns:
 * Anthropic refuses tool_use / tool_result blocks when no tools are defined (LiteLLM adds a dummy tool for
 * this), so when the client sent none we declare stubs for those names and set tool_choice none.
 */
export function buildTools(
  req: ChatRequest,
  names: ToolNames,
  json: ToolDef | null,
  usesTools: boolean,
  thinking: boolean,
): ToolsOut {
  const clientTools = req.tools ?? [];
  const tools: ToolDef[] = clientTools.map((t, i) => ({
    // `strict` is dropped: Anthropic's strict tool use exists only on recent models.
    name: names.wire(t.function.name),
    ...(t.function.description !== undefined ? { description: t.function.description } : {}),
    input_schema: inputSchema(t.function.parameters, `tools[${i}].function.parameters`),
    // a tool's cache_control (Anthropic's, kept by the Messages inbound API and OpenRouter-style clients)
    ...cacheOf(t),
  }));

  let stubs = false;
  if (tools.length === 0 && usesTools) {
    for (const name of names.wireNames()) tools.push({ name, input_schema: { type: 'object', properties: {} } });
    stubs = tools.length > 0;
  }
  if (json) tools.push(json);
  if (tools.length === 0) return {};

  const tc = req.tool_choice;
  let choice: Record<string, unknown> | undefined;
  if (json) {
    if (typeof tc === 'object' && tc.type === 'function') choice = { type: 'tool', name: names.wire(tc.function.name) };
    // With client tools the model may still call them; `any` forces a tool call, the JSON one included.
    else if (clientTools.length > 0 && tc !== 'none') choice = { type: 'any' };
    else choice = { type: 'tool', name: json.name };
  } else if (stubs) {
    choice = { type: 'none' };
  } else if (tc === 'auto') choice = { type: 'auto' };
  else if (tc === 'required') choice = { type: 'any' };
  else if (tc === 'none') choice = { type: 'none' };
  else if (typeof tc === 'object' && tc.type === 'function')
    choice = { type: 'tool', name: names.wire(tc.function.name) };
  // allowed_tools was narrowed to a plain choice by the request builder (allowed-tools.ts); kept safe here
  else if (typeof tc === 'object') choice = { type: tc.allowed_tools.mode === 'required' ? 'any' : 'auto' };

  if (thinking && choice && (choice.type === 'any' || choice.type === 'tool')) {
    // "Thinking may not be enabled when tool_choice forces tool use": only auto/none work with thinking
    // (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#extended-thinking-with-tool-use).
    choice = { type: 'auto' };
  }
  if (req.parallel_tool_calls === false && choice?.type !== 'none') {
    choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }
  return choice ? { tools, tool_choice: choice } : { tools };
}
