/**
 * The service's HTTP routes. Handlers only translate between HTTP and the use cases; failures
 * are thrown and answered by http/error-reply.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { newUserSchema, type Users } from '../app/users.js';
import { sendError } from './error-reply.js';

/** Where the service is in its life: `ready` answers /ready with 200, the others with 503. */
export type Readiness = 'starting' | 'ready' | 'draining';

export interface RouteDeps {
  users: Users;
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

/** Registers every route on `app`. */
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { users, registry, readiness } = deps;

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
    const id = parseUserId(request.params.id);
    if (id === undefined) {
      return sendError(
        reply,
        400,
        'bad_request',
        `id must be a positive integer, got "${request.params.id}"`,
      );
    }
    const user = await users.get(id, request.deadline);
    return user === undefined ? sendError(reply, 404, 'not_found') : reply.send(user);
  });

  app.post('/users', async (request, reply) => {
    const parsed = newUserSchema.safeParse(request.body);
    if (!parsed.success) return sendError(reply, 400, 'bad_request', describeIssues(parsed.error));
    const user = await users.create(parsed.data, request.deadline);
    return reply.code(201).send(user);
  });
}

/** Every problem with the body in one line: `name: Too small: expected string to have >=1 characters`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length === 0 ? 'body' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
}
