// Canonical stream events → the Responses API's typed SSE events (`event: <type>\ndata: <json>\n\n`), each with
// the next `sequence_number`: response.created and response.in_progress at open; per output item
// response.output_item.added … response.output_item.done; at the end response.completed (or .incomplete, or
// .failed) carrying the whole Response with usage.
//
// One item is open at a time, and items close in order: the canonical deltas switch between reasoning, text and
// tool calls, and each switch closes the open item and opens one of the new kind (reasoning → a reasoning item
// with summary events; text and refusal → a message item with its content parts; each tool call index → its
// own function_call item, or custom_tool_call item for a custom tool, whose input events come at its end). Reasoning details that arrive while no reasoning item is open (Gemini signs function
// call parts) are kept and closed into one last reasoning item, so a client that echoes `output` echoes them.
// A mid-stream failure ends with response.failed (spec: "emitted when a response fails"), its open items
// marked incomplete; it is terminal, as response.completed is.
import type { AnswerInfo, AnswerUsage, StreamEncoder } from '../../protocol/inbound.js';
import type {
  ChunkDelta,
  FinishReason,
  Logprobs,
  ReasoningDetail,
  StreamEvent,
  ToolCallDelta,
  UpstreamError,
} from '../../protocol/chat-result.js';
import type { ResponsesRequest } from '../../protocol/responses-request.js';
import { failedError } from './errors.js';
import { customCallItemId, functionCallItemId, messageItemId, reasoningItemId } from './ids.js';
import { encodeDetails } from './reasoning-carry.js';
import { deltaLogprobs, echoOf, endOf, FINISH_ERROR, partLogprobs, responseObject, type Echo } from './response.js';
import type { ResponseParts } from './response.js';
import { callItem, customInput, toolPlan, type ToolPlan } from './tools.js';

type Obj = Record<string, unknown>;

interface ReasoningState {
  kind: 'reasoning';
  index: number;
  id: string;
  text: string;
  partOpen: boolean;
  details: ReasoningDetail[];
}
interface TextPartState {
  type: 'output_text' | 'refusal';
  value: string;
  /** the `logprobs.content` of each piece */
  logprobs: unknown[];
}
interface MessageState {
  kind: 'message';
  index: number;
  id: string;
  parts: TextPartState[];
}
interface CallState {
  kind: 'call';
  index: number;
  id: string;
  /** a custom tool's call: its input is known whole only at the end (the model writes it as JSON) */
  custom: boolean;
  call_id: string;
  name: string;
  args: string;
}
type ItemState = ReasoningState | MessageState | CallState;

export class ResponsesStreamEncoder implements StreamEncoder {
  private seq = 0;
  private info: AnswerInfo = { id: '', created: 0, model: '', provider: '' };
  private readonly echo: Echo;
  private readonly plan: ToolPlan;
  /** the final objects of closed items, by output index */
  private readonly done: Obj[] = [];
  private current: ItemState | null = null;
  private readonly calls = new Map<number, CallState>();
  private orphanDetails: ReasoningDetail[] = [];
  private reasoningItems = 0;
  private messageItems = 0;

  constructor(wire: ResponsesRequest) {
    this.echo = echoOf(wire);
    this.plan = toolPlan(wire);
  }

  open(info: AnswerInfo): string {
    this.info = info;
    const response = this.response({ status: 'in_progress', output: [] });
    return this.emit('response.created', { response }) + this.emit('response.in_progress', { response });
  }

  events(evs: StreamEvent[]): string {
    let out = '';
    for (const ev of evs) if (ev.type === 'delta') out += this.delta(ev.delta, ev.logprobs);
    return out;
  }

  close(usage: AnswerUsage, finish: FinishReason): string {
    const end = endOf(finish);
    const itemStatus = end.status === 'completed' ? 'completed' : 'incomplete';
    let out = this.closeOpen(itemStatus) + this.flushOrphans();
    const response = this.response({
      status: end.status,
      output: this.done,
      usage,
      incomplete: end.incomplete,
      error: end.status === 'failed' ? FINISH_ERROR : null,
    });
    const type =
      end.status === 'completed'
        ? 'response.completed'
        : end.status === 'failed'
          ? 'response.failed'
          : 'response.incomplete';
    out += this.emit(type, { response });
    return out;
  }

