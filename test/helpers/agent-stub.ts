// A recording stand-in for an LLM API, for driving Claude Code and Codex in tests: it answers Anthropic Messages
// (POST /v1/messages, streamed or not) and OpenAI Responses (POST /v1/responses, streamed or not) with a scripted
// two-step session — first a call of the agent's own file/shell tool, then, once the tool's result comes back, a
// final text — and records every request it sees (secrets redacted) so the exact wire traffic can be kept as a
// fixture and checked.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** path with query, e.g. /v1/messages?beta=true */
  path: string;
  headers: Record<string, string>;
  /** parsed JSON when the body is JSON, the raw text otherwise, null when empty */
  body: unknown;
}

export interface AgentStubOptions {
  /** absolute path of the file the scripted tool call reads */
  filePath: string;
  /** the final answer, sent once a tool result is in the conversation */
  finalText: string;
}

export interface AgentStub {
  /** http://127.0.0.1:PORT (no /v1: Claude Code appends /v1/messages itself) */
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

// header names whose values are credentials: replaced before a request is recorded, so fixtures hold no secret
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'cookie', 'proxy-authorization']);

export function redactHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers).sort()) {
    const value = headers[name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = SECRET_HEADERS.has(name) ? redactSecret(text) : text;
  }
  return out;
}

