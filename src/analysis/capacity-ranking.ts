/**
 * `sweep --capacity`: every variant's capacity search, ranked by the capacity found. A capacity is
 * known only to a bracket (the highest rate held, the lowest missed), so two variants whose
 * brackets overlap cannot be told apart: they tie, and the ranking says so rather than crown
 * whichever bisection happened to land higher.
 */
import type { CapacityDocument, CapacityVerdict } from './capacity-document.js';

export const capacityRankingSchemaId = 'loadlab/sweep-capacity@1';

/** One variant's search, or why it has none. */
export interface CapacityRankingInput {
  index: number;
  name: string;
  dir: string;
  settings: Record<string, unknown>;
  /** The variant's capacity document; absent when its search could not start. */
  document?: CapacityDocument;
  /** Set when the variant's search could not start or failed: code and message. */
  failure?: { code: string; message: string };
}

export interface CapacityRankingRow {
  /** 1 for the best; variants that tie with the one above share its rank. Absent: no capacity. */
  rank?: number;
  index: number;
  name: string;
  dir: string;
  settings: Record<string, unknown>;
  verdict: CapacityVerdict | 'not-run';
  /** Requests/s; null when the search found none. */
  capacity: number | null;
  atLeast: boolean;
  /** The bracket the capacity lies in, requests/s: [highest held, lowest missed). */
  bracket: { low: number; high: number | null } | null;
  failure?: { code: string; message: string };
}

export type CapacityRankingOutcome = 'winner' | 'tie' | 'none-held' | 'inconclusive' | 'all-failed';

export interface CapacityRankingDocument {
  schema: typeof capacityRankingSchemaId;
  scenario: string;
  startedAt: string;
  outcome: CapacityRankingOutcome;
  /** The variant with the highest capacity, when its bracket lies above every other's. */
  winner: string | null;
  /** The variants that tie for the best (the winner alone when there is one). */
  best: string[];
  headline: string;
  method: string;
  /** Best first; variants without a capacity last, in variant order. */
  variants: CapacityRankingRow[];
}

/** Ranks the variants' searches; see the module comment. */
export function capacityRanking(input: {
  scenario: string;
  startedAt: string;
  variants: readonly CapacityRankingInput[];
}): CapacityRankingDocument {
  const rows = input.variants.map(rowOf);
  const found = rows.filter((r) => r.capacity !== null).sort((a, b) => (b.capacity ?? 0) - (a.capacity ?? 0));
  const rest = rows.filter((r) => r.capacity === null).sort((a, b) => a.index - b.index);
  let rank = 0;
  let previous: CapacityRankingRow | undefined;
  for (const row of found) {
    if (previous === undefined || !overlaps(row, previous)) rank++;
    row.rank = rank;
    previous = row;
  }
  const best = found.filter((r) => r.rank === 1);
  const outcome: CapacityRankingOutcome =
    best.length === 1
      ? 'winner'
      : best.length > 1
        ? 'tie'
        : rows.every((r) => r.verdict === 'failed' || r.verdict === 'not-run')
          ? 'all-failed'
          : rows.every((r) => r.verdict === 'never-held' || r.verdict === 'failed' || r.verdict === 'not-run')
            ? 'none-held'
            : 'inconclusive';
  return {
    schema: capacityRankingSchemaId,
    scenario: input.scenario,
    startedAt: input.startedAt,
    outcome,
    winner: outcome === 'winner' ? (best[0]?.name ?? null) : null,
    best: best.map((r) => r.name),
    headline: headlineOf(outcome, best, rows.length),
    method:
      "Each variant's capacity is found by its own search (grow, then bisect; see each capacity.json). A capacity is known to the bracket [highest rate held, lowest rate missed); variants are ranked by capacity, and a variant whose bracket overlaps the one ranked above it shares that rank: the search cannot tell them apart. A capacity that only held up to --max-rate is a lower bound, its bracket open above.",
    variants: [...found, ...rest],
  };
}

function rowOf(v: CapacityRankingInput): CapacityRankingRow {
  const doc = v.document;
  const capacity = doc?.capacity ?? null;
  const atLeast = doc?.atLeast === true;
  const failure = v.failure ?? doc?.failure;
  return {
    index: v.index,
    name: v.name,
    dir: v.dir,
    settings: v.settings,
    verdict: doc === undefined ? (v.failure === undefined ? 'not-run' : 'failed') : doc.verdict,
    capacity,
    atLeast,
    bracket:
      capacity === null || doc === undefined
        ? null
        : { low: doc.highestHeld ?? capacity, high: atLeast ? null : (doc.lowestMissed ?? null) },
    ...(failure === undefined ? {} : { failure }),
  };
}

/** Whether the brackets of `lower` (ranked below) and `upper` overlap: the search cannot order them. */
function overlaps(lower: CapacityRankingRow, upper: CapacityRankingRow): boolean {
  if (lower.bracket === null || upper.bracket === null) return false;
  // Lower's capacity lies below its lowest missed rate; upper's at or above its highest held.
  const lowerTop = lower.bracket.high ?? Infinity;
  return lowerTop > upper.bracket.low;
}

function headlineOf(outcome: CapacityRankingOutcome, best: CapacityRankingRow[], n: number): string {
  const shown = (r: CapacityRankingRow) => `${r.name} (${r.atLeast ? 'at least ' : ''}${r.capacity}/s)`;
  switch (outcome) {
    case 'winner':
      return `${shown(best[0] as CapacityRankingRow)} holds the SLO at the highest rate of ${n} variants; no other variant's capacity bracket reaches it.`;
    case 'tie':
      return `${best.map(shown).join(', ')} tie for the highest capacity: their brackets overlap, so the search cannot order them (a finer --precision or longer --step may).`;
    case 'none-held':
      return `No variant held the SLO at any rate tried.`;
    case 'all-failed':
      return `Every variant's search failed; see each one's failure.`;
    case 'inconclusive':
      return `No variant's capacity was found: a search ended at the generator's limit, ran out of steps or was interrupted.`;
  }
}
