/**
 * fastify makes a child logger for every request (bound to its `reqId`); pino's `child()` copies
 * and serialises the bindings, which showed in the cache-hit path's CPU profile although most
 * requests never log a line. This factory hands fastify a stand-in that makes the real child on
 * the first call that logs, with the same bindings and options, so a line that is written is the
 * line the default factory would have written.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

class LazyChildLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.real().level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }

  /** The real child logger, made on first use. */
  real(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }
}

// The level methods on the prototype (not per instance): each forwards to the real child.
for (const level of levels) {
  Object.defineProperty(LazyChildLogger.prototype, level, {
    value(this: LazyChildLogger, ...args: unknown[]): void {
      const real = this.real();
      (real[level] as (...a: unknown[]) => void).apply(real, args);
    },
  });
}

/** fastify's `childLoggerFactory`: a child logger made only when something logs through it. */
export function lazyChildLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
