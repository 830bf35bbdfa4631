// Errors in the Responses API's shapes. A refused request: OpenAI's body {"error":{message,type,param,code}}
// with the string code, which the openai SDK turns into its typed errors and Codex parses (its error struct
// takes `code` as a string: the numeric code of ARouter's chat body, src/protocol/errors.ts, would not parse).
// A failed stream: response.failed's `error`, whose code the spec limits to ResponseErrorCode.
import type { ClientError } from '../../protocol/inbound.js';
import type { UpstreamError } from '../../protocol/chat-result.js';

export function errorBody(err: ClientError): unknown {
  return { error: { message: err.message, type: err.type, param: err.param, code: err.code } };
}

// the spec's ResponseErrorCode values an upstream's own code may already be
const SPEC_CODES = new Set([
  'server_error',
  'rate_limit_exceeded',
  'invalid_prompt',
  'invalid_image',
  'invalid_image_format',
  'invalid_base64_image',
  'invalid_image_url',
  'image_too_large',
  'image_too_small',
  'image_parse_error',
  'image_content_policy_violation',
  'invalid_image_mode',
  'image_file_too_large',
  'unsupported_image_media_type',
  'empty_image_file',
  'failed_to_download_image',
  'image_file_not_found',
]);

/** response.failed's `error`: the upstream's code when the spec knows it, else one by status */
export function failedError(err: UpstreamError): { code: string; message: string } {
  const code =
    err.code !== null && SPEC_CODES.has(err.code)
      ? err.code
      : err.status === 429
        ? 'rate_limit_exceeded'
        : err.status === 400 || err.status === 413 || err.status === 422
          ? 'invalid_prompt'
          : 'server_error';
  return { code, message: err.message };
}