function redactSecret(value: string): string {
  const bearer = /^Bearer\s+/i.exec(value);
  return bearer ? `${bearer[0]}<redacted>` : '<redacted>';
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startAgentStub(opts: AgentStubOptions): Promise<AgentStub> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? 'GET', path, headers: redactHeaders(req.headers), body });
      route(req.method ?? 'GET', path.split('?')[0], body, res, opts);
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(err) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function route(method: string, path: string, body: unknown, res: ServerResponse, opts: AgentStubOptions): void {
  if (method === 'POST' && path === '/v1/messages') return void anthropicMessages(body as AnthropicBody, res, opts);
  if (method === 'POST' && path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: 42 });
  if (method === 'POST' && path === '/v1/responses') return void openaiResponses(body as ResponsesBody, res, opts);
  if (method === 'GET' && path === '/v1/models') return json(res, 200, { object: 'list', data: [] });
  json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${method} ${path}` } });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function sse(res: ServerResponse, events: { event: string; data: unknown }[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
  res.end();
}

// ---------------------------------------------------------------- Anthropic Messages

interface AnthropicBody {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content: string | { type: string; [k: string]: unknown }[] }[];
  tools?: { name: string }[];
}

type AnthropicBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** true once the conversation carries a tool_result block (the agent ran the tool and sent its output back) */
export function anthropicHasToolResult(body: unknown): boolean {
  const messages = (body as AnthropicBody | null)?.messages ?? [];
  return messages.some((m) => Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_result'));
}

function anthropicScript(body: AnthropicBody, opts: AgentStubOptions): { blocks: AnthropicBlock[]; stop: string } {
  const tools = new Set((body.tools ?? []).map((t) => t.name));
  if (anthropicHasToolResult(body) || tools.size === 0) {
    return { blocks: [{ type: 'text', text: opts.finalText }], stop: 'end_turn' };
  }
  const call: AnthropicBlock = tools.has('Read')
    ? { type: 'tool_use', id: 'toolu_stub_0001', name: 'Read', input: { file_path: opts.filePath } }
    : { type: 'tool_use', id: 'toolu_stub_0001', name: 'Bash', input: { command: `cat '${opts.filePath}'` } };
  return { blocks: [{ type: 'text', text: 'Reading the file.' }, call], stop: 'tool_use' };
}

function anthropicMessages(body: AnthropicBody, res: ServerResponse, opts: AgentStubOptions): void {
  const { blocks, stop } = anthropicScript(body, opts);
  const id = `msg_stub_${Date.now()}`;
  const model = body.model ?? 'stub-model';
  const usage = {
    input_tokens: 25,
    output_tokens: 12,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  if (body.stream !== true) {
    return json(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: blocks,
      stop_reason: stop,
      stop_sequence: null,
      usage,
    });
  }
  const events: { event: string; data: unknown }[] = [];
  const push = (data: { type: string; [k: string]: unknown }): void => void events.push({ event: data.type, data });
  push({
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      content: [],
      model,
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  push({ type: 'ping' });
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    } else {
      push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
      const args = JSON.stringify(block.input);
      // the input arrives as JSON fragments, the first often empty (wire-formats.md 2.4): split to exercise that
      for (const part of ['', args.slice(0, 10), args.slice(10)]) {
        push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } });
      }
    }
    push({ type: 'content_block_stop', index });
  });
  push({
    type: 'message_delta',
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  push({ type: 'message_stop' });
  sse(res, events);
}

// ---------------------------------------------------------------- OpenAI Responses

interface ResponsesBody {
  model?: string;
  stream?: boolean;
  input?: { type?: string; [k: string]: unknown }[] | string;
  tools?: { type: string; name?: string; parameters?: { properties?: Record<string, unknown> } }[];
}

type ResponsesItem =
  | {
      type: 'message';
      id: string;
      status: 'completed';
      role: 'assistant';
      content: { type: 'output_text'; text: string; annotations: []; logprobs: [] }[];
    }
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: 'completed' };

/** true once the input carries a function_call_output item (the agent ran the tool and sent its output back) */
export function responsesHasToolResult(body: unknown): boolean {
  const input = (body as ResponsesBody | null)?.input;
  return Array.isArray(input) && input.some((i) => i.type === 'function_call_output');
}

function responsesScript(body: ResponsesBody, opts: AgentStubOptions): ResponsesItem {
  const tools = body.tools ?? [];
  const shell = tools.find((t) => t.type === 'function' && (t.name === 'exec_command' || t.name === 'shell'));
  if (responsesHasToolResult(body) || !shell?.name) {
    const text = opts.finalText;
    return {
      type: 'message',
      id: 'msg_stub_0001',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    };
  }
  // exec_command takes one shell string (`cmd`), the older `shell` tool an argv array (`command`)
  const args =
    shell.name === 'exec_command'
      ? { cmd: `cat '${opts.filePath}'` }
      : { command: ['bash', '-lc', `cat '${opts.filePath}'`] };
  return {
    type: 'function_call',
    id: 'fc_stub_0001',
    call_id: 'call_stub_0001',
    name: shell.name,
    arguments: JSON.stringify(args),
    status: 'completed',
  };
}

function responseObject(body: ResponsesBody, status: string, output: ResponsesItem[]): Record<string, unknown> {
  const done = status === 'completed';
  return {
    id: 'resp_stub_0001',
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    completed_at: done ? Math.floor(Date.now() / 1000) : null,
    error: null,
    incomplete_details: null,
    instructions: null,
    model: body.model ?? 'stub-model',
    output,
    parallel_tool_calls: true,
    metadata: {},
    tool_choice: 'auto',
    tools: [],
    temperature: null,
    top_p: null,
    usage: done
      ? {
          input_tokens: 25,
          input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
          output_tokens: 12,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 37,
        }
      : null,
  };
}

function openaiResponses(body: ResponsesBody, res: ServerResponse, opts: AgentStubOptions): void {
  const item = responsesScript(body, opts);
  if (body.stream !== true) return json(res, 200, responseObject(body, 'completed', [item]));
  const events: { event: string; data: unknown }[] = [];
  let seq = 0;
  const push = (data: { type: string; [k: string]: unknown }): void =>
    void events.push({ event: data.type, data: { ...data, sequence_number: seq++ } });
  push({ type: 'response.created', response: responseObject(body, 'in_progress', []) });
  push({ type: 'response.in_progress', response: responseObject(body, 'in_progress', []) });
  const output_index = 0;
  if (item.type === 'message') {
    const text = item.content[0].text;
    const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    push({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', content: [] } });
    push({ type: 'response.content_part.added', item_id: item.id, output_index, content_index: 0, part });
    push({
      type: 'response.output_text.delta',
      item_id: item.id,
      output_index,
      content_index: 0,
      delta: text,
      logprobs: [],
    });
    push({ type: 'response.output_text.done', item_id: item.id, output_index, content_index: 0, text, logprobs: [] });
    push({
      type: 'response.content_part.done',
      item_id: item.id,
      output_index,
      content_index: 0,
      part: { ...part, text },
    });
  } else {
    push({
      type: 'response.output_item.added',
      output_index,
      item: { ...item, arguments: '', status: 'in_progress' },
    });
    push({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index, delta: item.arguments });
    push({
      type: 'response.function_call_arguments.done',
      item_id: item.id,
      output_index,
      name: item.name,
      arguments: item.arguments,
    });
  }
  push({ type: 'response.output_item.done', output_index, item });
  push({ type: 'response.completed', response: responseObject(body, 'completed', [item]) });
  sse(res, events);
}
