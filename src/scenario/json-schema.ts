/** The scenario file's JSON Schema, for editor completion and checking (`# yaml-language-server: $schema=…`). */
import { z } from 'zod';
import { scenarioSchema } from './schema.js';

/**
 * JSON Schema (draft 2020-12) of a scenario file as written: defaults are shown and optional
 * fields may be left out; durations accept a number of seconds or a string such as "5s".
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input' }),
    title: 'loadlab scenario',
  };
}
