// Errors raised while translating a client's request for a provider: the gateway answers 400 naming `param`.
export class InvalidRequestError extends Error {
  constructor(
    message: string,
    public param: string | null = null,
  ) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}
