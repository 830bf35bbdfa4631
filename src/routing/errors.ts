// Routing failures carry the HTTP status the gateway must answer with (models-api.md: 400 bad request,
// 404 unknown model / nothing to route to, 503 endpoints exist but every one was filtered out), an
// OpenAI-style `code`, and machine-readable `metadata` (routing funnel, dropped endpoints) so a client can
// see WHICH filter removed its endpoints instead of a bare "no endpoints found".

export type RoutingErrorStatus = 400 | 404 | 503;

export class RoutingError extends Error {
  constructor(
    public readonly status: RoutingErrorStatus,
    public readonly code: string,
    message: string,
    public readonly param: string | null = null,
    public readonly metadata: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'RoutingError';
  }

  /** OpenAI-style error type for the response body. */
  get type(): string {
    if (this.status === 400) return 'invalid_request_error';
    if (this.status === 404) return 'not_found_error';
    return 'service_unavailable_error';
  }
}
