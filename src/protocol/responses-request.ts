// The OpenAI Responses API request (`POST /v1/responses`, spec: CreateResponse) as ARouter accepts it, plus
// ARouter's routing extras (`models`, `provider`, reasoning `max_tokens`/`exclude`/`enabled`).
//
// The top level is checked here; `input` items and `tools` are only required to be objects with a string
// `type`: TypeBox reports a failed union as one "Expected union value" at the item, so the adapter
// (src/inbound/responses/) dispatches on `type` and checks each item against its own schema below, which
// names the exact field (`input[3].content[0].image_url`) and answers an unsupported type with its name.
import { Type, type Static } from '@sinclair/typebox';
import { Effort, ProviderPreferences } from './chat-request.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Open = { additionalProperties: true } as const;

// ------------------------------------------------------------------------------------ content parts

export const InputTextPart = Type.Object({ type: Type.Literal('input_text'), text: Type.String() }, Open);
export const InputImagePart = Type.Object(
  {
    type: Type.Literal('input_image'),
    image_url: Type.Optional(Nullable(Type.String({ pattern: '^(https?://|data:)' }))),
    file_id: Type.Optional(Nullable(Type.String({ minLength: 1 }))),
    detail: Type.Optional(
      Nullable(Type.Union([Type.Literal('auto'), Type.Literal('low'), Type.Literal('high'), Type.Literal('original')])),
    ),
  },
  Open,
);
export const InputFilePart = Type.Object(
  {
    type: Type.Literal('input_file'),
    file_id: Type.Optional(Nullable(Type.String({ minLength: 1 }))),
    filename: Type.Optional(Nullable(Type.String())),
    /** a data URL (data:application/pdf;base64,…) */
    file_data: Type.Optional(Nullable(Type.String())),
    file_url: Type.Optional(Nullable(Type.String())),
  },
  Open,
);
/** what an assistant turn of the history holds (output of an earlier response, echoed back) */
export const OutputTextPart = Type.Object({ type: Type.Literal('output_text'), text: Type.String() }, Open);
export const RefusalPart = Type.Object({ type: Type.Literal('refusal'), refusal: Type.String() }, Open);

// --------------------------------------------------------------------------------------------- items

/** EasyInputMessage and the typed InputMessage / OutputMessage items: `type` is 'message' or absent */
export const MessageItem = Type.Object(
  {
    type: Type.Optional(Type.Literal('message')),
    role: Type.Union([
      Type.Literal('user'),
      Type.Literal('assistant'),
      Type.Literal('system'),
      Type.Literal('developer'),
    ]),
    content: Type.Union([Type.String(), Type.Array(Type.Object({ type: Type.String() }, Open))]),
    id: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
  },
  Open,
);
export const FunctionCallItem = Type.Object(
  {
    type: Type.Literal('function_call'),
    call_id: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    arguments: Type.String(),
    /** the namespace tool the function belongs to (a `namespace` tool's nested function) */
    namespace: Type.Optional(Type.String({ minLength: 1 })),
    id: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
  },
  Open,
);
export const FunctionCallOutputItem = Type.Object(
  {
    type: Type.Literal('function_call_output'),
    call_id: Type.String({ minLength: 1 }),
    output: Type.Union([Type.String(), Type.Array(Type.Object({ type: Type.String() }, Open))]),
    id: Type.Optional(Nullable(Type.String())),
    status: Type.Optional(Nullable(Type.String())),
  },
  Open,
);
/** a call of a `custom` tool: free text `input`, no JSON arguments (Codex's apply_patch) */
export const CustomToolCallItem = Type.Object(
  {
    type: Type.Literal('custom_tool_call'),
    call_id: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    input: Type.String(),
    namespace: Type.Optional(Type.String({ minLength: 1 })),
    id: Type.Optional(Type.String()),
  },
  Open,
);
export const CustomToolCallOutputItem = Type.Object(
  {
    type: Type.Literal('custom_tool_call_output'),
    call_id: Type.String({ minLength: 1 }),
    output: Type.Union([Type.String(), Type.Array(Type.Object({ type: Type.String() }, Open))]),
    id: Type.Optional(Nullable(Type.String())),
  },
  Open,
);
export const ReasoningItem = Type.Object(
  {
    type: Type.Literal('reasoning'),
    id: Type.Optional(Type.String()),
    summary: Type.Array(Type.Object({ type: Type.Literal('summary_text'), text: Type.String() }, Open)),
    // Codex sends `content: null` on the reasoning items it echoes
    content: Type.Optional(Nullable(Type.Array(Type.Object({ type: Type.String(), text: Type.String() }, Open)))),
    encrypted_content: Type.Optional(Nullable(Type.String())),
    status: Type.Optional(Type.String()),
  },
  Open,
);

/** the top level's view of an item: the adapter checks it against its type's schema */
export const AnyItem = Type.Object({ type: Type.Optional(Type.String()), role: Type.Optional(Type.String()) }, Open);

// ------------------------------------------------------------------------------------- tools, format

