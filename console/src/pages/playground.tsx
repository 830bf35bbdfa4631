// The Playground (issue 17 item 4): pick a model (or `auto`) and a variant, stream an answer from
// POST /v1/chat/completions, reasoning shown apart from the answer, then its exact cost and tokens (the
// stream's usage chunk) and why it went where it went (GET /v1/generation: route and attempts). The
// conversation is kept in the page (multi-turn) until "Clear"; Stop aborts the request, which the server
// records as cancelled. Model and variant live in the page's query, so `#/playground?model=<id>` is a link.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api, apiFetch, useApi } from '../api';
import { CheckboxField, NumberField, SelectField, TextArea, TextField } from '../components/field';
import type { PageProps } from '../routes';
import { href, modelPath, setQuery } from '../router';
import { PlaygroundTurn, type Turn } from './playground/turn';
import { emptyAnswer, readChatStream } from './playground/stream';
import type { Generation } from '../generation';
import { requestedModel } from './playground/words';

interface Model {
  id: string;
  name: string;
}

const VARIANTS = [
  { value: '', label: 'None (the default routing)' },
  { value: 'nitro', label: ':nitro (highest throughput first)' },
  { value: 'floor', label: ':floor (cheapest endpoint first)' },
  { value: 'free', label: ':free (free endpoints only)' },
  { value: 'thinking', label: ':thinking (reasoning on)' },
];

/** words for a failure before the stream started (ApiError already explains 402/429/5xx/unreachable) */
function failureWords(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 400) return `The request was refused: ${err.message}`;
    return err.message;
  }
  if (err instanceof TypeError) return 'The connection to the server was lost during the answer.';
  return String((err as Error)?.message ?? err);
}

/** the ledger row may be written a moment after [DONE]: ask again briefly on 404 */
async function loadGeneration(id: string): Promise<Generation> {
  for (let i = 0; ; i++) {
    try {
      const { data } = await api<{ data: Generation }>(`/v1/generation?id=${encodeURIComponent(id)}`);
      return data;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404 || i >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200 * (i + 1)));
    }
  }
}

