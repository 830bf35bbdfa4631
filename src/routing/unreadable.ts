// A request carrying a part no candidate endpoint can read (audio to a text-and-image model, a PDF to an
// Anthropic-dialect endpoint of an audio-only model, ...) is the client's to fix: a 400 naming the part,
// e.g. `messages[2].content[1]`, and what the model does read, not a 503 that invites retrying it as is.
// Like oversize.ts, only when EVERY candidate endpoint fell for this reason.
import type { EndpointDef, Modality, ModelDef, ProviderDef } from '../catalog/types.js';
import type { InputPart, RequestFeatures } from './features.js';
import { acceptsInput } from './filters.js';

const ORDER: readonly Modality[] = ['text', 'image', 'audio', 'file', 'embeddings'];

export interface Unreadable {
  code: 'unsupported_input_modality';
  param: string;
  message: string;
}

/** `endpoints` are the candidates that fell for modality. */
export function unreadable(
  f: RequestFeatures,
  model: ModelDef,
  endpoints: readonly EndpointDef[],
  providers: ReadonlyMap<string, ProviderDef>,
): Unreadable {
  const reads = new Set<Modality>();
  for (const e of endpoints) {
    const provider = providers.get(e.provider);
    for (const m of model.architecture.input_modalities) if (acceptsInput(model, provider, m)) reads.add(m);
  }
  // the first part nothing reads; else (each is read somewhere, never all at once) the first part at all
  const part: InputPart = f.inputParts.find((p) => !reads.has(p.modality)) ?? f.inputParts[0];
  const list = ORDER.filter((m) => reads.has(m));
  const through =
    model.architecture.input_modalities.includes(part.modality) && !reads.has(part.modality)
      ? ` through its providers' APIs`
      : '';
  return {
    code: 'unsupported_input_modality',
    param: part.param,
    message: `${model.id} cannot read ${part.type}${through} (its input modalities: ${list.join(', ') || 'none'})`,
  };
}