export const ResponsesFunctionTool = Type.Object(
  {
    type: Type.Literal('function'),
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9_.-]+$' }),
    description: Type.Optional(Nullable(Type.String())),
    parameters: Type.Optional(Nullable(Type.Record(Type.String(), Type.Unknown()))),
    strict: Type.Optional(Nullable(Type.Boolean())),
  },
  Open,
);
/** a tool the model calls with one free-text input, optionally constrained by a grammar (lark or regex) */
export const ResponsesCustomTool = Type.Object(
  {
    type: Type.Literal('custom'),
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9_.-]+$' }),
    description: Type.Optional(Nullable(Type.String())),
    format: Type.Optional(
      Type.Union([
        Type.Object({ type: Type.Literal('text') }, Open),
        Type.Object(
          {
            type: Type.Literal('grammar'),
            syntax: Type.Union([Type.Literal('lark'), Type.Literal('regex')]),
            definition: Type.String(),
          },
          Open,
        ),
      ]),
    ),
  },
  Open,
);
/** function and custom tools grouped under a name the calls carry as `namespace` */
export const ResponsesNamespaceTool = Type.Object(
  {
    type: Type.Literal('namespace'),
    name: Type.String({ minLength: 1, pattern: '^[a-zA-Z0-9_.-]+$' }),
    description: Type.Optional(Nullable(Type.String())),
    tools: Type.Array(Type.Object({ type: Type.String() }, Open), { minItems: 1 }),
  },
  Open,
);
export const AnyTool = Type.Object({ type: Type.String() }, Open);

export const ResponsesToolChoice = Type.Union([
  Type.Literal('none'),
  Type.Literal('auto'),
  Type.Literal('required'),
  Type.Object({ type: Type.Literal('function'), name: Type.String({ minLength: 1 }) }),
  Type.Object({
    type: Type.Literal('allowed_tools'),
    mode: Type.Union([Type.Literal('auto'), Type.Literal('required')]),
    tools: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  }),
  // hosted-tool choices ({type:'web_search'}, {type:'mcp',…}): the adapter names them as unsupported
  Type.Object({ type: Type.String() }, Open),
]);

export const TextFormat = Type.Union([
  Type.Object({ type: Type.Literal('text') }),
  Type.Object({ type: Type.Literal('json_object') }),
  Type.Object({
    type: Type.Literal('json_schema'),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    schema: Type.Record(Type.String(), Type.Unknown()),
    description: Type.Optional(Type.String()),
    strict: Type.Optional(Nullable(Type.Boolean())),
  }),
]);

const Verbosity = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);

export const ResponsesReasoning = Type.Object(
  {
    // the Responses API adds `max` above xhigh; ARouter maps it to xhigh
    effort: Type.Optional(Nullable(Type.Union([Effort, Type.Literal('max')]))),
    summary: Type.Optional(
      Nullable(Type.Union([Type.Literal('auto'), Type.Literal('concise'), Type.Literal('detailed')])),
    ),
    // ARouter's extras, as on /v1/chat/completions
    max_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
    exclude: Type.Optional(Type.Boolean()),
    enabled: Type.Optional(Type.Boolean()),
  },
  Open,
);

// ----------------------------------------------------------------------------------------- request

export const ResponsesRequestSchema = Type.Object(
  {
    model: Type.Optional(Type.String({ minLength: 1 })),
    models: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 10 })),
    input: Type.Optional(Type.Union([Type.String(), Type.Array(AnyItem)])),
    instructions: Type.Optional(Nullable(Type.String())),
    tools: Type.Optional(Type.Array(AnyTool)),
    tool_choice: Type.Optional(ResponsesToolChoice),
    parallel_tool_calls: Type.Optional(Nullable(Type.Boolean())),
    reasoning: Type.Optional(Nullable(ResponsesReasoning)),
    text: Type.Optional(
      Type.Object({ format: Type.Optional(TextFormat), verbosity: Type.Optional(Nullable(Verbosity)) }, Open),
    ),
    // the spec's minimum is 16; ARouter passes smaller values on (providers accept them)
    max_output_tokens: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    temperature: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 2 }))),
    top_p: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
    top_logprobs: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 20 }))),
    store: Type.Optional(Nullable(Type.Boolean())),
    metadata: Type.Optional(Nullable(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 512 })))),
    user: Type.Optional(Type.String()),
    safety_identifier: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    prompt_cache_key: Type.Optional(Nullable(Type.String())),
    service_tier: Type.Optional(Nullable(Type.String())),
    previous_response_id: Type.Optional(Nullable(Type.String())),
    conversation: Type.Optional(Type.Unknown()),
    include: Type.Optional(Nullable(Type.Array(Type.String()))),
    truncation: Type.Optional(Nullable(Type.Union([Type.Literal('auto'), Type.Literal('disabled')]))),
    background: Type.Optional(Nullable(Type.Boolean())),
    stream: Type.Optional(Nullable(Type.Boolean())),
    stream_options: Type.Optional(Nullable(Type.Object({ include_obfuscation: Type.Optional(Type.Boolean()) }, Open))),
    provider: Type.Optional(ProviderPreferences),
  },
  { additionalProperties: true },
);

export type ResponsesRequest = Static<typeof ResponsesRequestSchema>;
export type ResponsesMessageItem = Static<typeof MessageItem>;
export type ResponsesFunctionCallItem = Static<typeof FunctionCallItem>;
export type ResponsesFunctionCallOutputItem = Static<typeof FunctionCallOutputItem>;
export type ResponsesReasoningItem = Static<typeof ReasoningItem>;
export type ResponsesTool = Static<typeof ResponsesFunctionTool>;
export type ResponsesCustomToolParam = Static<typeof ResponsesCustomTool>;
export type ResponsesTextFormat = Static<typeof TextFormat>;
