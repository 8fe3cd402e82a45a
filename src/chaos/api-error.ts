/**
 * An error of the proxy's admin surface, with the HTTP status Toxiproxy answers it with. It
 * serialises as Toxiproxy's `{ "error": message, "status": status }`. It is a protocol answer, not
 * a loadlab run failure: the CLI wraps it in a LoadlabError when a config file causes it.
 */
export class ProxyApiError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = 'ProxyApiError';
    this.status = status;
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

/** Toxiproxy's error messages (api.go), so clients that match on them keep working. */
export const apiErrors = {
  badRequestBody: (detail: string) => new ProxyApiError(`bad request body: ${detail}`, 400),
  missingField: (field: string) => new ProxyApiError(`missing required field: ${field}`, 400),
  proxyNotFound: () => new ProxyApiError('proxy not found', 404),
  proxyAlreadyExists: () => new ProxyApiError('proxy already exists', 409),
  invalidStream: () => new ProxyApiError('stream was invalid, can be either upstream or downstream', 400),
  invalidToxicType: () => new ProxyApiError('invalid toxic type', 400),
  toxicAlreadyExists: () => new ProxyApiError('toxic already exists', 409),
  toxicNotFound: () => new ProxyApiError('toxic not found', 404),
} as const;
