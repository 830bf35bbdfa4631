// The synced catalog state: what each configured provider listed, when we first saw each model, which known
// models a provider stopped listing (and until when they are still served), and what the last sync said.
// Kept in the data dir as the last good state, so a restart offline serves what it served before.
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Modality, Pricing } from '../types.js';

export const SYNCED_FILE = 'catalog-synced.json';

/** What a provider's list call (and the metadata document) tells about one upstream model name. */
export interface ListedModel {
  /** the model name on the provider's own API (Gemini: without the `models/` prefix) */
  id: string;
  /** display name, when the list gives one */
  name?: string;
  /** from the metadata document: USD per token, all eight fields */
  pricing?: Pricing;
  context_length?: number;
  max_completion_tokens?: number;
  input_modalities?: Modality[];
  output_modalities?: Modality[];
  reasoning?: boolean;
  tool_call?: boolean;
  /** unix seconds, from the metadata document's release date */
  released?: number;
}

export interface SeenModel extends ListedModel {
  /** unix seconds */
  first_seen: number;
}

export interface ProviderSyncState {
  /** ISO time of the last attempt, successful or not */
  last_sync: string | null;
  last_success: string | null;
  last_error: string | null;
  /** everything the provider listed at its last successful sync, by upstream name */
  models: Record<string, SeenModel>;
  /** upstream names it listed before and no longer does: what we knew, and from when they are no longer served */
  removed: Record<string, { expires: string; model: SeenModel }>;
}

export interface SyncedState {
  version: 1;
  providers: Record<string, ProviderSyncState>;
  metadata: { url: string | null; fetched_at: string | null; error: string | null };
}

export function emptyState(): SyncedState {
  return { version: 1, providers: {}, metadata: { url: null, fetched_at: null, error: null } };
}

export function emptyProviderState(): ProviderSyncState {
  return { last_sync: null, last_success: null, last_error: null, models: {}, removed: {} };
}

/** The persisted state, or an empty one when there is none; a damaged file is reported, not fatal. */
export function loadSyncedState(dataDir: string): { state: SyncedState; error: string | null } {
  const file = join(dataDir, SYNCED_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyState(), error: null };
    return { state: emptyState(), error: `${file}: ${(err as Error).message}` };
  }
  try {
    const s = JSON.parse(text) as SyncedState;
    if (s?.version !== 1 || typeof s.providers !== 'object' || s.providers === null)
      throw new Error('not a version 1 synced state');
    s.metadata ??= { url: null, fetched_at: null, error: null };
    return { state: s, error: null };
  } catch (err) {
    return { state: emptyState(), error: `${file}: ${(err as Error).message}` };
  }
}

/** Written to a temp file then renamed over the old one: a crash mid-write leaves the previous state whole. */
export function saveSyncedState(dataDir: string, state: SyncedState): void {
  const file = join(dataDir, SYNCED_FILE);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
