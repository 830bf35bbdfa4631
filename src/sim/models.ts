// What a simulated upstream serves and lists: its default models (or the `models` option), plus models
// "released" at run time (sim.release(id) / POST /__sim/models), minus models withdrawn (sim.withdraw(id) /
// DELETE /__sim/models/{id}). Lists page like the real APIs (Anthropic limit/after_id, Gemini
// pageSize/pageToken); a released model with a `cost` also appears in a models.dev-format metadata document
// (GET /__sim/metadata), so the catalog sync can learn its price the way it would from models.dev.

export interface ReleaseInfo {
  id: string;
  name?: string;
  /** USD per million tokens, as models.dev writes it */
  cost?: { input: number; output: number; cache_read?: number; cache_write?: number };
  limit?: { context: number; output: number };
}

/** the catalog provider id a dialect's metadata document is filed under (models.dev's ids) */
const HOME_PROVIDER = { openai: 'openai', anthropic: 'anthropic', gemini: 'google' } as const;

export class SimModels {
  private released = new Map<string, ReleaseInfo>();
  private withdrawn = new Set<string>();
  /** the most entries one list page holds, whatever the client asks (tests shrink it to exercise paging) */
  pageCap = 1000;

  constructor(private readonly fixed: string[] | undefined) {}

  list(defaults: readonly string[]): string[] {
    const all = new Set([...(this.fixed ?? defaults), ...this.released.keys()]);
    for (const w of this.withdrawn) all.delete(w);
    return [...all];
  }

  /** may a request name this model? Without a `models` option any model not withdrawn is served */
  accepts(id: string): boolean {
    if (this.withdrawn.has(id)) return false;
    return this.fixed === undefined || this.fixed.includes(id) || this.released.has(id);
  }

  release(info: ReleaseInfo): void {
    if (typeof info?.id !== 'string' || info.id === '') throw new Error('a released model needs an "id"');
    this.withdrawn.delete(info.id);
    this.released.set(info.id, info);
  }

  withdraw(id: string): void {
    this.released.delete(id);
    this.withdrawn.add(id);
  }

  reset(): void {
    this.released.clear();
    this.withdrawn.clear();
    this.pageCap = 1000;
  }

  /** `{provider: {id, name, models: {id: {id, name, cost, limit}}}}` for the released models that have a cost */
  metadata(dialect: keyof typeof HOME_PROVIDER): unknown {
    const provider = HOME_PROVIDER[dialect];
    const models: Record<string, unknown> = {};
    for (const r of this.released.values()) {
      if (!r.cost) continue;
      models[r.id] = {
        id: r.id,
        name: r.name ?? r.id,
        cost: r.cost,
        limit: r.limit ?? { context: 128_000, output: 16_384 },
        modalities: { input: ['text'], output: ['text'] },
        tool_call: true,
        reasoning: false,
      };
    }
    return { [provider]: { id: provider, name: provider, models } };
  }

  /** one page of `ids` after the cursor: Anthropic's after_id or Gemini's pageToken (an index here) */
  page(ids: string[], requested: number | null, start: number): { items: string[]; next: number | null } {
    const size = Math.max(1, Math.min(requested ?? this.pageCap, this.pageCap));
    const items = ids.slice(start, start + size);
    return { items, next: start + size < ids.length ? start + size : null };
  }
}
