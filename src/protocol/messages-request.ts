// The Anthropic Messages request (POST /v1/messages) as ARouter accepts it, for every model in the catalog.
// Validated with a compiled TypeBox schema like the chat request, so a bad body is a 400 naming the field.
// Field by field from Anthropic's spec (CreateMessageParams); unknown top-level fields are tolerated (the SDK
// and Claude Code add beta fields faster than we ship) and the adapter decides which ones it can honour.
// Blocks are not closed (additionalProperties) either: `citations`, `caller`, … are read or ignored there.
import { Type, type Static } from '@sinclair/typebox';
import { ProviderPreferences } from './chat-request.js';

export const CacheControl = Type.Object({
  type: Type.Literal('ephemeral'),
  ttl: Type.Optional(Type.Union([Type.Literal('5m'), Type.Literal('1h')])),
});
const OptCache = Type.Optional(Type.Union([CacheControl, Type.Null()]));

export const MTextBlock = Type.Object({ type: Type.Literal('text'), text: Type.String(), cache_control: OptCache });

const Base64Source = Type.Object({ type: Type.Literal('base64'), media_type: Type.String(), data: Type.String() });
const UrlSource = Type.Object({ type: Type.Literal('url'), url: Type.String({ minLength: 1 }) });
const TextSource = Type.Object({
  type: Type.Literal('text'),
  media_type: Type.Optional(Type.String()),
  data: Type.String(),
});
const ContentSource = Type.Object({ type: Type.Literal('content'), content: Type.Unknown() });

export const MImageBlock = Type.Object({
  type: Type.Literal('image'),
  source: Type.Union([Base64Source, UrlSource]),
  cache_control: OptCache,
});
export const MDocumentBlock = Type.Object({
  type: Type.Literal('document'),
  source: Type.Union([Base64Source, UrlSource, TextSource, ContentSource]),
  title: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  context: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  cache_control: OptCache,
});
export const MToolUseBlock = Type.Object({
  type: Type.Literal('tool_use'),
  id: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  input: Type.Record(Type.String(), Type.Unknown()),
  cache_control: OptCache,
});
export const MToolResultBlock = Type.Object({
  type: Type.Literal('tool_result'),
  tool_use_id: Type.String({ minLength: 1 }),
  content: Type.Optional(
    Type.Union([Type.String(), Type.Array(Type.Union([MTextBlock, MImageBlock, MDocumentBlock]))]),
  ),
  is_error: Type.Optional(Type.Boolean()),
  cache_control: OptCache,
});
export const MThinkingBlock = Type.Object({
  type: Type.Literal('thinking'),
  thinking: Type.String(),
  signature: Type.String(),
});
export const MRedactedThinkingBlock = Type.Object({ type: Type.Literal('redacted_thinking'), data: Type.String() });

export const MContentBlock = Type.Union([
  MTextBlock,
  MImageBlock,
  MDocumentBlock,
  MToolUseBlock,
  MToolResultBlock,
  MThinkingBlock,
  MRedactedThinkingBlock,
]);

export const MMessage = Type.Object({
  // Anthropic's API has no system role in messages, but Claude Code sends one for model ids it does not know
  role: Type.Union([Type.Literal('user'), Type.Literal('assistant'), Type.Literal('system')]),
  content: Type.Union([Type.String(), Type.Array(MContentBlock)]),
});

/** Custom tools have `input_schema`; server tools (web_search_20250305, bash_…) have a versioned `type` instead. */
export const MTool = Type.Object({
  type: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  name: Type.String({ minLength: 1, maxLength: 128 }),
  description: Type.Optional(Type.String()),
  input_schema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  strict: Type.Optional(Type.Boolean()),
  cache_control: OptCache,
});

const Parallel = { disable_parallel_tool_use: Type.Optional(Type.Boolean()) };
export const MToolChoice = Type.Union([
  Type.Object({ type: Type.Literal('auto'), ...Parallel }),
  Type.Object({ type: Type.Literal('any'), ...Parallel }),
  Type.Object({ type: Type.Literal('tool'), name: Type.String({ minLength: 1 }), ...Parallel }),
  Type.Object({ type: Type.Literal('none') }),
]);

export const MThinking = Type.Union([
  Type.Object({ type: Type.Literal('enabled'), budget_tokens: Type.Integer({ minimum: 1024 }) }),
  Type.Object({ type: Type.Literal('disabled') }),
  Type.Object({ type: Type.Literal('adaptive') }),
]);

export const MOutputConfig = Type.Object({
  effort: Type.Optional(
    Type.Union([
      Type.Literal('low'),
      Type.Literal('medium'),
      Type.Literal('high'),
      Type.Literal('xhigh'),
      Type.Literal('max'),
      Type.Null(),
    ]),
  ),
  format: Type.Optional(
    Type.Union([
      Type.Object({ type: Type.Literal('json_schema'), schema: Type.Record(Type.String(), Type.Unknown()) }),
      Type.Null(),
    ]),
  ),
});

const fields = {
  model: Type.String({ minLength: 1 }),
  messages: Type.Array(MMessage, { minItems: 1 }),
  system: Type.Optional(Type.Union([Type.String(), Type.Array(MTextBlock)])),
  tools: Type.Optional(Type.Array(MTool)),
  tool_choice: Type.Optional(MToolChoice),
  thinking: Type.Optional(MThinking),
  output_config: Type.Optional(MOutputConfig),
  stop_sequences: Type.Optional(Type.Array(Type.String())),
  temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  top_p: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  top_k: Type.Optional(Type.Integer({ minimum: 0 })),
  metadata: Type.Optional(
    Type.Object({ user_id: Type.Optional(Type.Union([Type.String({ maxLength: 512 }), Type.Null()])) }),
  ),
  stream: Type.Optional(Type.Boolean()),
  service_tier: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('standard_only')])),
  cache_control: OptCache,
  // ARouter's routing extras, as on chat requests (the Messages API has no such fields)
  models: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 10 })),
  provider: Type.Optional(ProviderPreferences),
};

export const MessagesRequestSchema = Type.Object(
  { ...fields, max_tokens: Type.Integer({ minimum: 1 }) },
  { additionalProperties: true },
);

/** POST /v1/messages/count_tokens: the same body, without max_tokens (Anthropic's CountMessageTokensParams). */
export const CountTokensRequestSchema = Type.Object(
  { ...fields, max_tokens: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: true },
);

export type MessagesRequest = Static<typeof MessagesRequestSchema>;
export type CountTokensRequest = Static<typeof CountTokensRequestSchema>;
export type MessagesContentBlock = Static<typeof MContentBlock>;
export type MessagesMessage = Static<typeof MMessage>;
export type MessagesTool = Static<typeof MTool>;
