// A Responses request's `tools` → the function tools every dialect understands, and the map back.
//
// - `function` tools pass as they are.
// - `custom` tools (free text input, optionally a lark/regex grammar: Codex's apply_patch) become function tools
//   taking one string `input`; the grammar goes into the description, since no non-OpenAI provider constrains
//   output by one. The model's call comes back to the client as a custom_tool_call with that string as `input`.
// - `namespace` tools (Codex groups its sub-agent tools in one when it does not know the model) are flattened:
//   each nested tool becomes `<namespace>__<name>` for the model, and its calls go back to the client carrying
//   `namespace` and the tool's own `name`, as the spec's function_call / custom_tool_call items do.
// - Hosted tools OpenAI runs server-side (web_search, file_search, code_interpreter, …) and tools in OpenAI's
//   model-native formats (local_shell, shell, apply_patch, tool_search) have no equivalent on the other
//   providers: an offered one is dropped, the model simply does not get it, and the route names the dropped
//   types in the `x-arouter-ignored-tools` response header. A tool_choice forcing one stays a 400.
import { createHash } from 'node:crypto';
import type { ChatTool } from '../../protocol/chat-request.js';
import { badRequest } from '../../protocol/errors.js';
import {
  ResponsesCustomTool,
  ResponsesFunctionTool,
  ResponsesNamespaceTool,
  type ResponsesCustomToolParam,
  type ResponsesRequest,
} from '../../protocol/responses-request.js';
import { checkShape } from './check.js';

type Obj = Record<string, unknown>;

/** tool types dropped when offered (see above); anything else unknown is a 400 naming it */
export const DROPPED_TOOL_TYPES: ReadonlySet<string> = new Set([
  'web_search',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'web_search_2025_08_26',
  'file_search',
  'code_interpreter',
  'image_generation',
  'computer',
  'computer_use_preview',
  'mcp',
  'local_shell',
  'shell',
  'apply_patch',
  'tool_search',
  'programmatic_tool_calling',
]);

export const IGNORED_TOOLS_HEADER = 'x-arouter-ignored-tools';

/** the client's own name of a tool the model knows by a flat name */
export interface ClientTool {
  kind: 'function' | 'custom';
  name: string;
  namespace?: string;
}

export interface ToolPlan {
  tools: ChatTool[];
  /** the dropped tool types, each once, in request order */
  ignored: string[];
  /** flat name (as the model calls it) → the client's tool */
  byFlat: Map<string, ClientTool>;
  /** the tools a Response repeats: the client's, less the dropped ones */
  echo: Obj[];
}

// the tightest tool-name limit among the dialects (OpenAI chat: 64)
const MAX_NAME = 64;
const SEP = '__';

/** the name the model sees for a client tool; deterministic, so history items map without the tool list */
export function flatName(name: string, namespace?: string): string {
  if (namespace === undefined || namespace === '') return name;
  const full = `${namespace}${SEP}${name}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_NAME - 9)}_${hash}`;
}

const plans = new WeakMap<object, ToolPlan>();

/** the request's tool plan, computed once per wire request (toChat, the encoders and the route share it) */
export function toolPlan(w: ResponsesRequest): ToolPlan {
  let plan = plans.get(w);
  if (!plan) {
    plan = buildPlan(w.tools ?? []);
    plans.set(w, plan);
  }
  return plan;
}

/** the response headers a request's plan asks for: the dropped tool types, when any */
export function ignoredToolsHeaders(w: ResponsesRequest): Record<string, string> {
  const { ignored } = toolPlan(w);
  return ignored.length > 0 ? { [IGNORED_TOOLS_HEADER]: ignored.join(', ') } : {};
}

