/**
 * Runs the findings rules over a result document (pure: data in, findings out). The lab stores
 * them in result.json `findings[]`; the report and the terminal summary show them. A result
 * written before findings existed gets them computed when it is read for a report.
 */
import type { Finding, ResultDocument } from '../results/index.js';
import { findingRules, type FindingRule } from './findings-rules.js';

/** Every rule's answer about `result`, in the rules' order. */
export function analyseResult(
  result: ResultDocument,
  rules: readonly FindingRule[] = findingRules,
): Finding[] {
  return rules.map((rule) => rule(result));
}

/** The findings stored in the result, or computed now for a result that has none. */
export function findingsOf(result: ResultDocument): Finding[] {
  return Array.isArray(result.findings) ? result.findings : analyseResult(result);
}

/** Findings ordered for reading: found first, then clear, then not enough data (stable otherwise). */
export function findingsForReading(findings: readonly Finding[]): Finding[] {
  const rank: Record<Finding['verdict'], number> = { found: 0, clear: 1, 'not-enough-data': 2 };
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank[a.f.verdict] - rank[b.f.verdict] || a.i - b.i)
    .map((x) => x.f);
}
