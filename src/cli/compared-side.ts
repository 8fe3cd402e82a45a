/**
 * One side of a comparison as the analysis takes it: each run's result and its latency counts,
 * over the whole run or over the seconds of the phases `--phase` names (from the run's
 * latency.hlog, so that a warm-up can be left out).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { latencyCountsOf, resultInSeconds, secondsOfPhases, type RunSet } from '../analysis/index.js';
import { decodeHistogram, type LatencyHistogram } from '../metrics/index.js';
import { latencyLogFileName, parseLatencyLog, type ResultDocument } from '../results/index.js';
import { loadlabError } from '../shared/index.js';

/** A run to compare: its result, where it came from, and its latency log's text when known. */
export interface ComparedRun {
  source: string;
  result: ResultDocument;
  /** The run's latency.hlog; needed only with phases. */
  latencyLog?: string;
}

/**
 * The side's RunSet. With `phases`, each run's figures cover only those phases' seconds. Throws
 * one COMPARE_INPUT error listing every run that lacks a named phase or its latency log.
 */
export function comparedSide(label: string, runs: readonly ComparedRun[], phases: readonly string[]): RunSet {
  const problems: string[] = [];
  const results: ResultDocument[] = [];
  const latency: ReturnType<typeof latencyCountsOf>[] = [];
  for (const run of runs) {
    let result = run.result;
    let histogram: LatencyHistogram | undefined;
    if (phases.length === 0) {
      histogram = decodeHistogram(result.histogram);
    } else {
      const picked = secondsOfPhases(result, phases);
      if ('missing' in picked) {
        problems.push(
          `${run.source}: no phase named ${picked.missing.map((n) => `"${n}"`).join(', ')}; its phases are ${picked.have.map((n) => `"${n}"`).join(', ')}`,
        );
        continue;
      }
      if (run.latencyLog === undefined) {
        problems.push(
          `${run.source}: --phase needs the run's ${latencyLogFileName} beside its result.json; found none`,
        );
        continue;
      }
      if (picked.seconds.size === 0) {
        const spans = result.phases
          .filter((p) => phases.includes(p.name))
          .map((p) => `"${p.name}" ran from ${p.startS} s to ${p.endS} s`);
        problems.push(`${run.source}: --phase covers no whole second of load (${spans.join('; ')})`);
        continue;
      }
      const { intervals } = parseLatencyLog(run.latencyLog, join(dirname(run.source), latencyLogFileName));
      ({ result, histogram } = resultInSeconds(result, intervals, picked.seconds));
    }
    results.push(result);
    latency.push(latencyCountsOf(histogram));
  }
  if (problems.length > 0) {
    throw loadlabError('COMPARE_INPUT', problems[0] as string, { problems });
  }
  return { label, sources: runs.map((r) => r.source), results, latency };
}

/** Reads each result file's latency.hlog (the file beside it), or undefined where there is none. */
export async function readLatencyLogs(files: readonly string[]): Promise<(string | undefined)[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        return await readFile(join(dirname(file), latencyLogFileName), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    }),
  );
}
