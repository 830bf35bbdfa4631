// The OpenAI Chat Completions request as ARouter accepts it, plus ARouter's routing extras
// (`models`, `provider`, `reasoning`). Validated with a compiled TypeBox schema before any upstream call,
// so a bad body is a 400 naming the field. Unknown top-level fields are tolerated (SDKs add new ones
// faster than we ship) but never forwarded blindly: each dialect builds its upstream body field by field.
import { Type, type Static } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const TextPart = Type.Object({ type: Type.Literal('text'), text: Type.String() });
export const ImagePart = Type.Object({
  type: Type.Literal('image_url'),
  image_url: Type.Object({
    url: Type.String({ pattern: '^(https?://|data:)' }),
    detail: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('low'), Type.Literal('high')])),
  }),
});
export const AudioPart = Type.Object({
  type: Type.Literal('input_audio'),
  input_audio: Type.Object({ data: Type.String(), format: Type.String() }),
});
export const FilePart = Type.Object({
  type: Type.Literal('file'),
  file: Type.Object({
    filename: Type.Optional(Type.String()),
    file_data: Type.Optional(Type.String()),
    file_id: Type.Optional(Type.String()),
  }),
});
export const ContentPart = Type.Union([TextPart, ImagePart, AudioPart, FilePart]);

const TextContent = Type.Union([Type.String(), Type.Array(TextPart)]);

export const ToolCall = Type.Object({
  id: Type.String({ minLength: 1 }),
  type: Type.Literal('function'),
  function: Type.Object({ name: Type.String({ minLength: 1 }), arguments: Type.String() }),
});

export const SystemMessage = Type.Object({
  role: Type.Union([Type.Literal('system'), Type.Literal('developer')]),
  content: TextContent,
  name: Type.Optional(Type.String()),
});
export const UserMessage = Type.Object({
  role: Type.Literal('user'),
  content: Type.Union([Type.String(), Type.Array(ContentPart)]),
  name: Type.Optional(Type.String()),
});
export const AssistantMessage = Type.Object({
  role: Type.Literal('assistant'),
  content: Type.Optional(Type.Union([Type.String(), Type.Array(TextPart), Type.Null()])),
  name: Type.Optional(Type.String()),
  tool_calls: Type.Optional(Type.Array(ToolCall)),
  refusal: Type.Optional(Nullable(Type.String())),
  /** reasoning text of an earlier turn, echoed back by clients (OpenRouter's field) */
  reasoning: Type.Optional(Nullable(Type.String())),
  /** opaque reasoning blocks (Anthropic thinking signatures, Gemini thought signatures) echoed back */
  reasoning_details: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
});
export const ToolMessage = Type.Object({
  role: Type.Literal('tool'),
  tool_call_id: Type.String({ minLength: 1 }),
  content: TextContent,
  name: Type.Optional(Type.String()),
});
export const Message = Type.Union([SystemMessage, UserMessage, AssistantMessage, ToolMessage]);

export const FunctionTool = Type.Object({
  type: Type.Literal('function'),
  function: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9_.-]+$' }),
    description: Type.Optional(Type.String()),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    strict: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  }),
});

// OpenAI's allowed_tools choice: the model may only call the listed tools (`{type:"function",function:{name}}`)
export const AllowedToolsChoice = Type.Object({
  type: Type.Literal('allowed_tools'),
  allowed_tools: Type.Object({
    mode: Type.Union([Type.Literal('auto'), Type.Literal('required')]),
    tools: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  }),
});

export const ToolChoice = Type.Union([
  Type.Literal('none'),
  Type.Literal('auto'),
  Type.Literal('required'),
  Type.Object({ type: Type.Literal('function'), function: Type.Object({ name: Type.String({ minLength: 1 }) }) }),
  AllowedToolsChoice,
]);

const NullableString = (opts: { maxLength?: number } = {}) => Type.Union([Type.String(opts), Type.Null()]);

export const ResponseFormat = Type.Union([
  Type.Object({ type: Type.Literal('text') }),
  Type.Object({ type: Type.Literal('json_object') }),
  Type.Object({
    type: Type.Literal('json_schema'),
    json_schema: Type.Object({
      name: Type.String({ minLength: 1 }),
      description: Type.Optional(Type.String()),
      schema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      strict: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    }),
  }),
]);

// every value OpenAI and OpenRouter define; `none` turns reasoning off
export const Effort = Type.Union([
  Type.Literal('none'),
  Type.Literal('minimal'),
  Type.Literal('low'),
  Type.Literal('medium'),
  Type.Literal('high'),
  Type.Literal('xhigh'),
]);

export const ReasoningConfig = Type.Object({
  effort: Type.Optional(Effort),
  max_tokens: Type.Optional(Type.Integer({ minimum: 0 })),
  exclude: Type.Optional(Type.Boolean()),
  enabled: Type.Optional(Type.Boolean()),
});

export const PriceLimit = Type.Object({
  prompt: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.String()])),
  completion: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.String()])),
  request: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.String()])),
  image: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.String()])),
});

// Provider lists are matched against every endpoint of the model (per comparison when ordering): a 5 MB
// `order` of 1M names took 5 s of event loop. A deployment has tens of providers, not hundreds.
const ProviderList = Type.Array(Type.String(), { maxItems: 100 });

