/**
 * The sweep document (`sweep.json`): each variant's runs summarised (SLO verdicts, latency,
 * throughput, errors, the service's peaks: median and range over its repeats), the winner under
 * the SLO or the variants that tie, and the Pareto front of throughput against p99. Pure: the
 * runs' results in, the document out; an interrupted sweep, resumed, ends with the same document
 * as one that never stopped, since both are built from the runs on disk.
 */
import type { ResultDocument } from '../results/index.js';
import { goodput, summariseVariant } from './sweep-variant.js';
import {
  decideWinner,
  paretoFront,
  rankFigures,
  type CandidateComparison,
  type RankBy,
} from './sweep-winner.js';

/** The identifier of the sweep document's shape. */
export const sweepSchemaId = 'loadlab/sweep@1' as const;

/** A figure over a variant's repeats: median and range. */
export interface RepeatRange {
  median: number;
  min: number;
  max: number;
  /** Repeats that had the figure. */
  n: number;
}

/** What the sweep knows of one variant when the document is built. */
export interface SweepVariantRuns {
  index: number;
  name: string;
  /** Its folder, relative to the sweep's. */
  dir: string;
  settings: Record<string, unknown>;
  /** Its complete runs, in repeat order, and their folders relative to the sweep's. */
  results: readonly ResultDocument[];
  runs: readonly string[];
  /** Set when the variant failed: the run that failed and why. */
  failure?: { code: string; message: string; repeat: number };
}

/** One variant in the sweep document. */
export interface SweepVariant {
  index: number;
  name: string;
  dir: string;
  settings: Record<string, unknown>;
  /** done: every repeat ran; failed: a run could not be carried out (reason); pending: not all ran yet. */
  status: 'done' | 'failed' | 'pending';
  reason?: string;
  failureCode?: string;
  runs: string[];
  slo: {
    /** True when every SLO held in every repeat (no SLO: true); null until the variant is done. */
    held: boolean | null;
    runsHeld: number;
    checks: Array<{ name: string; limit: number; held: number; runs: number; actual: RepeatRange }>;
  };
  latencyMs?: { p50: RepeatRange; p99: RepeatRange };
  rps?: RepeatRange;
  /** Responses that were not errors, per second. */
  goodputRps?: RepeatRange;
  errors?: RepeatRange;
  /** Errors over requests that concluded, in percent. */
  errorRatePct?: RepeatRange;
  service?: {
    eventLoopDelayP99Ms?: RepeatRange;
    heapPeakMb?: RepeatRange;
    /**
     * The service's counters summed over each run (`cache.hit`, `cache.miss`, `cache.coalesced`, …,
     * `shed`, `retries`, `recsCalls`), median and range over the repeats; only those it reported.
     */
    counters?: Record<string, RepeatRange>;
  };
  /** The generator's verdict on itself, runs per verdict (`ok`, `saturated`, `busy-host`, ...): docs/measurement-edges.md. */
  generator?: Record<string, number>;
  /** 1 = best; tied variants share 1. Only for variants that held their SLOs. */
  rank?: number;
  verdict: 'winner' | 'tie' | 'holds' | 'misses' | 'failed' | 'pending';
}

/** The sweep document. */
export interface SweepDocument {
  schema: typeof sweepSchemaId;
  scenario: string;
  startedAt: string;
  /** False while runs are missing (interrupted: resume with --resume). */
  complete: boolean;
  interrupted: boolean;
  repeats: number;
  /** Seed of the interleaved order. */
  seed: number;
  order: 'interleaved';
  matrix: { mode: 'product' | 'zip'; axes: Record<string, unknown[]> };
  rankBy: RankBy;
  confidence: number;
  outcome: 'winner' | 'tie' | 'none-held' | 'all-failed' | 'incomplete';
  /** The winner's name, or null. */
  winner: string | null;
  /** The variants tied for first (outcome "tie"). */
  tie?: string[];
  /** The answer in one sentence. */
  decision: string;
  method: string;
  comparisons: CandidateComparison[];
  /** Variants on the Pareto front of throughput against p99 (medians), done variants only. */
  pareto: string[];
  variants: SweepVariant[];
}

export interface SweepDocumentInput {
  scenario: string;
  startedAt: string;
  repeats: number;
  seed: number;
  matrix: SweepDocument['matrix'];
  rankBy: RankBy;
  confidence: number;
  interrupted: boolean;
  variants: readonly SweepVariantRuns[];
}

