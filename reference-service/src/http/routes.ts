/**
 * The service's HTTP routes. Handlers only translate between HTTP and the use cases; failures
 * are thrown and answered by http/error-reply.ts.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { Profiles } from '../app/profile.js';
import { idempotencyKeySchema, newUserSchema, type Users } from '../app/users.js';
import { sendError } from './error-reply.js';

/** Where the service is in its life: `ready` answers /ready with 200, the others with 503. */
export type Readiness = 'starting' | 'ready' | 'draining';

export interface RouteDeps {
  users: Users;
  /** The profile use case (GET /users/:id/profile). */
  profiles: Profiles;
  registry: Registry;
  readiness: () => Readiness;
}

const idPattern = /^[1-9][0-9]{0,15}$/;

/** The positive integer in `raw`, or undefined when it is not one. */
export function parseUserId(raw: string): number | undefined {
  if (!idPattern.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** The user id in `raw`; when it is not one, a 400 is sent on `reply` and undefined returned. */
function userIdOrReject(raw: string, reply: FastifyReply): number | undefined {
  const id = parseUserId(raw);
  if (id === undefined) sendError(reply, 400, 'bad_request', `id must be a positive integer, got "${raw}"`);
  return id;
}

/** Registers every route on `app`. */
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { users, profiles, registry, readiness } = deps;

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const state = readiness();
    return reply.code(state === 'ready' ? 200 : 503).send({ status: state });
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });

  app.get<{ Params: { id: string } }>('/users/:id', async (request, reply) => {
    const id = userIdOrReject(request.params.id, reply);
    if (id === undefined) return reply;
    const user = await users.get(id, request.deadline);
    return user === undefined ? sendError(reply, 404, 'not_found') : reply.send(user);
  });

  app.get<{ Params: { id: string } }>('/users/:id/profile', async (request, reply) => {
    const id = userIdOrReject(request.params.id, reply);
    if (id === undefined) return reply;
    const profile = await profiles.get(id, request.deadline);
    return profile === undefined ? sendError(reply, 404, 'not_found') : reply.send(profile);
  });

  // Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header): a retry with the same key
  // and body gets the first answer (201, same body, `Idempotent-Replayed: true`), nothing new is
  // stored; the same key with another body is 422 (the draft's answer to a reused key).
  app.post('/users', async (request, reply) => {
    const header = request.headers['idempotency-key'];
    let idempotencyKey: string | undefined;
    if (header !== undefined) {
      const key = idempotencyKeySchema.safeParse(header);
      if (!key.success) {
        return sendError(
          reply,
          400,
          'bad_request',
          'Idempotency-Key: expected 1 to 255 printable ASCII characters',
        );
      }
      idempotencyKey = key.data;
    }
    const parsed = newUserSchema.safeParse(request.body);
    if (!parsed.success) return sendError(reply, 400, 'bad_request', describeIssues(parsed.error));
    const { user, replayed } = await users.create(parsed.data, request.deadline, { idempotencyKey });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(201).send(user);
  });

  app.put<{ Params: { id: string } }>('/users/:id', async (request, reply) => {
    const id = userIdOrReject(request.params.id, reply);
    if (id === undefined) return reply;
    const parsed = newUserSchema.safeParse(request.body);
    if (!parsed.success) return sendError(reply, 400, 'bad_request', describeIssues(parsed.error));
    const user = await users.replace(id, parsed.data, request.deadline);
    return user === undefined ? sendError(reply, 404, 'not_found') : reply.send(user);
  });

  app.delete<{ Params: { id: string } }>('/users/:id', async (request, reply) => {
    const id = userIdOrReject(request.params.id, reply);
    if (id === undefined) return reply;
    const deleted = await users.delete(id, request.deadline);
    return deleted ? reply.code(204).send() : sendError(reply, 404, 'not_found');
  });
}

/** Every problem with the body in one line: `name: Too small: expected string to have >=1 characters`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length === 0 ? 'body' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
}
