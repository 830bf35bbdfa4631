// Anthropic Messages SSE → OpenAI-shaped stream events (wire-formats.md §2.4, §4.6). Every content delta
// is translated as it arrives; only finish and usage wait for message_delta / message_stop.
// The final event is `message_stop`, or a `message_delta` carrying stop_reason (the answer is whole once the
// stop reason is known; a missing message_stop after it loses nothing). A stream that ends before either was
// cut: an `upstream_stream_truncated` error, never a finish, and no usage (message_start's output_tokens is
// a provisional 1: what was delivered is counted locally instead).
import type { BuildContext, ChunkDelta, NormalizedUsage, SseEvent, StreamEvent, StreamTranslator } from '../types.js';
import { truncatedStream } from '../truncated.js';
import { mapStreamError } from './errors.js';
import { REASONING_FORMAT } from './messages.js';
import { loadState, type RequestState } from './state.js';
import { type AnthropicUsage, finishReason, normalizeUsage } from './usage.js';

interface BlockState {
  kind: 'text' | 'thinking' | 'tool' | 'json' | 'other';
  /** OpenAI tool_calls index (a separate counter: text/thinking blocks also take Anthropic indices) */
  toolIndex: number;
  gotJson: boolean;
  thinking: string;
  signature: string;
  signatureSent: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the provider's events, read field by field after their type
type Json = Record<string, any>;

export class AnthropicStreamTranslator implements StreamTranslator {
  private readonly state: RequestState;
  private readonly provider: string;
  private readonly exclude: boolean;
  private readonly blocks = new Map<number, BlockState>();
  private toolCount = 0;
  private thinkingChars = 0;
  private usage: AnthropicUsage | null = null;
  private stopReason: string | null = null;
  private done = false;

  constructor(ctx: BuildContext) {
    this.state = loadState(ctx);
    this.provider = ctx.target.provider.name;
    this.exclude = ctx.reasoning?.exclude === true;
  }

  push(ev: SseEvent): StreamEvent[] {
    if (this.done) return [];
    let data: Json;
    try {
      data = JSON.parse(ev.data) as Json;
    } catch {
      return []; // keep-alives or garbage: nothing to translate
    }
    if (!data || typeof data !== 'object') return [];
    const type = typeof data.type === 'string' ? data.type : ev.event;
    switch (type) {
      case 'message_start':
        this.mergeUsage(data.message?.usage);
        return [];
      case 'content_block_start':
        return this.blockStart(Number(data.index), data.content_block ?? {});
      case 'content_block_delta':
        return this.blockDelta(Number(data.index), data.delta ?? {});
      case 'content_block_stop':
        return this.blockStop(Number(data.index));
      case 'message_delta': {
        if (typeof data.delta?.stop_reason === 'string') this.stopReason = data.delta.stop_reason;
        this.mergeUsage(data.usage);
        // stop_reason "refusal" carries its explanation here (RefusalStopDetails); the non-streamed answer keeps
        // it as message.refusal, so the stream sends it as delta.refusal before the finish
        const why = data.delta?.stop_details?.explanation;
        return this.stopReason === 'refusal' && typeof why === 'string' && why !== ''
          ? this.delta({ refusal: why })
          : [];
      }
      case 'message_stop':
        return this.finish();
      case 'error':
        this.done = true;
        return [{ type: 'error', error: mapStreamError(data) }];
      default:
        return []; // ping and event types added later
    }
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    if (this.stopReason !== null) return this.finish();
    this.done = true;
    return truncatedStream(this.provider);
  }

  /**
   * message_start carries input/cache counts and a provisional output count; message_delta counts are
   * cumulative, and its non-null input/cache fields override message_start's.
   */
  private mergeUsage(u: Json | undefined | null): void {
    if (!u || typeof u !== 'object') return;
    const next: AnthropicUsage = { ...(this.usage ?? {}) };
    for (const k of [
      'input_tokens',
      'output_tokens',
      'cache_creation_input_tokens',
      'cache_read_input_tokens',
    ] as const) {
      if (typeof u[k] === 'number') next[k] = u[k];
    }
    this.usage = next;
  }

  private delta(delta: ChunkDelta): StreamEvent[] {
    return [{ type: 'delta', delta }];
  }

