/**
 * The common body of every child entry (db-main.ts, recs-main.ts, and the start-up/shutdown parts
 * of proxy-main.ts and postgres-main.ts): read the config JSON from an environment variable,
 * stop with exit 0 on SIGTERM, SIGINT or the parent going away (IPC disconnect, also while this
 * module was still loading), then send the parent `{type:'ready', url, pid}` over IPC or, started
 * by hand, print a line. Exit 2: invalid config; exit 1: could not listen or close.
 *
 * Named `*-main.ts` because it touches the process (a lint rule in eslint.config.js holds this).
 */
import type { ReadyMessage } from '../../protocol/index.js';

/** Writes `message` to stderr, then exits with `code`. */
export function failChild(message: string, code: number): void {
  process.stderr.write(`${message}\n`, () => process.exit(code));
}

/** Calls `stop` on SIGTERM, SIGINT or IPC disconnect, and at once if the parent already left. */
export function stopOnParentOrSignal(stop: () => void): void {
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  // A parent that left while this module was still loading emitted 'disconnect' to nobody.
  if (process.send !== undefined && !process.connected) stop();
}

/** Exits 0 once `closing` settles, or 1 with `<name>: close failed: <error>`. */
export function exitAfterClose(name: string, closing: Promise<void>): void {
  closing.then(
    () => process.exit(0),
    (error: unknown) => failChild(`${name}: close failed: ${String(error)}`, 1),
  );
}

/** Sends the parent `{type:'ready', url, pid}`, or, with no IPC channel, prints `line`. */
export function reportReady(name: string, url: string, line: string): void {
  if (process.send !== undefined) {
    const ready: ReadyMessage = { type: 'ready', url, pid: process.pid };
    // Without a callback a send on a channel closed meanwhile is an uncaught 'error' (exit 1);
    // the 'disconnect' handler is already stopping us.
    process.send(ready, undefined, {}, (error: Error | null) => {
      if (error !== null) process.stderr.write(`${name}: could not report ready: ${error.message}\n`);
    });
  } else {
    process.stdout.write(`${line}\n`);
  }
}

/** Formats a config's problems under `<name>: invalid <env>:`, one indented line each. */
export function invalidConfigMessage(name: string, configEnv: string, problems: readonly string[]): string {
  return `${name}: invalid ${configEnv}:\n${problems.map((p) => `  ${p}`).join('\n')}`;
}

/** A server a child entry makes from its config, then listens with. */
export interface ChildServer {
  /** Resolves to the base URL it listens on. */
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

export interface ChildEntry<C extends { host: string; port: number }> {
  /** Prefix of every message, e.g. `db simulator`. */
  name: string;
  /** Environment variable carrying the config JSON. */
  configEnv: string;
  parseConfig(text: string | undefined): C | { problems: string[] };
  createServer(config: C): ChildServer;
}

/** Runs a child entry: config, stop handlers, listen, ready (`<name> listening on <url>`). */
export function runChildMain<C extends { host: string; port: number }>(entry: ChildEntry<C>): void {
  childMain(entry).catch((error: unknown) => failChild(`${entry.name}: ${String(error)}`, 1));
}

async function childMain<C extends { host: string; port: number }>(entry: ChildEntry<C>): Promise<void> {
  const { name } = entry;
  const config = entry.parseConfig(process.env[entry.configEnv]);
  if ('problems' in config) {
    failChild(invalidConfigMessage(name, entry.configEnv, config.problems), 2);
    return;
  }
  const server = entry.createServer(config);

  let stopping = false;
  stopOnParentOrSignal(() => {
    if (stopping) return;
    stopping = true;
    exitAfterClose(name, server.close());
  });

  let url: string;
  try {
    url = await server.listen(config.host, config.port);
  } catch (error) {
    failChild(`${name}: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`, 1);
    return;
  }
  // The parent left while we started: stop() is already closing us, and nobody is listening.
  if (stopping) return;
  reportReady(name, url, `${name} listening on ${url}`);
}
