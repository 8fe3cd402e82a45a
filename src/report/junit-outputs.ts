/**
 * JUnit suites for what loadlab judges: a comparison (one test case per metric verdict and per
 * gate threshold) and a run (one per SLO check). Inconclusive verdicts are skipped with their
 * reason, never passed; failures carry the numbers.
 */
import type { Comparison } from '../analysis/index.js';
import type { ResultDocument } from '../results/index.js';
import { changeText, figure } from './compare-rows.js';
import { describeSloCheck } from './format.js';
import type { JunitCase, JunitSuite } from './junit.js';

/**
 * A comparison as one suite. A metric's case fails when its verdict is "worse" and is skipped when
 * "inconclusive"; a threshold's case fails when the threshold failed and is skipped when
 * inconclusive. (The exit code follows the thresholds alone.)
 */
export function comparisonSuite(comparison: Comparison, options: { timestamp?: string } = {}): JunitSuite {
  const classname = `loadlab.compare.${comparison.scenario}`;
  const cases: JunitCase[] = comparison.metrics.map((m) => {
    const numbers = `${comparison.a.label} ${sideFigure(m.geoMean?.a ?? m.a.median, m.unit)} (n=${m.a.n}), ${comparison.b.label} ${sideFigure(
      m.geoMean?.b ?? m.b.median,
      m.unit,
    )} (n=${m.b.n}), change ${changeText(m)}${m.pValue === undefined ? '' : `, p=${m.pValue.toPrecision(3)} (${m.pMethod})`}`;
    const summary = `${m.verdict}: ${m.reason}`;
    return {
      name: `${m.metric}: ${m.label}`,
      classname: `${classname}.metric`,
      outcome:
        m.verdict === 'worse'
          ? { kind: 'failure', type: 'worse', message: `${m.label} worse: ${numbers}; ${m.reason}` }
          : m.verdict === 'inconclusive'
            ? { kind: 'skipped', message: `inconclusive: ${m.reason}` }
            : { kind: 'passed' },
      output: `${numbers}\n${summary}\n${comparison.method}`,
    };
  });
  for (const g of comparison.gates) {
    cases.push({
      name: `gate ${g.threshold.text}`,
      classname: `${classname}.gate`,
      outcome:
        g.outcome === 'fail'
          ? { kind: 'failure', type: 'threshold', message: `${g.threshold.text} failed: ${g.reason}` }
          : g.outcome === 'inconclusive'
            ? { kind: 'skipped', message: `inconclusive: ${g.reason}` }
            : { kind: 'passed' },
      output: `${g.outcome}: ${g.reason}\n${comparison.gateMethod ?? comparison.method}`,
    });
  }
  return {
    name: `loadlab compare ${comparison.scenario}: ${comparison.a.label} vs ${comparison.b.label}`,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    properties: {
      method: comparison.method,
      ...(comparison.gateMethod === undefined || comparison.gates.length === 0
        ? {}
        : { gateMethod: comparison.gateMethod }),
      confidence: String(comparison.confidence),
      design: comparison.design,
      [`runs.${comparison.a.label}`]: String(comparison.a.runs),
      [`runs.${comparison.b.label}`]: String(comparison.b.runs),
    },
    cases,
  };
}

/**
 * A run as one suite: one case per SLO check (failed when missed, skipped when there was not enough
 * data), and one that the run completed (failed when it was interrupted).
 */
export function runSuite(result: ResultDocument): JunitSuite {
  const classname = `loadlab.run.${result.scenario.name}`;
  const cases: JunitCase[] = result.slo.map((check) => {
    const words = describeSloCheck(check);
    return {
      name: `slo ${check.name}${check.scope === undefined || check.scope === 'run' ? '' : ` ${check.scope}`}`,
      classname,
      outcome:
        // Only "not enough data" is skipped; a recovery that never came is a failure with its reason.
        check.reason === 'not enough data'
          ? { kind: 'skipped', message: words }
          : check.held
            ? { kind: 'passed' }
            : { kind: 'failure', type: 'slo', message: words },
      output: words,
    };
  });
  cases.push({
    name: 'run completed',
    classname,
    outcome: result.interrupted
      ? { kind: 'failure', type: 'interrupted', message: result.abortReason ?? 'the run was interrupted' }
      : { kind: 'passed' },
  });
  return {
    name: `loadlab run ${result.scenario.name}`,
    timestamp: result.startedAt,
    hostname: result.environment.hostname,
    time: result.summary.durationS,
    properties: {
      target: result.target.url,
      requests: String(result.summary.requests),
      rps: String(result.summary.rps),
      'latency.p99.ms': String(result.summary.latencyMs.p99),
    },
    cases,
  };
}

function sideFigure(value: number | undefined, unit: string): string {
  return value === undefined ? 'n/a' : figure(value, unit);
}