  error(err: UpstreamError, usage: AnswerUsage): string {
    // the open item is cut short: it goes into the failed response as it stands, with no .done events
    const output = this.current ? [...this.done, this.itemObject(this.current, 'incomplete')] : this.done;
    const response = this.response({ status: 'failed', output, usage, error: failedError(err) });
    return this.emit('response.failed', { response });
  }

  // ------------------------------------------------------------------------------------------ deltas

  private delta(d: ChunkDelta, logprobs: Logprobs | undefined): string {
    let out = '';
    if (d.reasoning) out += this.reasoningText(d.reasoning);
    if (d.reasoning_details?.length) {
      if (this.current?.kind === 'reasoning') this.current.details.push(...d.reasoning_details);
      else this.orphanDetails.push(...d.reasoning_details);
    }
    if (d.content) out += this.text('output_text', d.content, logprobs);
    if (d.refusal) out += this.text('refusal', d.refusal, undefined);
    for (const tc of d.tool_calls ?? []) out += this.toolCall(tc);
    return out;
  }

  private reasoningText(text: string): string {
    let out = '';
    if (this.current?.kind !== 'reasoning') {
      out += this.closeOpen('completed');
      const n = this.reasoningItems++;
      const item: ReasoningState = {
        kind: 'reasoning',
        index: this.done.length,
        id: reasoningItemId(this.info.id, n),
        text: '',
        partOpen: false,
        details: [],
      };
      this.current = item;
      out += this.emit('response.output_item.added', {
        output_index: item.index,
        item: { id: item.id, type: 'reasoning', summary: [] },
      });
    }
    const r = this.current as ReasoningState;
    if (!r.partOpen) {
      r.partOpen = true;
      out += this.emit('response.reasoning_summary_part.added', {
        ...this.at(r),
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
    }
    r.text += text;
    out += this.emit('response.reasoning_summary_text.delta', { ...this.at(r), summary_index: 0, delta: text });
    return out;
  }

  private text(type: 'output_text' | 'refusal', value: string, logprobs: Logprobs | undefined): string {
    let out = '';
    if (this.current?.kind !== 'message') {
      out += this.closeOpen('completed');
      const n = this.messageItems++;
      const item: MessageState = {
        kind: 'message',
        index: this.done.length,
        id: messageItemId(this.info.id, n),
        parts: [],
      };
      this.current = item;
      out += this.emit('response.output_item.added', {
        output_index: item.index,
        item: { id: item.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
      });
    }
    const m = this.current as MessageState;
    let part = m.parts[m.parts.length - 1];
    if (!part || part.type !== type) {
      if (part) out += this.closePart(m, m.parts.length - 1);
      part = { type, value: '', logprobs: [] };
      m.parts.push(part);
      out += this.emit('response.content_part.added', {
        ...this.at(m),
        content_index: m.parts.length - 1,
        part: type === 'output_text' ? { type, text: '', annotations: [], logprobs: [] } : { type, refusal: '' },
      });
    }
    part.value += value;
    const content_index = m.parts.length - 1;
    if (type === 'refusal')
      return out + this.emit('response.refusal.delta', { ...this.at(m), content_index, delta: value });
    if (logprobs) part.logprobs.push(logprobs.content);
    return (
      out +
      this.emit('response.output_text.delta', {
        ...this.at(m),
        content_index,
        delta: value,
        logprobs: deltaLogprobs(logprobs),
      })
    );
  }

  private toolCall(tc: ToolCallDelta): string {
    let out = '';
    let call = this.calls.get(tc.index);
    if (!call) {
      out += this.closeOpen('completed');
      const name = tc.function.name ?? '';
      const custom = this.plan.byFlat.get(name)?.kind === 'custom';
      call = {
        kind: 'call',
        index: this.done.length,
        id: (custom ? customCallItemId : functionCallItemId)(this.info.id, tc.index),
        custom,
        call_id: tc.id ?? '',
        name,
        args: '',
      };
      this.calls.set(tc.index, call);
      this.current = call;
      out += this.emit('response.output_item.added', {
        output_index: call.index,
        item: this.callObject(call, 'in_progress'),
      });
    } else {
      if (tc.id && !call.call_id) call.call_id = tc.id;
      if (tc.function.name && !call.name) call.name = tc.function.name;
    }
    const args = tc.function.arguments ?? '';
    if (args === '') return out;
    call.args += args;
    // a piece for a call already closed (providers stream calls one after another; none interleaves today)
    // reaches the final response only: its item's events are over
    if (this.current !== call) {
      this.done[call.index] = this.itemObject(call, 'completed');
      return out;
    }
    if (call.custom) return out;
    return out + this.emit('response.function_call_arguments.delta', { ...this.at(call), delta: args });
  }

  // ---------------------------------------------------------------------------------------- closing

  private closeOpen(status: 'completed' | 'incomplete'): string {
    const item = this.current;
    if (!item) return '';
    this.current = null;
    let out = '';
    if (item.kind === 'reasoning' && item.partOpen) {
      const at = { ...this.at(item), summary_index: 0 };
      out += this.emit('response.reasoning_summary_text.done', { ...at, text: item.text });
      out += this.emit('response.reasoning_summary_part.done', {
        ...at,
        part: { type: 'summary_text', text: item.text },
      });
    } else if (item.kind === 'message') {
      // earlier parts were closed when the next one opened
      if (item.parts.length > 0) out += this.closePart(item, item.parts.length - 1);
    } else if (item.kind === 'call' && item.custom) {
      // the input in one piece: the model's JSON arguments only yield it whole
      const input = customInput(item.args);
      if (input !== '') out += this.emit('response.custom_tool_call_input.delta', { ...this.at(item), delta: input });
      out += this.emit('response.custom_tool_call_input.done', { ...this.at(item), input });
    } else if (item.kind === 'call') {
      out += this.emit('response.function_call_arguments.done', {
        ...this.at(item),
        name: this.plan.byFlat.get(item.name)?.name ?? item.name,
        arguments: item.args,
      });
    }
    const obj = this.itemObject(item, status);
    this.done[item.index] = obj;
    return out + this.emit('response.output_item.done', { output_index: item.index, item: obj });
  }

  /** the done events of a message's content part */
  private closePart(m: MessageState, i: number): string {
    const p = m.parts[i];
    const at = { ...this.at(m), content_index: i };
    const part = this.partObject(p);
    const done =
      p.type === 'refusal'
        ? this.emit('response.refusal.done', { ...at, refusal: p.value })
        : this.emit('response.output_text.done', { ...at, text: p.value, logprobs: part.logprobs });
    return done + this.emit('response.content_part.done', { ...at, part });
  }

  private flushOrphans(): string {
    const carried = encodeDetails(this.orphanDetails);
    this.orphanDetails = [];
    if (carried === null) return '';
    const item = {
      id: reasoningItemId(this.info.id, this.reasoningItems++),
      type: 'reasoning',
      summary: [],
      encrypted_content: carried,
    };
    const index = this.done.length;
    this.done.push(item);
    return (
      this.emit('response.output_item.added', { output_index: index, item }) +
      this.emit('response.output_item.done', { output_index: index, item })
    );
  }

  // ------------------------------------------------------------------------------------------ shapes

  private itemObject(item: ItemState, status: 'completed' | 'incomplete'): Obj {
    if (item.kind === 'reasoning') {
      const o: Obj = {
        id: item.id,
        type: 'reasoning',
        summary: item.text !== '' ? [{ type: 'summary_text', text: item.text }] : [],
      };
      const carried = encodeDetails(item.details);
      if (carried !== null) o.encrypted_content = carried;
      return o;
    }
    if (item.kind === 'message')
      return {
        id: item.id,
        type: 'message',
        status,
        role: 'assistant',
        content: item.parts.map((p) => this.partObject(p)),
      };
    return this.callObject(item, status);
  }

  private callObject(call: CallState, status: 'in_progress' | 'completed' | 'incomplete'): Obj {
    const ids = { function: call.id, custom: call.id };
    return callItem(this.plan, ids, { call_id: call.call_id, name: call.name, arguments: call.args }, status);
  }

  private partObject(p: TextPartState): Obj {
    if (p.type === 'refusal') return { type: 'refusal', refusal: p.value };
    const content = p.logprobs.flatMap((c) => (Array.isArray(c) ? c : []));
    return { type: 'output_text', text: p.value, annotations: [], logprobs: partLogprobs({ content }) };
  }

  private at(item: ItemState): { item_id: string; output_index: number } {
    return { item_id: item.id, output_index: item.index };
  }

  private response(p: Omit<ResponseParts, 'info' | 'echo'>): Obj {
    return responseObject({ info: this.info, echo: this.echo, ...p });
  }

  private emit(type: string, fields: Obj): string {
    const data = JSON.stringify({ type, sequence_number: this.seq++, ...fields });
    return `event: ${type}\ndata: ${data}\n\n`;
  }
}
