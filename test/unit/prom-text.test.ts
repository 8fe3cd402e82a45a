import { describe, expect, it } from 'vitest';
import { parsePromText, sumSamples } from '../../src/telemetry/index.js';

const text = `# HELP http_requests_total Requests
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/users/:id",status="200"} 120
http_requests_total{method="GET",route="/metrics",status="200"} 3
http_requests_total{method="POST",route="/users",status="400",note="a \\"quoted\\" value"} 7
process_cpu_seconds_total 1.5 1700000000000
up +Inf
`;

describe('parsePromText', () => {
  it('reads names, labels (with escapes), values and skips comments and timestamps', () => {
    const samples = parsePromText(text);
    expect(samples).toHaveLength(5);
    expect(samples[2]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'POST', route: '/users', status: '400', note: 'a "quoted" value' },
      value: 7,
    });
    expect(samples[3]).toEqual({ name: 'process_cpu_seconds_total', labels: {}, value: 1.5 });
    expect(samples[4]?.value).toBe(Infinity);
  });

  it('sums a metric over the samples whose labels pass a filter', () => {
    const samples = parsePromText(text);
    expect(sumSamples(samples, 'http_requests_total')).toBe(130);
    expect(sumSamples(samples, 'http_requests_total', (l) => l.route !== '/metrics')).toBe(127);
    expect(sumSamples(samples, 'absent_total')).toBe(0);
  });
});
