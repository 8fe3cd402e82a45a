/**
 * `GET /users/:id` answered from the cache before fastify's request cycle: the lab's commonest
 * request, and the one whose cost is all overhead. Routing, hooks, the async handler and the reply
 * machinery cost it more CPU than Node's own HTTP work (bench/results/service-overhead.md), and a
 * reference service slower than the services the lab teaches about skews every answer.
 *
 *   request ─▶ GET /users/<id> ? ─no──────────────────────────────────────┐
 *                 │ yes                                                   │
 *              open? (ready, listening, not shedding, no request logging) │
 *                 │ yes                                                   │
 *              admission slot free now? ─no───────────────────────────────┤
 *                 │ yes                                                   ▼
 *              cache.peek(id): a fresh hit? ─no──────────────────▶ fastify (hooks, routes)
 *                 │ yes
 *              200 + JSON, counted ─▶ done (synchronously)
 *
 * What a client and the metrics see is what fastify's path gives the same request: status 200,
 * `content-type: application/json; charset=utf-8`, `content-length`, the same JSON (fastify's
 * default serialiser is JSON.stringify), Node's own Date/Connection/Keep-Alive headers (same
 * server); `http_requests_total{method="GET",route="/users/:id",status="200"}` and
 * `cache_requests_total{result="hit"}` counted once; the admission slot and the in-flight count
 * held while it answers. Everything else — a miss, a stale or negative entry, a pending load, a
 * full admission gate, a malformed id, a query string, another method (HEAD included) — goes to
 * fastify untouched, nothing counted here. Hooks added to the fastify app by a caller do not see
 * the requests answered here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { User, Users } from '../app/users.js';
import type { ServiceMetrics } from '../metrics.js';
import type { RequestTracker } from './request-hooks.js';
import { parseUserId } from './routes.js';

export interface CacheHitPathDeps {
  users: Pick<Users, 'peek'>;
  tracker: Pick<RequestTracker, 'runAtOnce'>;
  metrics: Pick<ServiceMetrics, 'httpResponseCounter'>;
  /**
   * False while requests must take fastify's path: the service is not ready or drains (then
   * fastify answers 503 or adds `Connection: close`), load is shed, or every request is logged.
   */
  open(): boolean;
}

/** A request listener's first step: true when it answered the request, false to hand it on. */
export type CacheHitPath = (request: IncomingMessage, response: ServerResponse) => boolean;

const prefix = '/users/';
// The route pattern the answer is counted under, as fastify's path labels it.
const route = '/users/:id';

/** Builds the cache-hit path over the service's users, request tracker and metrics. */
export function createCacheHitPath(deps: CacheHitPathDeps): CacheHitPath {
  const { users, tracker, metrics, open } = deps;
  const counted = metrics.httpResponseCounter('GET', route, 200);
  return (request, response) => {
    const url = request.url;
    if (request.method !== 'GET' || url === undefined || !url.startsWith(prefix)) return false;
    // parseUserId accepts digits only: a query string, a trailing slash or /profile never match.
    const id = parseUserId(url.slice(prefix.length));
    if (id === undefined || !open()) return false;
    return tracker.runAtOnce(() => {
      const user = users.peek(id);
      if (user === undefined) return false;
      const answer = answerOf(user);
      response.writeHead(200, answer.headers);
      response.end(answer.body);
      counted();
      return true;
    });
  };
}

/** The body and headers of a 200 with `user`; the headers object is only read by writeHead. */
interface Answer {
  body: string;
  headers: Readonly<Record<string, string>>;
}

// One answer per cached user object, made on its first hit. A user's cache entry is replaced, never
// changed in place, when the user is written, so a new object gets a new answer.
const answers = new WeakMap<User, Answer>();

function answerOf(user: User): Answer {
  let answer = answers.get(user);
  if (answer === undefined) {
    const body = JSON.stringify(user);
    answer = {
      body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
      },
    };
    answers.set(user, answer);
  }
  return answer;
}
