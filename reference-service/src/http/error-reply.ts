/**
 * How every failure is answered: one JSON shape, `{ error, message? }`, with a stable `error`
 * string per kind. Dependency faults become 502/503/504 and never crash the service.
 *
 *   | error                    | status | when                                             |
 *   |--------------------------|--------|--------------------------------------------------|
 *   | bad_request              | 400    | bad id, malformed JSON, body failing the schema  |
 *   | not_found                | 404    | no such user, or no such route                   |
 *   | payload_too_large        | 413    | body over server.bodyLimitBytes                  |
 *   | unsupported_media_type   | 415    | body that is not application/json                |
 *   | internal                 | 500    | a bug                                            |
 *   | dependency_failed        | 502    | store or recommendations answered 5xx/unreachable|
 *   | overloaded               | 503    | pool queue full / acquire timeout, shed by       |
 *   |                          |        | admission or pressure, recommendations breaker   |
 *   |                          |        | open with the fallback off (all with Retry-After)|
 *   | timeout                  | 504    | request, store call or recommendations deadline  |
 *
 * Node itself answers what never reaches a route: 400 for a broken request line or header, 408
 * for headers or a body not received within `server.headersTimeoutMs` / `receiveTimeoutMs`, 431
 * for headers over 16 KiB. A profile whose recommendations failed is no error: with the fallback
 * on it is a 200 marked `degraded` (app/profile.ts).
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isServiceError, serviceErrorCodes } from '../errors.js';

/** Sends the JSON error body with `status`. */
export function sendError(
  reply: FastifyReply,
  status: number,
  error: string,
  message?: string,
): FastifyReply {
  return reply.code(status).send(message === undefined ? { error } : { error, message });
}

/** Installs the error handler and the not-found handler on `app`. */
export function installErrorReplies(app: FastifyInstance): void {
  app.setNotFoundHandler((_request, reply) => sendError(reply, 404, 'not_found'));

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isServiceError(err)) {
      const { status, error } = serviceErrorCodes[err.code];
      // Dependency faults are the point of a chaos lab: log them quietly, never per request at warn.
      request.log.debug({ err }, 'request failed on a dependency');
      if (status === 503) reply.header('retry-after', '1');
      return sendError(reply, status, error, err.message);
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return sendError(reply, 413, 'payload_too_large', err.message);
    if (status === 415) return sendError(reply, 415, 'unsupported_media_type', err.message);
    if (status >= 400 && status < 500) return sendError(reply, 400, 'bad_request', err.message);
    request.log.error({ err }, 'request failed');
    return sendError(reply, 500, 'internal');
  });
}