/** Builds the sweep document from the variants' runs. */
export function sweepDocument(input: SweepDocumentInput): SweepDocument {
  const variants = input.variants.map((v) => summariseVariant(v, input.repeats));
  const complete = variants.every((v) => v.status !== 'pending');
  const candidates = variants.filter((v) => v.status === 'done' && v.slo.held === true);
  const figure = rankFigures[input.rankBy];
  const base = {
    schema: sweepSchemaId,
    scenario: input.scenario,
    startedAt: input.startedAt,
    complete,
    interrupted: input.interrupted,
    repeats: input.repeats,
    seed: input.seed,
    order: 'interleaved' as const,
    matrix: input.matrix,
    rankBy: input.rankBy,
    confidence: input.confidence,
    method: `Candidates: variants whose every SLO held in every repeat. Ranked by median ${figure.label}; the best is compared with each other candidate (Hodges-Lehmann shift, ${Math.round(input.confidence * 100)}% interval from the exact Mann-Whitney distribution, ±2% margin, each repeat one observation): it wins only when better than every other with confidence.`,
    pareto: paretoFront(
      variants.flatMap((v) =>
        v.status === 'done' && v.rps !== undefined && v.latencyMs !== undefined
          ? [{ name: v.name, rps: v.rps.median, p99Ms: v.latencyMs.p99.median }]
          : [],
      ),
    ),
  };
  const values = (v: SweepVariant): number[] => {
    const i = input.variants.findIndex((x) => x.index === v.index);
    return (input.variants[i]?.results ?? []).map((r) => rankValue(r, input.rankBy));
  };
  if (!complete) {
    return {
      ...base,
      outcome: 'incomplete',
      winner: null,
      decision: `The sweep is incomplete: ${variants.filter((v) => v.status === 'pending').length} variant(s) still have runs to make; resume it with --resume.`,
      comparisons: [],
      variants,
    };
  }
  if (candidates.length === 0) {
    const allFailed = variants.every((v) => v.status === 'failed');
    return {
      ...base,
      outcome: allFailed ? 'all-failed' : 'none-held',
      winner: null,
      decision: allFailed
        ? 'Every variant failed: none could be measured.'
        : 'No variant held its SLOs in every repeat.',
      comparisons: [],
      variants,
    };
  }
  const decision = decideWinner(
    candidates.map((v) => ({ name: v.name, values: values(v) })),
    input.rankBy,
    input.confidence,
  );
  const rankOf = new Map<string, number>();
  decision.first.forEach((name) => rankOf.set(name, 1));
  decision.order
    .filter((n) => !rankOf.has(n))
    .forEach((name, i) => rankOf.set(name, decision.first.length + 1 + i));
  const ranked = variants.map((v): SweepVariant => {
    const rank = rankOf.get(v.name);
    if (rank === undefined) return v;
    const verdict = rank === 1 ? (decision.outcome === 'winner' ? 'winner' : 'tie') : 'holds';
    return { ...v, rank, verdict };
  });
  const [first] = decision.first;
  const runnerUp = decision.comparisons[0];
  const sentence =
    decision.outcome === 'winner'
      ? `${first} wins on ${figure.label}${runnerUp === undefined ? ', the only variant that held its SLOs' : `: better than every other candidate with confidence (against the runner-up ${runnerUp.other}: ${runnerUp.reason})`}.`
      : `No single winner on ${figure.label}: ${decision.first.join(', ')} could not be told apart (${decision.comparisons
          .filter((c) => c.verdict !== 'better')
          .map((c) => `${c.other}: ${c.verdict}`)
          .join('; ')}).`;
  return {
    ...base,
    outcome: decision.outcome,
    winner: decision.outcome === 'winner' ? (first as string) : null,
    ...(decision.outcome === 'tie' ? { tie: decision.first } : {}),
    decision: sentence,
    comparisons: decision.comparisons,
    variants: ranked,
  };
}

/** A run's ranking figure. */
export function rankValue(result: ResultDocument, rankBy: RankBy): number {
  if (rankBy === 'p99') return result.summary.latencyMs.p99;
  if (rankBy === 'rps') return result.summary.rps;
  return goodput(result);
}