export const ProviderPreferences = Type.Object({
  order: Type.Optional(ProviderList),
  only: Type.Optional(ProviderList),
  ignore: Type.Optional(ProviderList),
  allow_fallbacks: Type.Optional(Type.Boolean()),
  require_parameters: Type.Optional(Type.Boolean()),
  sort: Type.Optional(Type.Union([Type.Literal('price'), Type.Literal('throughput'), Type.Literal('latency')])),
  max_price: Type.Optional(PriceLimit),
  quantizations: Type.Optional(ProviderList),
});

/** output modalities (OpenAI: text, audio; OpenRouter adds image for image-generating models) */
export const OutputModality = Type.Union([Type.Literal('text'), Type.Literal('image'), Type.Literal('audio')]);

/** OpenAI's `audio` output options; the voice and format sets differ per provider, so they are left to the upstream */
export const AudioOutputConfig = Type.Object({
  voice: Type.String({ minLength: 1 }),
  format: Type.String({ minLength: 1 }),
});

/** OpenRouter's `image_config` for image-generating models (e.g. aspect_ratio "16:9", image_size "4K") */
export const ImageConfig = Type.Object(
  {
    aspect_ratio: Type.Optional(Type.String({ minLength: 1 })),
    image_size: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: true },
);

export const ChatRequestSchema = Type.Object(
  {
    model: Type.Optional(Type.String({ minLength: 1 })),
    models: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 10 })),
    messages: Type.Array(Message, { minItems: 1 }),
    tools: Type.Optional(Type.Array(FunctionTool)),
    tool_choice: Type.Optional(ToolChoice),
    parallel_tool_calls: Type.Optional(Type.Boolean()),
    response_format: Type.Optional(ResponseFormat),
    stop: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 4 }), Type.Null()])),
    temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
    top_p: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
    top_k: Type.Optional(Type.Integer({ minimum: 0 })),
    max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    max_completion_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    seed: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    frequency_penalty: Type.Optional(Type.Union([Type.Number({ minimum: -2, maximum: 2 }), Type.Null()])),
    presence_penalty: Type.Optional(Type.Union([Type.Number({ minimum: -2, maximum: 2 }), Type.Null()])),
    n: Type.Optional(Type.Literal(1)),
    // token id → bias; OpenAI takes integers -100..100
    logit_bias: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.Integer({ minimum: -100, maximum: 100 })), Type.Null()]),
    ),
    logprobs: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    top_logprobs: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 20 }), Type.Null()])),
    stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    stream_options: Type.Optional(
      Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }), Type.Null()]),
    ),
    user: Type.Optional(Type.String()),
    // OpenAI-only request options, forwarded to OpenAI endpoints and dropped elsewhere (spec: CreateChatCompletionRequest)
    service_tier: Type.Optional(
      Type.Union([
        Type.Literal('auto'),
        Type.Literal('default'),
        Type.Literal('flex'),
        Type.Literal('scale'),
        Type.Literal('priority'),
        Type.Literal('fast'),
        Type.Null(),
      ]),
    ),
    prompt_cache_key: Type.Optional(NullableString()),
    safety_identifier: Type.Optional(NullableString({ maxLength: 64 })),
    store: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    metadata: Type.Optional(
      Type.Union([Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 512 })), Type.Null()]),
    ),
    prediction: Type.Optional(
      Type.Union([
        Type.Object({ type: Type.Literal('content'), content: Type.Union([Type.String(), Type.Array(TextPart)]) }),
        Type.Null(),
      ]),
    ),
    verbosity: Type.Optional(
      Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Null()]),
    ),
    reasoning: Type.Optional(ReasoningConfig),
    reasoning_effort: Type.Optional(Effort),
    include_reasoning: Type.Optional(Type.Boolean()),
    provider: Type.Optional(ProviderPreferences),
    usage: Type.Optional(Type.Object({ include: Type.Optional(Type.Boolean()) })),
    modalities: Type.Optional(Type.Union([Type.Array(OutputModality, { minItems: 1, maxItems: 3 }), Type.Null()])),
    audio: Type.Optional(Type.Union([AudioOutputConfig, Type.Null()])),
    image_config: Type.Optional(Type.Union([ImageConfig, Type.Null()])),
  },
  { additionalProperties: true },
);

export type ChatRequest = Static<typeof ChatRequestSchema>;
export type ChatMessage = Static<typeof Message>;
export type ChatContentPart = Static<typeof ContentPart>;
export type ChatTool = Static<typeof FunctionTool>;
export type ChatToolCall = Static<typeof ToolCall>;
export type ChatToolChoice = Static<typeof ToolChoice>;
export type ChatAllowedToolsChoice = Static<typeof AllowedToolsChoice>;
export type ProviderPrefs = Static<typeof ProviderPreferences>;
export type ChatOutputModality = Static<typeof OutputModality>;

export const EmbeddingsRequestSchema = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    input: Type.Union([
      Type.String(),
      Type.Array(Type.String(), { minItems: 1, maxItems: 2048 }),
      Type.Array(Type.Integer(), { minItems: 1 }),
      Type.Array(Type.Array(Type.Integer(), { minItems: 1 }), { minItems: 1 }),
    ]),
    encoding_format: Type.Optional(Type.Union([Type.Literal('float'), Type.Literal('base64')])),
    dimensions: Type.Optional(Type.Integer({ minimum: 1 })),
    user: Type.Optional(Type.String()),
    provider: Type.Optional(ProviderPreferences),
  },
  { additionalProperties: true },
);
export type EmbeddingsRequest = Static<typeof EmbeddingsRequestSchema>;
