// Per-request facts that the request builder knows and the response side needs, but that the
// DialectAdapter interface does not carry: parseChatResponse / createStreamTranslator only receive the
// BuildContext, not the client's request. We key them on the BuildContext object (the gateway passes the
// same ctx to build and parse); a WeakMap keeps this free of leaks and of changes to src/providers/types.ts.
import type { BuildContext } from '../types.js';

/** Name of the forced tool used to emulate `response_format` (the approach LiteLLM takes). */
export const JSON_TOOL_NAME = 'json_output';

/** Anthropic tool names must match ^[a-zA-Z0-9_-]{1,128}$ (spec: Tool.name); OpenAI also allows `.`. */
const VALID_TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/**
 * Reversible mapping between client tool names and the names sent to Anthropic. Names that are already
 * valid go through unchanged; others are sanitised and de-duplicated, and mapped back on the way out.
 */
export class ToolNames {
  private readonly toWire = new Map<string, string>();
  private readonly toClient = new Map<string, string>();

  /** Reserve a wire name for ARouter's own use (e.g. the JSON tool), so no client name takes it. */
  reserve(wireName: string): void {
    this.toClient.set(wireName, wireName);
  }

  /** Register client names, the valid ones first so that they keep their names when a sanitised one collides. */
  registerAll(names: string[]): void {
    for (const n of names) if (VALID_TOOL_NAME.test(n) && !this.toClient.has(n)) this.wire(n);
    for (const n of names) this.wire(n);
  }

  wire(clientName: string): string {
    const known = this.toWire.get(clientName);
    if (known !== undefined) return known;
    const base = clientName.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 128) || 'tool';
    let wire = base;
    for (let n = 2; this.toClient.has(wire); n++) wire = `${base.slice(0, 120)}_${n}`;
    this.toWire.set(clientName, wire);
    this.toClient.set(wire, clientName);
    return wire;
  }

  client(wireName: string): string {
    return this.toClient.get(wireName) ?? wireName;
  }

  /** Client names seen so far (tools and history), in registration order. */
  wireNames(): string[] {
    return [...this.toWire.values()];
  }
}

export interface RequestState {
  /** wire name of the JSON-output tool when response_format asked for JSON, else null */
  jsonTool: string | null;
  names: ToolNames;
}

const states = new WeakMap<BuildContext, RequestState>();

export function saveState(ctx: BuildContext, state: RequestState): void {
  states.set(ctx, state);
}

/**
 * The state saved by buildChatRequest. When the ctx was not seen (a caller that rebuilt it), fall back to
 * recognising the JSON tool by its reserved name; tool names then come back as sent.
 */
export function loadState(ctx: BuildContext): RequestState {
  return states.get(ctx) ?? { jsonTool: JSON_TOOL_NAME, names: new ToolNames() };
}

/** Anthropic tool_use ids must match ^[a-zA-Z0-9_-]+$; ids minted by other providers may not. */
export function wireToolId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}
