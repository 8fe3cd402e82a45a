/**
 * Judges a measured run: its SLO checks and its findings, added to the result document. The lab
 * returns measurements only; every command that runs load calls this before writing or gating.
 */
import type { ResultDocument } from '../results/index.js';
import { analyseResult } from './findings.js';
import { judgeSlos } from './slo-scoped.js';

/** The result with `slo` (checked against its scenario's objectives) and `findings` filled in. */
export function analyseRun(result: ResultDocument): ResultDocument {
  const { checks, recovery } = judgeSlos(result);
  const judged: ResultDocument = { ...result, slo: checks, ...(recovery.length === 0 ? {} : { recovery }) };
  // Last, so the rules see the whole document (fault windows and SLO verdicts included).
  judged.findings = analyseResult(judged);
  return judged;
}
