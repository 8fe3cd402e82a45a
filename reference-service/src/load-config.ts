/**
 * Reads the service's config from the JSON its parent hands it (env `LOADLAB_SERVICE_CONFIG`),
 * reporting every problem at once, each with the field, what was expected and what was found.
 */
import { serviceConfigEnv, serviceRuntimeSchema, type ServiceConfig } from '../../protocol/index.js';

/** A config, or every reason there is none. */
export type ConfigResult = { ok: true; config: ServiceConfig } | { ok: false; problems: string[] };

/** Parses and validates the config JSON; `text` undefined means the variable is not set. */
export function parseServiceConfig(text: string | undefined): ConfigResult {
  if (text === undefined || text.trim() === '') {
    return { ok: false, problems: [`${serviceConfigEnv} is not set: expected the service config as JSON`] };
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      problems: [
        `${serviceConfigEnv} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      ],
    };
  }
  const parsed = serviceRuntimeSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const where = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
      const found = issue.code === 'unrecognized_keys' ? undefined : valueAt(input, issue.path);
      return found === undefined ? `${where}: ${issue.message}` : `${where}: ${issue.message}, got ${found}`;
    }),
  };
}

/** The JSON text of the value at `path` in `input`, or undefined when there is none. */
function valueAt(input: unknown, path: readonly PropertyKey[]): string | undefined {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined ? undefined : JSON.stringify(value);
}
