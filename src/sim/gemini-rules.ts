// Semantic rules of the Gemini API (generateContent) beyond the proto JSON mapping, and the reduction of a
// checked, camelCase-normalized GenerateContentRequest to the neutral form.
// Messages seen in real API error bodies (public issue threads):
//   "* GenerateContentRequest.contents: contents is not specified\n"
//   "* GenerateContentRequest.contents[1].parts: contents.parts must not be empty.\n"
//   "* GenerateContentRequest.contents[33].parts[0].data: required oneof field 'data' must have one initialized field\n"
//   "Please use a valid role: user, model."
//   "Function call is missing a thought_signature in functionCall parts. ... position 2. ..." (Gemini 3 models)
// The others are marked UNCONFIRMED (wording); the rules themselves are documented:
//   https://ai.google.dev/api/generate-content , https://ai.google.dev/gemini-api/docs/function-calling ,
//   https://ai.google.dev/gemini-api/docs/thinking (thinkingLevel must not be combined with thinkingBudget),
//   https://ai.google.dev/gemini-api/docs/structured-output
import {
  IMAGE_TOKENS,
  approxTokens,
  base64Size,
  mediaTokens,
  type NeutralRequest,
  type PromptSegment,
} from './content.js';
import { canOutputAudio, canOutputImage } from './media.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const DATA_FIELDS = [
  'text',
  'inlineData',
  'functionCall',
  'functionResponse',
  'fileData',
  'executableCode',
  'codeExecutionResult',
];
const MIME_TYPES = ['text/plain', 'application/json', 'application/xml', 'application/yaml', 'text/x.enum'];
const FN_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

const field = (msg: string) => `* GenerateContentRequest.${msg}\n`;

/** A text model asked for image or audio output: Gemini's 400 (wording as its API gives it for a TEXT-only model). */
function responseModalitiesProblem(body: Obj, model: string): string | null {
  const gc = isObj(body.generationConfig) ? body.generationConfig : {};
  const asked = Array.isArray(gc.responseModalities) ? (gc.responseModalities as unknown[]) : [];
  const bad = asked.filter(
    (m) => (m === 'IMAGE' && !canOutputImage(model)) || (m === 'AUDIO' && !canOutputAudio(model)),
  );
  if (bad.length === 0) return null;
  return `Model does not support the requested response modalities: ${bad.map((m) => String(m).toLowerCase()).join(',')}`;
}

