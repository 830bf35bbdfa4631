// Canonical stream events → Anthropic's SSE sequence (wire-formats.md §2.4): message_start, then per content
// block content_block_start / content_block_delta… / content_block_stop, then message_delta (stop reason and
// final usage) and message_stop. Blocks are numbered in the order they open; a block closes when the deltas
// switch to another kind (reasoning, text, a tool call), so every index is opened and closed once.
import type {
  ChunkDelta,
  FinishReason,
  ReasoningDetail,
  StreamEvent,
  UpstreamError,
} from '../../protocol/chat-result.js';
import type { AnswerInfo, AnswerUsage, StreamEncoder } from '../../protocol/inbound.js';
import type { MessagesRequest } from '../../protocol/messages-request.js';
import { messageId, stopReason, toolUseId, wireUsage } from './answer.js';
import { errorPayload } from './errors.js';
import { encodeForeign, isAnthropicDetail } from './thinking.js';

const sse = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

type Kind = 'text' | 'thinking' | 'tool' | 'redacted';

export class MessagesStreamEncoder implements StreamEncoder {
  private info: AnswerInfo | null = null;
  private next = 0;
  private current: { kind: Kind; index: number } | null = null;
  /** canonical tool call index → Anthropic block index */
  private readonly tools = new Map<number, number>();
  private native: string | null = null;

  constructor(private readonly stopSequences: string[] = []) {}

  open(info: AnswerInfo): string {
    this.info = info;
    return sse('message_start', {
      type: 'message_start',
      message: {
        id: messageId(info),
        type: 'message',
        role: 'assistant',
        model: info.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        stop_details: null,
        container: null,
        // input counts are only final at the end (message_delta carries them, as Anthropic's does)
        usage: {
          input_tokens: 0,
          output_tokens: 0,
          cache_creation_input_tokens: null,
          cache_read_input_tokens: null,
          cache_creation: null,
          inference_geo: null,
          server_tool_use: null,
          service_tier: null,
        },
        provider: info.provider,
      },
    });
  }

  events(evs: StreamEvent[]): string {
    let out = '';
    for (const ev of evs) {
      if (ev.type === 'delta') out += this.delta(ev.delta);
      else if (ev.type === 'finish') this.native = ev.native_finish_reason;
    }
    return out;
  }

  close(usage: AnswerUsage, finish: FinishReason): string {
    let out = this.closeCurrent();
    const stop = stopReason(finish, this.native, this.tools.size);
    // Anthropic names the sequence that matched; from the canonical answer only a single one can be named
    const seq = stop === 'stop_sequence' && this.stopSequences.length === 1 ? this.stopSequences[0] : null;
    out += sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stop, stop_sequence: seq, stop_details: null, container: null },
      usage: wireUsage(usage),
    });
    return out + sse('message_stop', { type: 'message_stop' });
  }

  error(err: UpstreamError): string {
    return sse('error', errorPayload(err.status, err.message, err.code, null));
  }

  // ------------------------------------------------------------------------------------------- blocks

  private start(kind: Kind, block: object): string {
    const out = this.closeCurrent();
    const index = this.next++;
    this.current = { kind, index };
    return out + sse('content_block_start', { type: 'content_block_start', index, content_block: block });
  }

  private closeCurrent(): string {
    if (!this.current) return '';
    const index = this.current.index;
    this.current = null;
    return sse('content_block_stop', { type: 'content_block_stop', index });
  }

  private ensure(kind: 'text' | 'thinking'): string {
    if (this.current?.kind === kind) return '';
    return kind === 'text'
      ? this.start('text', { type: 'text', text: '', citations: null })
      : this.start('thinking', { type: 'thinking', thinking: '', signature: '' });
  }

  private blockDelta(delta: object): string {
    return sse('content_block_delta', { type: 'content_block_delta', index: this.current!.index, delta });
  }

  // ------------------------------------------------------------------------------------------- deltas

  private delta(d: ChunkDelta): string {
    let out = this.reasoning(d);
    for (const text of [d.content, d.refusal]) {
      if (text) out += this.ensure('text') + this.blockDelta({ type: 'text_delta', text });
    }
    for (const tc of d.tool_calls ?? []) {
      let index = this.tools.get(tc.index);
      if (index === undefined) {
        out += this.start('tool', {
          type: 'tool_use',
          id: toolUseId(tc.id, this.info!, this.tools.size),
          name: tc.function.name ?? '',
          input: {},
          caller: { type: 'direct' },
        });
        index = this.current!.index;
        this.tools.set(tc.index, index);
      }
      const part = tc.function.arguments;
      // a piece of an earlier, already closed call (interleaved parallel calls) still goes to its own index
      if (part) {
        out += sse('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: part },
        });
      }
    }
    return out;
  }

  /**
   * Anthropic upstreams send each thinking piece twice, as `reasoning` and as a reasoning_details text entry, and
   * close a block with a signed text-less entry (src/providers/anthropic/stream.ts): the entries are read then.
   * Other providers' plain `reasoning` text is unsigned thinking; their opaque entries become whole blocks whose
   * signature carries them (./thinking.ts).
   */
  private reasoning(d: ChunkDelta): string {
    const details: ReasoningDetail[] = d.reasoning_details ?? [];
    const textInDetails = details.some(
      (x) => isAnthropicDetail(x) && x.type === 'reasoning.text' && typeof x.text === 'string' && x.text !== '',
    );
    let out = '';
    if (!textInDetails && d.reasoning) out += this.thinking(d.reasoning);
    for (const x of details) {
      if (!isAnthropicDetail(x)) {
        out += this.start('thinking', { type: 'thinking', thinking: '', signature: '' });
        out += this.blockDelta({ type: 'signature_delta', signature: encodeForeign(x) });
        out += this.closeCurrent();
      } else if (x.type === 'reasoning.text') {
        if (typeof x.text === 'string' && x.text !== '') out += this.thinking(x.text);
        if (typeof x.signature === 'string' && x.signature !== '') {
          out += this.ensure('thinking') + this.blockDelta({ type: 'signature_delta', signature: x.signature });
          out += this.closeCurrent();
        }
      } else if (x.type === 'reasoning.encrypted' && typeof x.data === 'string' && x.data !== '') {
        out += this.start('redacted', { type: 'redacted_thinking', data: x.data }) + this.closeCurrent();
      }
    }
    return out;
  }

  private thinking(text: string): string {
    return this.ensure('thinking') + this.blockDelta({ type: 'thinking_delta', thinking: text });
  }
}

export const messagesStream = (wire: MessagesRequest): StreamEncoder =>
  new MessagesStreamEncoder(wire.stop_sequences ?? []);
