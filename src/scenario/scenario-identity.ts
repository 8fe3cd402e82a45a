/**
 * A scenario's identity: a hash of the resolved scenario, so results of the same question (the
 * shards of one run) can be told from results of another. Keys are sorted before hashing, so the
 * order in which a file wrote its fields does not matter; every value does, the seed included.
 */
import { createHash } from 'node:crypto';
import type { Scenario } from './schema.js';

/** "sha256:<hex>" of the scenario's canonical JSON (object keys sorted at every level). */
export function scenarioIdentity(scenario: Scenario): string {
  return `sha256:${createHash('sha256').update(canonicalJson(scenario)).digest('hex')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
