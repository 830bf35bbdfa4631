// Response and item ids derived from ARouter's generation id, so a client's `resp_…` leads back to the ledger
// row: resp_<X> is the answer of generation gen-<X> (gen-1700000000-ab12… → resp_1700000000-ab12…). Item ids
// share the suffix: msg_<X>, rs_<X>, fc_<X>_<n> for the n-th function call (0-based, the canonical index), ctc_<X>_<n>
// when that call is of a custom tool.

const suffix = (genId: string): string => (genId.startsWith('gen-') ? genId.slice(4) : genId);

export const responseId = (genId: string): string => `resp_${suffix(genId)}`;

/** the generation id of a response id made by responseId(), or null for any other string */
export function generationIdOf(respId: string): string | null {
  return respId.startsWith('resp_') && respId.length > 5 ? `gen-${respId.slice(5)}` : null;
}

export const messageItemId = (genId: string, n = 0): string => `msg_${suffix(genId)}${n > 0 ? `_${n}` : ''}`;
export const reasoningItemId = (genId: string, n = 0): string => `rs_${suffix(genId)}${n > 0 ? `_${n}` : ''}`;
export const functionCallItemId = (genId: string, index: number): string => `fc_${suffix(genId)}_${index}`;
export const customCallItemId = (genId: string, index: number): string => `ctc_${suffix(genId)}_${index}`;
