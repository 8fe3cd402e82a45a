/**
 * A small JUnit XML writer: `<testsuites>` of `<testsuite>` of `<testcase>`, valid against the
 * junit-10.xsd that Jenkins' xUnit plugin publishes and that GitLab and GitHub test reporters
 * read. Characters XML 1.0 cannot carry become U+FFFD; the rest is escaped.
 */

/** How one test case ended. */
export type JunitOutcome =
  | { kind: 'passed' }
  | { kind: 'failure'; type: string; message: string }
  | { kind: 'skipped'; message: string };

export interface JunitCase {
  name: string;
  classname: string;
  outcome: JunitOutcome;
  /** Seconds; default 0 (a verdict takes no time of its own). */
  time?: number;
  /** The numbers behind the outcome, as `<system-out>`. */
  output?: string;
}

export interface JunitSuite {
  name: string;
  /** ISO 8601 time the suite's subject started. */
  timestamp?: string;
  hostname?: string;
  /** Seconds. */
  time?: number;
  properties?: Record<string, string>;
  cases: JunitCase[];
}

/** The XML document for `suites`, under one `<testsuites name="…">`. */
export function renderJunit(suites: readonly JunitSuite[], name = 'loadlab'): string {
  const count = (s: JunitSuite, kind: JunitOutcome['kind']) =>
    s.cases.filter((c) => c.outcome.kind === kind).length;
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + count(s, 'failure'), 0);
  const time = suites.reduce((t, s) => t + (s.time ?? 0), 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name, tests, failures, errors: 0, time: seconds(time) })}>`,
  ];
  for (const suite of suites) {
    out.push(
      `  <testsuite${attrs({
        name: suite.name,
        tests: suite.cases.length,
        failures: count(suite, 'failure'),
        errors: 0,
        skipped: count(suite, 'skipped'),
        time: seconds(suite.time ?? 0),
        timestamp: suite.timestamp,
        hostname: suite.hostname,
      })}>`,
    );
    const props = Object.entries(suite.properties ?? {});
    if (props.length > 0) {
      out.push('    <properties>');
      for (const [key, value] of props) out.push(`      <property${attrs({ name: key, value })}/>`);
      out.push('    </properties>');
    }
    for (const c of suite.cases) out.push(...testcase(c));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function testcase(c: JunitCase): string[] {
  const open = `    <testcase${attrs({ name: c.name, classname: c.classname, time: seconds(c.time ?? 0) })}`;
  const body: string[] = [];
  if (c.outcome.kind === 'failure') {
    body.push(
      `      <failure${attrs({ type: c.outcome.type, message: c.outcome.message })}>${text(c.outcome.message)}</failure>`,
    );
  } else if (c.outcome.kind === 'skipped') {
    body.push(`      <skipped${attrs({ message: c.outcome.message })}/>`);
  }
  if (c.output !== undefined) body.push(`      <system-out>${text(c.output)}</system-out>`);
  return body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, '    </testcase>'];
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${text(String(v)).replace(/"/g, '&quot;').replace(/\n/g, '&#10;')}"`)
    .join('');
}

/** Seconds in the schema's SUREFIRE_TIME form: digits, a dot, digits ("1.500"). */
function seconds(s: number): string {
  return (Number.isFinite(s) && s > 0 ? s : 0).toFixed(3);
}

/** Element text: characters XML 1.0 forbids become U+FFFD; &, < and > are escaped. */
function text(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
