import { describe, expect, it } from 'vitest';
import { faultLatency } from '../../src/analysis/index.js';
import { syntheticResult } from '../helpers/synthetic-result.js';

describe('the fault-latency finding without a window to compare', () => {
  it('says not-enough-data, never clear, when no window covers half a second with responses', () => {
    // 0.4 s: no second lies at least half inside it.
    const finding = faultLatency(
      syntheticResult({ faults: [{ on: 'db', kind: 'latency', startS: 20.3, endS: 20.7 }] }),
    );
    expect(finding.verdict).toBe('not-enough-data');
    expect(finding.message).toContain('db latency (20.3–20.7 s): no second with responses lay inside it');
    expect(finding.figures).toMatchObject({ outsideP50Ms: 2.1, outsideP99Ms: 10 });
  });

  it('says not-enough-data when the seconds inside the window had no responses', () => {
    const result = syntheticResult({
      faults: [{ on: 'db', kind: 'timeout', startS: 20, endS: 25 }],
      requests: (t) => (t >= 20 && t < 25 ? 0 : 1000),
    });
    expect(faultLatency(result).verdict).toBe('not-enough-data');
  });

  it('still judges the windows it could compare when another had no data', () => {
    const result = syntheticResult({
      faults: [
        { on: 'db', kind: 'latency', startS: 20.3, endS: 20.7 },
        { on: 'recommendations', kind: 'http', startS: 30, endS: 40 },
      ],
    });
    const finding = faultLatency(result);
    expect(finding.verdict).toBe('clear');
    expect(finding.message).toContain('no second with responses lay inside it');
    expect(finding.message).toContain('recommendations http (30–40 s): p50 2.1 ms (1×), p99 10 ms (1×)');
  });
});
