// One exchange of the conversation: the user's message, the answer as it streams (reasoning in its own
// collapsible block, apart from the answer), then its cost, tokens and route explanation. All text as text.
import type { Answer } from './stream';
import { RouteExplanation, UsageSummary } from './explain';
import type { Generation } from '../../generation';
import { CopyButton } from '../../components/copy';

export interface Turn {
  /** this page's number for it (a key that Clear does not reuse) */
  n: number;
  user: string;
  /** the `model` sent (with its variant, or auto) */
  requested: string;
  answer: Answer;
  state: 'streaming' | 'done' | 'stopped' | 'failed';
  /** a failure before or during the stream, in words */
  error: string | null;
  generation?: Generation;
  generationError?: string;
}

function Status({ turn }: { turn: Turn }) {
  const a = turn.answer;
  if (turn.state === 'streaming')
    return (
      <p class="pg-status muted" role="status">
        <span class="spinner" aria-hidden="true" />
        {a.content || a.reasoning || a.refusal
          ? 'Streaming…'
          : a.id
            ? `Routed; waiting for the first token of ${turn.requested}…`
            : `Sending to ${turn.requested}…`}
      </p>
    );
  if (turn.state === 'stopped')
    return (
      <p class="pg-status notice" role="status">
        {a.id
          ? 'Stopped. The server records this request as cancelled; tokens already delivered are charged.'
          : 'Stopped before the server answered; the request is recorded as cancelled (see Activity).'}
      </p>
    );
  if (turn.state === 'failed') {
    const f = a.failure;
    const text = f
      ? `The answer failed mid-stream${f.status ? ` (HTTP ${f.status})` : ''}: ${f.message}`
      : (turn.error ?? 'The request failed.');
    return (
      <p class="pg-status form-error" role="alert">
        {text}
      </p>
    );
  }
  return null;
}

export function PlaygroundTurn({ turn }: { turn: Turn }) {
  const a = turn.answer;
  const streaming = turn.state === 'streaming';
  return (
    <li class="pg-turn">
      <div class="pg-msg pg-user">
        <div class="pg-who">You</div>
        <div class="pg-text">{turn.user}</div>
      </div>
      <div class="pg-msg pg-assistant" aria-busy={streaming}>
        <div class="pg-who">
          {a.model ?? turn.requested}
          {a.provider && <span class="badge">{a.provider}</span>}
        </div>
        {a.reasoning && (
          <details class="pg-reasoning" open={streaming || undefined}>
            <summary>Reasoning</summary>
            <div class="pg-text">{a.reasoning}</div>
          </details>
        )}
        {a.content && <div class="pg-text pg-answer">{a.content}</div>}
        {a.refusal && <div class="pg-text notice">Refused: {a.refusal}</div>}
        <Status turn={turn} />
        {!streaming && a.content && (
          <div class="pg-copy">
            <CopyButton text={a.content} label="Copy answer" />
          </div>
        )}
        {!streaming && (a.usage || a.id) && (
          <details class="pg-details" open>
            <summary>Cost, tokens and route</summary>
            <UsageSummary usage={a.usage} exact={turn.generation?.total_cost_exact ?? null} />
            {turn.generation ? (
              <RouteExplanation g={turn.generation} />
            ) : turn.generationError ? (
              <p class="form-error">{turn.generationError}</p>
            ) : (
              a.id && <p class="muted">Loading the route explanation…</p>
            )}
            {a.id && (
              <p class="muted pg-gen">
                Generation <code>{a.id}</code> <CopyButton text={a.id} label="Copy id" />
              </p>
            )}
          </details>
        )}
      </div>
    </li>
  );
}