  private blockStart(index: number, cb: Json): StreamEvent[] {
    const block: BlockState = {
      kind: 'other',
      toolIndex: -1,
      gotJson: false,
      thinking: '',
      signature: '',
      signatureSent: false,
    };
    this.blocks.set(index, block);
    switch (cb.type) {
      case 'text':
        block.kind = 'text';
        return typeof cb.text === 'string' && cb.text !== '' ? this.delta({ content: cb.text }) : [];
      case 'thinking':
        block.kind = 'thinking';
        if (typeof cb.signature === 'string') block.signature = cb.signature;
        return typeof cb.thinking === 'string' && cb.thinking !== '' ? this.thinkingText(block, cb.thinking) : [];
      case 'redacted_thinking':
        // Arrives whole, with no deltas; opaque, so it is passed on even with exclude.
        return typeof cb.data === 'string' && cb.data
          ? this.delta({
              reasoning_details: [{ type: 'reasoning.encrypted', data: cb.data, format: REASONING_FORMAT }],
            })
          : [];
      case 'tool_use': {
        const name = typeof cb.name === 'string' ? cb.name : '';
        if (this.state.jsonTool !== null && name === this.state.jsonTool) {
          block.kind = 'json'; // its JSON streams out as the text content
          return [];
        }
        block.kind = 'tool';
        block.toolIndex = this.toolCount++;
        // arguments starts empty: stringifying the block's initial `input:{}` would prefix "{}" to the JSON.
        return this.delta({
          tool_calls: [
            {
              index: block.toolIndex,
              id: typeof cb.id === 'string' ? cb.id : '',
              type: 'function',
              function: { name: this.state.names.client(name), arguments: '' },
            },
          ],
        });
      }
      default:
        return []; // server_tool_use, web_search_tool_result, …: not part of the OpenAI answer
    }
  }

  /**
   * Each piece goes out once, as OpenRouter streams it: in `reasoning` (what OpenAI-style clients read) and as a
   * `reasoning_details` text piece in the same chunk (what OpenRouter's clients read and accumulate). Repeating
   * the whole text in a trailing entry showed it twice in @openrouter/ai-sdk-provider, which renders both.
   */
  private thinkingText(block: BlockState, text: string): StreamEvent[] {
    block.thinking += text;
    this.thinkingChars += text.length;
    if (this.exclude) return [];
    return this.delta({
      reasoning: text,
      reasoning_details: [{ type: 'reasoning.text', text, format: REASONING_FORMAT }],
    });
  }

  private blockDelta(index: number, d: Json): StreamEvent[] {
    const block = this.blocks.get(index);
    switch (d.type) {
      case 'text_delta':
        return typeof d.text === 'string' && d.text !== '' ? this.delta({ content: d.text }) : [];
      case 'thinking_delta':
        if (!block || typeof d.thinking !== 'string' || d.thinking === '') return [];
        return this.thinkingText(block, d.thinking);
      case 'signature_delta':
        if (!block || typeof d.signature !== 'string') return [];
        // A signature_delta replaces the signature (it is not appended).
        block.signature = d.signature;
        return this.signatureDetail(block);
      case 'input_json_delta': {
        // Only tool_use blocks turn into tool calls: server-tool blocks also stream input_json_delta.
        if (!block || (block.kind !== 'tool' && block.kind !== 'json')) return [];
        const part = typeof d.partial_json === 'string' ? d.partial_json : '';
        if (part === '') return [];
        block.gotJson = true;
        if (block.kind === 'json') return this.delta({ content: part });
        return this.delta({ tool_calls: [{ index: block.toolIndex, function: { arguments: part } }] });
      }
      default:
        return []; // citations_delta and future delta types
    }
  }

  /**
   * The signature arrives after the block's text: it closes the block's pieces as a text-less entry, so the
   * accumulated pieces (consecutive reasoning.text entries, merged as OpenRouter's clients do and as
   * ./messages.ts does when they are echoed) are the signed block. Withheld with exclude, like the text.
   */
  private signatureDetail(block: BlockState): StreamEvent[] {
    if (this.exclude || !block.signature) return [];
    block.signatureSent = true;
    return this.delta({
      reasoning_details: [{ type: 'reasoning.text', text: '', signature: block.signature, format: REASONING_FORMAT }],
    });
  }

  private blockStop(index: number): StreamEvent[] {
    const block = this.blocks.get(index);
    if (!block) return [];
    if (block.kind === 'thinking' && !block.signatureSent) return this.signatureDetail(block);
    if (!block.gotJson) {
      // A tool call without arguments still needs valid JSON for clients that parse it (LiteLLM does this too).
      if (block.kind === 'json') return this.delta({ content: '{}' });
      if (block.kind === 'tool') {
        return this.delta({ tool_calls: [{ index: block.toolIndex, function: { arguments: '{}' } }] });
      }
    }
    return [];
  }

  private finish(): StreamEvent[] {
    this.done = true;
    const out: StreamEvent[] = [
      {
        type: 'finish',
        finish_reason: finishReason(this.stopReason, this.toolCount),
        native_finish_reason: this.stopReason,
      },
    ];
    if (this.usage) {
      const usage: NormalizedUsage = normalizeUsage(this.usage, this.thinkingChars);
      out.push({ type: 'usage', usage });
    }
    return out;
  }
}