export default function PlaygroundPage({ query }: PageProps) {
  const [model, setModel] = useState(() => query.get('model') ?? '');
  const [variant, setVariant] = useState(() => query.get('variant') ?? '');
  const [auto, setAuto] = useState(() => query.get('model') === 'auto');
  const [system, setSystem] = useState('');
  const [temperature, setTemperature] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [draft, setDraft] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const turnNumber = useRef(0);
  const models = useApi<{ data: Model[] }>('/v1/models');

  useEffect(() => () => abort.current?.abort(), []);
  useEffect(() => {
    setQuery({ model: auto ? 'auto' : model.trim(), variant: auto ? null : variant });
  }, [model, variant, auto]);

  const sent = requestedModel(model, variant, auto);
  const known = useMemo(() => new Set(models.data?.data.map((m) => m.id)), [models.data]);
  const bare = sent.split(':')[0];
  const unknownModel = !auto && models.data !== null && bare !== '' && bare !== 'auto' && !known.has(bare);

  // by the turn's own number, not its index: a late answer (the generation lookup) after Clear lands nowhere
  const update = (n: number, change: (t: Turn) => Turn) => setTurns((ts) => ts.map((t) => (t.n === n ? change(t) : t)));

  async function send() {
    const text = draft.trim();
    if (busy || text === '' || sent === '') return;
    const history = turns
      .filter((t) => t.answer.content !== '')
      .flatMap((t) => [
        { role: 'user', content: t.user },
        { role: 'assistant', content: t.answer.content },
      ]);
    const body: Record<string, unknown> = {
      model: sent,
      messages: [
        ...(system.trim() ? [{ role: 'system', content: system }] : []),
        ...history,
        { role: 'user', content: text },
      ],
      stream: true,
      stream_options: { include_usage: true },
    };
    if (temperature.trim() !== '') body.temperature = Number(temperature);
    if (maxTokens.trim() !== '') body.max_tokens = Number(maxTokens);

    const index = ++turnNumber.current;
    const answer = emptyAnswer();
    setTurns((ts) => [
      ...ts,
      { n: index, user: text, requested: sent, answer: { ...answer }, state: 'streaming', error: null },
    ]);
    setDraft('');
    setBusy(true);
    const ac = new AbortController();
    abort.current = ac;
    let state: Turn['state'] = 'done';
    let error: string | null = null;
    let frame = 0;
    try {
      const res = await apiFetch('/v1/chat/completions', { method: 'POST', body, signal: ac.signal });
      // the headers name the generation before any token: a Stop while waiting still finds its row
      answer.id = res.headers.get('x-arouter-generation-id');
      update(index, (t) => ({ ...t, answer: { ...answer } }));
      await readChatStream(res, answer, () => {
        // one render per animation frame however fast the chunks come
        if (frame) return;
        frame = requestAnimationFrame(() => {
          frame = 0;
          update(index, (t) => ({ ...t, answer: { ...answer } }));
        });
      });
      if (answer.failure) state = 'failed';
      else if (!answer.done) {
        state = 'failed';
        error = 'The stream ended before the answer was complete.';
      }
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') state = 'stopped';
      else {
        state = 'failed';
        error = failureWords(err);
      }
    } finally {
      cancelAnimationFrame(frame);
      abort.current = null;
      setBusy(false);
    }
    update(index, (t) => ({ ...t, answer: { ...answer }, state, error }));
    if (answer.id) {
      const id = answer.id;
      loadGeneration(id).then(
        (g) => update(index, (t) => ({ ...t, generation: g })),
        (err: unknown) =>
          update(index, (t) => ({
            ...t,
            generationError: `The route explanation could not be loaded: ${failureWords(err)}`,
          })),
      );
    }
  }

  useEffect(() => bottom.current?.scrollIntoView?.({ block: 'nearest' }), [turns.length]);

  return (
    <section class="page playground">
      <h1>Playground</h1>
      <div class="pg-layout">
        <form class="pg-settings card" aria-label="Settings" onSubmit={(e) => e.preventDefault()}>
          <TextField
            label="Model"
            type="search"
            value={auto ? 'auto' : model}
            onInput={setModel}
            list="pg-models"
            placeholder="openai/gpt-4o-mini"
            disabled={auto}
            hint={
              auto ? (
                'ARouter picks the best capable model, then the cheapest.'
              ) : models.error ? (
                `The model list could not be loaded: ${models.error.message}`
              ) : unknownModel ? (
                'Not a model this key can use: the server will say so.'
              ) : known.has(bare) ? (
                <a href={href(modelPath(bare))}>About {bare}</a>
              ) : (
                'Type to search the models.'
              )
            }
          />
          <datalist id="pg-models">
            {models.data?.data.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </datalist>
          <CheckboxField label="auto: let ARouter pick the model" checked={auto} onChange={setAuto} />
          {!auto && <SelectField label="Variant" value={variant} options={VARIANTS} onChange={setVariant} />}
          <TextArea label="System prompt" value={system} onInput={setSystem} rows={3} placeholder="(none)" />
          <div class="pg-row">
            <NumberField
              label="Temperature"
              value={temperature}
              onInput={setTemperature}
              min={0}
              max={2}
              step={0.1}
              placeholder="default"
            />
            <NumberField
              label="Max tokens"
              value={maxTokens}
              onInput={setMaxTokens}
              min={1}
              step={1}
              placeholder="default"
            />
          </div>
          <p class="muted pg-sent">
            Sends <code>{sent || '…'}</code>
          </p>
        </form>

        <div class="pg-chat">
          {turns.length === 0 ? (
            <p class="muted pg-empty">
              No messages yet. Write one below: the answer streams here, then its cost, tokens and route.
            </p>
          ) : (
            <ol class="pg-turns" aria-label="Conversation">
              {turns.map((t) => (
                <PlaygroundTurn key={t.n} turn={t} />
              ))}
            </ol>
          )}
          <form
            class="pg-composer"
            onSubmit={(e) => {
              e.preventDefault();
              void send();
            }}
          >
            <TextArea
              label="Message"
              value={draft}
              onInput={setDraft}
              rows={3}
              placeholder="Ask something…"
              hint="Enter sends, Shift+Enter adds a line, Esc stops an answer."
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                  e.preventDefault();
                  void send();
                } else if (e.key === 'Escape' && abort.current) {
                  e.preventDefault();
                  abort.current.abort();
                }
              }}
            />
            <div class="pg-actions">
              {busy ? (
                <button type="button" class="btn btn-danger" onClick={() => abort.current?.abort()}>
                  Stop
                </button>
              ) : (
                <button type="submit" class="btn btn-primary" disabled={draft.trim() === '' || sent === ''}>
                  Send
                </button>
              )}
              <button type="button" class="btn" disabled={busy || turns.length === 0} onClick={() => setTurns([])}>
                Clear
              </button>
            </div>
            {sent === '' && <p class="muted">Pick a model, or tick auto, to send.</p>}
          </form>
          <div ref={bottom} />
        </div>
      </div>
    </section>
  );
}