function buildPlan(tools: readonly Obj[]): ToolPlan {
  const plan: ToolPlan = { tools: [], ignored: [], byFlat: new Map(), echo: [] };
  const add = (flat: string, client: ClientTool, tool: ChatTool, at: string): void => {
    if (plan.byFlat.has(flat))
      throw badRequest(`Invalid ${at}: a second tool named '${flat}'`, `${at}.name`, 'invalid_request');
    plan.byFlat.set(flat, client);
    plan.tools.push(tool);
  };
  tools.forEach((t, i) => {
    const at = `tools[${i}]`;
    const type = t.type as string;
    if (type === 'function') {
      const f = checkShape(ResponsesFunctionTool, t, at);
      add(f.name, { kind: 'function', name: f.name }, functionTool(f.name, f), at);
      plan.echo.push(functionEcho(f));
    } else if (type === 'custom') {
      const c = checkShape(ResponsesCustomTool, t, at);
      add(c.name, { kind: 'custom', name: c.name }, customTool(c.name, c), at);
      plan.echo.push(t);
    } else if (type === 'namespace') {
      const ns = checkShape(ResponsesNamespaceTool, t, at);
      ns.tools.forEach((n, j) => {
        const nat = `${at}.tools[${j}]`;
        if (n.type === 'function') {
          const f = checkShape(ResponsesFunctionTool, n, nat);
          const flat = flatName(f.name, ns.name);
          add(flat, { kind: 'function', name: f.name, namespace: ns.name }, functionTool(flat, f, ns.description), nat);
        } else if (n.type === 'custom') {
          const c = checkShape(ResponsesCustomTool, n, nat);
          const flat = flatName(c.name, ns.name);
          add(flat, { kind: 'custom', name: c.name, namespace: ns.name }, customTool(flat, c, ns.description), nat);
        } else
          throw badRequest(
            `Invalid ${nat}.type: a namespace holds function and custom tools, not '${String(n.type)}'`,
            `${nat}.type`,
            'unsupported_parameter',
          );
      });
      plan.echo.push(t);
    } else if (DROPPED_TOOL_TYPES.has(type)) {
      if (!plan.ignored.includes(type)) plan.ignored.push(type);
    } else
      throw badRequest(
        `Tool type '${type}' is not supported by ARouter: function, custom and namespace tools are (hosted ` +
          `tools such as web_search are dropped and named in the ${IGNORED_TOOLS_HEADER} response header)`,
        `${at}.type`,
        'unsupported_parameter',
      );
  });
  return plan;
}

interface FunctionLike {
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

function functionTool(name: string, f: FunctionLike, nsDescription?: string | null): ChatTool {
  const description = joinDescriptions(nsDescription, f.description);
  return {
    type: 'function',
    function: {
      name,
      ...(description !== null ? { description } : {}),
      ...(f.parameters ? { parameters: f.parameters } : {}),
      ...(typeof f.strict === 'boolean' ? { strict: f.strict } : {}),
    },
  };
}

function customTool(name: string, c: ResponsesCustomToolParam, nsDescription?: string | null): ChatTool {
  const format = c.format;
  const how =
    format?.type === 'grammar'
      ? `Put the raw text in \`input\` (plain text, not JSON); it must match this ${format.syntax} grammar:\n` +
        format.definition
      : 'Put the raw text in `input` (plain text, not JSON).';
  return {
    type: 'function',
    function: {
      name,
      description: joinDescriptions(nsDescription, c.description) ?? 'A freeform tool.',
      parameters: {
        type: 'object',
        properties: { input: { type: 'string', description: how } },
        required: ['input'],
        additionalProperties: false,
      },
    },
  };
}

function joinDescriptions(outer: string | null | undefined, inner: string | null | undefined): string | null {
  const parts = [outer, inner].filter((s): s is string => typeof s === 'string' && s !== '');
  return parts.length > 0 ? parts.join('\n\n') : null;
}

function functionEcho(f: FunctionLike & { name: string }): Obj {
  return {
    type: 'function',
    name: f.name,
    description: f.description ?? null,
    parameters: f.parameters ?? null,
    strict: f.strict ?? null,
  };
}

/** a custom tool's `input` from the model's JSON arguments; text that is not `{"input": "…"}` passes as it is */
export function customInput(args: string): string {
  try {
    const parsed = JSON.parse(args) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as Obj).input === 'string')
      return (parsed as Obj).input as string;
  } catch {
    // not JSON: a model that wrote the text itself
  }
  return args;
}

/** a custom tool call of the history → the JSON arguments the model produced it from */
export const customArguments = (input: string): string => JSON.stringify({ input });

/**
 * The output item of the model's call of `flat`: a function_call, or a custom_tool_call when the client's tool is
 * custom; either carries the client's `namespace` and own name for a flattened namespace tool. A name the request
 * did not offer (a model's invention) passes as a plain function call.
 */
export function callItem(
  plan: ToolPlan,
  ids: { function: string; custom: string },
  call: { call_id: string; name: string; arguments: string },
  status: 'in_progress' | 'completed' | 'incomplete',
): Obj {
  const client = plan.byFlat.get(call.name) ?? { kind: 'function', name: call.name };
  const ns = client.namespace !== undefined ? { namespace: client.namespace } : {};
  if (client.kind === 'custom')
    // the spec's custom_tool_call has no status
    return {
      id: ids.custom,
      type: 'custom_tool_call',
      call_id: call.call_id,
      ...ns,
      name: client.name,
      input: status === 'in_progress' ? '' : customInput(call.arguments),
    };
  return {
    id: ids.function,
    type: 'function_call',
    status,
    call_id: call.call_id,
    ...ns,
    name: client.name,
    arguments: call.arguments,
  };
}
