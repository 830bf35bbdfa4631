// Shared by the openai-responses dialect tests: a client's Responses request through the inbound adapter (so the
// native body is the one the route would attach) and a BuildContext that carries it.
import type { ChatRequest } from '../../src/protocol/chat-request.js';
import { nativeResponsesOf } from '../../src/protocol/native-request.js';
import type { ResponsesRequest } from '../../src/protocol/responses-request.js';
import { responsesAdapter } from '../../src/inbound/responses/index.js';
import { encodeDetails } from '../../src/inbound/responses/reasoning-carry.js';
import type { BuildContext } from '../../src/providers/types.js';
import { makeCtx, type CtxOptions } from './openai-helpers.js';

export function fromWire(wire: Record<string, unknown>, o: CtxOptions = {}): { req: ChatRequest; ctx: BuildContext } {
  const req = responsesAdapter.toChat(wire as ResponsesRequest);
  const native = nativeResponsesOf(req);
  if (!native) throw new Error('toChat attached no native request');
  return { req, ctx: { ...makeCtx(o), native } };
}

/** ARouter's reasoning carry of the given canonical details (what an earlier answer's reasoning item held) */
export const carry = (...details: Record<string, unknown>[]): string =>
  encodeDetails(details as { type: string }[]) ?? '';
