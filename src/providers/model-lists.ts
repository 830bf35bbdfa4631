// A provider's model list in its own dialect, every page of it, for the runtime catalog sync:
//   OpenAI-compatible  GET {base_url}/models                     → {data: [{id}]}
//   Anthropic          GET {origin}/v1/models?limit=&after_id=    → {data: [{id, display_name}], has_more, last_id}
//   Gemini             GET {base}/models?pageSize=&pageToken=     → {models: [{name: "models/x", displayName}], nextPageToken}
import type { ListedModel } from '../catalog/sync/state.js';
import type { Dialect, ProviderDef } from '../catalog/types.js';

export type GetJson = (url: string, headers: Record<string, string>) => Promise<{ status: number; body: string }>;

/** a runaway pager (a token that never ends) stops here: 50 pages of 1000 is far beyond any provider's list */
const MAX_PAGES = 50;
const ANTHROPIC_PAGE = 1000;
const GEMINI_PAGE = 1000;

export class ListError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

async function page(get: GetJson, url: string, headers: Record<string, string>, who: string): Promise<Obj> {
  const r = await get(url, headers);
  if (r.status < 200 || r.status >= 300) {
    let detail = r.body.slice(0, 300);
    try {
      const j = JSON.parse(r.body) as Obj;
      const e = isObj(j.error) ? j.error : null;
      if (e && typeof e.message === 'string') detail = e.message;
    } catch {
      /* not JSON: the raw start is the best detail */
    }
    throw new ListError(`${who}: HTTP ${r.status}${detail ? `: ${detail}` : ''}`);
  }
  let j: unknown;
  try {
    j = JSON.parse(r.body);
  } catch {
    throw new ListError(`${who}: the model list is not JSON`);
  }
  if (!isObj(j)) throw new ListError(`${who}: the model list is not a JSON object`);
  return j;
}

function headersFor(def: ProviderDef, apiKey: string): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...(def.headers ?? {}) };
  if (!apiKey) return h;
  if (def.dialect === 'anthropic') {
    h['x-api-key'] = apiKey;
  } else if (def.dialect === 'gemini') {
    h['x-goog-api-key'] = apiKey;
  } else {
    h.authorization = `Bearer ${apiKey}`;
  }
  if (def.dialect === 'anthropic') h['anthropic-version'] = '2023-06-01';
  return h;
}

const trim = (u: string) => u.replace(/\/+$/, '');

async function listOpenAI(get: GetJson, def: ProviderDef, h: Record<string, string>): Promise<ListedModel[]> {
  const j = await page(get, `${trim(def.base_url)}/models`, h, def.id);
  if (!Array.isArray(j.data)) throw new ListError(`${def.id}: the model list has no "data" array`);
  return j.data.filter((m): m is Obj => isObj(m) && typeof m.id === 'string').map((m) => ({ id: m.id as string }));
}

async function listAnthropic(get: GetJson, def: ProviderDef, h: Record<string, string>): Promise<ListedModel[]> {
  const out: ListedModel[] = [];
  let after: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const q = new URLSearchParams({ limit: String(ANTHROPIC_PAGE) });
    if (after) q.set('after_id', after);
    const j = await page(get, `${trim(def.base_url)}/v1/models?${q}`, h, def.id);
    if (!Array.isArray(j.data)) throw new ListError(`${def.id}: the model list has no "data" array`);
    for (const m of j.data) {
      if (isObj(m) && typeof m.id === 'string') {
        out.push({ id: m.id, ...(typeof m.display_name === 'string' ? { name: m.display_name } : {}) });
      }
    }
    if (j.has_more !== true || typeof j.last_id !== 'string' || j.last_id === after) return out;
    after = j.last_id;
  }
  throw new ListError(`${def.id}: the model list did not end after ${MAX_PAGES} pages`);
}

async function listGemini(get: GetJson, def: ProviderDef, h: Record<string, string>): Promise<ListedModel[]> {
  const out: ListedModel[] = [];
  let token: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const q = new URLSearchParams({ pageSize: String(GEMINI_PAGE) });
    if (token) q.set('pageToken', token);
    const j = await page(get, `${trim(def.base_url)}/models?${q}`, h, def.id);
    const models = j.models ?? [];
    if (!Array.isArray(models)) throw new ListError(`${def.id}: the model list has no "models" array`);
    for (const m of models) {
      if (!isObj(m) || typeof m.name !== 'string') continue;
      const id = m.name.replace(/^models\//, '');
      out.push({
        id,
        ...(typeof m.displayName === 'string' ? { name: m.displayName } : {}),
        ...(typeof m.inputTokenLimit === 'number' ? { context_length: m.inputTokenLimit } : {}),
        ...(typeof m.outputTokenLimit === 'number' ? { max_completion_tokens: m.outputTokenLimit } : {}),
      });
    }
    if (typeof j.nextPageToken !== 'string' || j.nextPageToken === '' || j.nextPageToken === token) return out;
    token = j.nextPageToken;
  }
  throw new ListError(`${def.id}: the model list did not end after ${MAX_PAGES} pages`);
}

const LISTERS: Record<Dialect, (get: GetJson, def: ProviderDef, h: Record<string, string>) => Promise<ListedModel[]>> =
  {
    openai: listOpenAI,
    anthropic: listAnthropic,
    gemini: listGemini,
  };

/** Every model the provider lists (deduplicated by name). Rejects with a ListError naming the provider. */
export async function listProviderModels(get: GetJson, def: ProviderDef, apiKey: string): Promise<ListedModel[]> {
  const all = await LISTERS[def.dialect](get, def, headersFor(def, apiKey));
  const seen = new Set<string>();
  return all.filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)));
}