/** `body` is normalized (camelCase, repeated fields as arrays). Returns an INVALID_ARGUMENT message or null. */
export function checkGenerateSemantics(body: Obj, model = ''): string | null {
  const modalities = responseModalitiesProblem(body, model);
  if (modalities) return modalities;
  const contents = (body.contents as Obj[] | undefined) ?? [];
  if (!contents.length) return field('contents: contents is not specified');
  for (let i = 0; i < contents.length; i++) {
    const c = contents[i];
    if (c.role !== undefined && c.role !== '' && c.role !== 'user' && c.role !== 'model')
      return 'Please use a valid role: user, model.';
    const parts = (c.parts as Obj[] | undefined) ?? [];
    if (!parts.length) return field(`contents[${i}].parts: contents.parts must not be empty.`);
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j];
      if (!DATA_FIELDS.some((k) => k in p))
        return field(`contents[${i}].parts[${j}].data: required oneof field 'data' must have one initialized field`);
      if (isObj(p.functionResponse) && !p.functionResponse.name)
        return field(`contents[${i}].parts[${j}].function_response.name: Name cannot be empty.`); // UNCONFIRMED wording
      if (isObj(p.functionCall) && !p.functionCall.name)
        return field(`contents[${i}].parts[${j}].function_call.name: Name cannot be empty.`); // UNCONFIRMED wording
    }
  }
  // Gemini 3: the first functionCall of each model step in the current turn must echo its thoughtSignature
  if (model.startsWith('gemini-3')) {
    let start = 0;
    contents.forEach((c, i) => {
      if (c.role !== 'model' && ((c.parts as Obj[] | undefined) ?? []).some((p) => typeof p.text === 'string'))
        start = i;
    });
    for (let i = start; i < contents.length; i++) {
      if (contents[i].role !== 'model') continue;
      const first = ((contents[i].parts as Obj[] | undefined) ?? []).find((p) => isObj(p.functionCall));
      if (first && !first.thoughtSignature)
        return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String((first.functionCall as Obj).name)}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`;
    }
  }
  const tools = (body.tools as Obj[] | undefined) ?? [];
  for (let i = 0; i < tools.length; i++) {
    const decls = (tools[i].functionDeclarations as Obj[] | undefined) ?? [];
    for (let j = 0; j < decls.length; j++) {
      const name = String(decls[j].name ?? '');
      if (!name) return field(`tools[${i}].function_declarations[${j}].name: Name cannot be empty.`); // UNCONFIRMED wording
      if (!FN_NAME.test(name))
        return field(
          `tools[${i}].function_declarations[${j}].name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:) or dashes (-), with a maximum length of 64.`,
        ); // UNCONFIRMED wording
      if (decls[j].parameters !== undefined && decls[j].parametersJsonSchema !== undefined)
        return field(
          `tools[${i}].function_declarations[${j}].parameters_json_schema: parameters and parameters_json_schema cannot both be set.`,
        ); // UNCONFIRMED wording
    }
  }
  const gc = (body.generationConfig as Obj | undefined) ?? {};
  const tc = gc.thinkingConfig as Obj | undefined;
  if (tc && tc.thinkingBudget !== undefined && tc.thinkingLevel !== undefined)
    return 'Unable to submit request because thinking_budget and thinking_level are not supported together.'; // UNCONFIRMED wording
  // Gemini 2.5 and later refuse the OpenAI-style penalties; thinking budgets outside the model's range
  // (ai.google.dev/gemini-api/docs/thinking: Pro 128-32768, Flash 0-24576, Flash-Lite 512-24576; 0 = off, -1 = dynamic)
  if (/gemini-(2\.5|[3-9])/.test(model) && (gc.presencePenalty !== undefined || gc.frequencyPenalty !== undefined))
    return `Penalty is not enabled for models/${model}`; // UNCONFIRMED wording
  const range = /gemini-2\.5-pro/.test(model)
    ? [128, 32768]
    : /gemini-2\.5-flash-lite/.test(model)
      ? [512, 24576]
      : /gemini-2\.5-flash/.test(model)
        ? [1, 24576]
        : null;
  const budget = tc?.thinkingBudget;
  if (range && typeof budget === 'number' && budget > 0 && (budget < range[0] || budget > range[1]))
    return `The thinking budget ${budget} is invalid. Please choose a value between ${range[0]} and ${range[1]}.`; // UNCONFIRMED wording
  const mime = gc.responseMimeType as string | undefined;
  if (mime !== undefined && mime !== '' && !MIME_TYPES.includes(mime))
    return field(
      'generation_config.response_mime_type: allowed mimetypes are `text/plain`, `application/json`, `application/xml`, `application/yaml` and `text/x.enum`.',
    ); // UNCONFIRMED wording
  const hasSchema =
    gc.responseSchema !== undefined || gc.responseJsonSchema !== undefined || gc._responseJsonSchema !== undefined;
  if (hasSchema && mime !== 'application/json' && mime !== 'text/x.enum')
    return field(
      'generation_config.response_mime_type: response_mime_type must be set to `application/json` or `text/x.enum` when a response schema is set.',
    ); // UNCONFIRMED wording
  if (gc.responseSchema !== undefined && (gc.responseJsonSchema !== undefined || gc._responseJsonSchema !== undefined))
    return field('generation_config.response_schema: response_schema and response_json_schema cannot both be set.'); // UNCONFIRMED wording
  const stops = (gc.stopSequences as string[] | undefined) ?? [];
  if (stops.length > 5) return field('generation_config.stop_sequences: at most 5 stop sequences are allowed.'); // UNCONFIRMED wording
  return null;
}

const partsOf = (c: Obj | undefined): Obj[] => ((c?.parts as Obj[] | undefined) ?? []).filter(isObj);
const isImage = (p: Obj) => {
  const d = (p.inlineData ?? p.fileData) as Obj | undefined;
  return !!d && String(d.mimeType ?? '').startsWith('image/');
};

/** Text used for "Tool results: ...": a single string field of the response object, else its JSON. */
function responseText(r: unknown): string {
  if (isObj(r)) {
    const vals = Object.values(r);
    if (vals.length === 1 && typeof vals[0] === 'string') return vals[0];
  }
  return JSON.stringify(r ?? {});
}

export interface GeminiPrompt {
  neutral: NeutralRequest;
  promptTokens: number;
  imageTokens: number;
  segments: PromptSegment[];
  /** thinking is on (thought tokens counted) */
  thinking: boolean;
  /** thought summaries are returned as `thought: true` parts */
  includeThoughts: boolean;
  /** text/x.enum answer, when requested */
  enumAnswer: string | null;
  candidateCount: number;
}

export function neutralFromGenerate(body: Obj, model: string): GeminiPrompt {
  const contents = body.contents as Obj[];
  const segments: PromptSegment[] = [];
  const tools = (body.tools as Obj[] | undefined) ?? [];
  const head = { tools, system: body.systemInstruction ?? null };
  const headText = tools.length ? JSON.stringify(tools) : '';
  const sysText = partsOf(body.systemInstruction as Obj | undefined)
    .map((p) => String(p.text ?? ''))
    .join(' ');
  if (headText || sysText)
    segments.push({ key: JSON.stringify(head), tokens: approxTokens(headText) + approxTokens(sysText) });
  let images = 0;
  const received: string[] = [];
  for (const c of contents) {
    let t = 0;
    for (const p of partsOf(c)) {
      if (typeof p.text === 'string') t += approxTokens(p.text);
      if (isImage(p)) {
        images++;
        t += IMAGE_TOKENS;
      } else if (isObj(p.inlineData)) {
        const mime = String(p.inlineData.mimeType);
        const bytes = base64Size(String(p.inlineData.data ?? ''));
        received.push(`${mime.startsWith('audio/') ? 'audio' : 'file'} (${mime}, ${bytes} bytes)`);
        t += mediaTokens(bytes);
      } else if (isObj(p.fileData)) {
        received.push(`file (${String(p.fileData.mimeType)}, ${String(p.fileData.fileUri)})`);
      }
      if (isObj(p.functionCall)) t += approxTokens(JSON.stringify(p.functionCall));
      if (isObj(p.functionResponse)) t += approxTokens(JSON.stringify(p.functionResponse));
    }
    segments.push({ key: JSON.stringify(c), tokens: t });
  }
  const last = contents[contents.length - 1];
  const lastIsUser = last.role !== 'model';
  const results = lastIsUser ? partsOf(last).filter((p) => isObj(p.functionResponse)) : [];
  const lastUser = [...contents]
    .reverse()
    .find((c) => c.role !== 'model' && partsOf(c).some((p) => typeof p.text === 'string' && !p.thought));
  const lastUserText = partsOf(lastUser)
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => String(p.text))
    .join(' ');

  let decls = tools
    .flatMap((t) => (t.functionDeclarations as Obj[] | undefined) ?? [])
    .map((d) => ({ name: String(d.name), schema: d.parametersJsonSchema ?? d.parameters }));
  const fcc = ((body.toolConfig as Obj | undefined)?.functionCallingConfig as Obj | undefined) ?? {};
  const allowed = (fcc.allowedFunctionNames as string[] | undefined) ?? [];
  let toolChoice: NeutralRequest['toolChoice'] = { mode: 'auto' };
  if (fcc.mode === 'NONE') toolChoice = { mode: 'none' };
  else if (fcc.mode === 'ANY') {
    if (allowed.length === 1) toolChoice = { mode: 'named', name: allowed[0] };
    else {
      if (allowed.length) decls = decls.filter((d) => allowed.includes(d.name));
      toolChoice = { mode: 'required' };
    }
  }
  const gc = (body.generationConfig as Obj | undefined) ?? {};
  const tc = (gc.thinkingConfig as Obj | undefined) ?? {};
  const budget = typeof tc.thinkingBudget === 'number' ? tc.thinkingBudget : Number(tc.thinkingBudget ?? 0);
  // Gemini 3 always thinks (thinkingLevel defaults to HIGH); 2.5 when asked to (budget > 0 or -1 = dynamic)
  const thinking =
    model.startsWith('gemini-3') ||
    tc.includeThoughts === true ||
    budget > 0 ||
    budget === -1 ||
    (tc.thinkingLevel !== undefined && tc.thinkingLevel !== 'THINKING_LEVEL_UNSPECIFIED');
  const schema = gc.responseJsonSchema ?? gc._responseJsonSchema ?? gc.responseSchema ?? null;
  const enumAnswer =
    gc.responseMimeType === 'text/x.enum' && isObj(gc.responseSchema) && Array.isArray(gc.responseSchema.enum)
      ? String(gc.responseSchema.enum[0])
      : null;
  const imageTokens = images * IMAGE_TOKENS;
  return {
    neutral: {
      model,
      lastUserText,
      toolResults: results.length ? results.map((p) => responseText((p.functionResponse as Obj).response)) : null,
      imageCount: images,
      received,
      tools: lastIsUser ? decls : [],
      toolChoice,
      parallel: true,
      json: gc.responseMimeType === 'application/json' ? { schema } : null,
      reasoning: thinking,
      maxTokens: gc.maxOutputTokens === undefined ? null : Number(gc.maxOutputTokens),
      stop: (gc.stopSequences as string[] | undefined) ?? [],
    },
    promptTokens: segments.reduce((n, s) => n + s.tokens, 0),
    imageTokens,
    segments,
    thinking,
    includeThoughts: tc.includeThoughts === true,
    enumAnswer,
    candidateCount: gc.candidateCount === undefined ? 1 : Math.max(1, Number(gc.candidateCount)),
  };
}
