import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLatencyHistogram,
  encodeHistogram,
  recordLatencyUs,
  summarizeLatencyMs,
} from '../../src/metrics/index.js';
import { readResult, writeRunOutput, type ResultDocument } from '../../src/results/index.js';
import { isLoadlabError, type LoadlabError } from '../../src/shared/errors.js';
import { scenarioSchema } from '../../src/scenario/schema.js';

/** A small but complete result document with a real encoded histogram. */
function resultFixture(): ResultDocument {
  const histogram = createLatencyHistogram();
  for (const us of [900, 4231, 4231, 12_300]) recordLatencyUs(histogram, us);
  return {
    schema: 'loadlab/result@1',
    startedAt: '2026-11-21T10:00:00.000Z',
    endedAt: '2026-11-21T10:00:03.000Z',
    interrupted: false,
    scenario: scenarioSchema.parse({
      name: 'io-fixture',
      load: { model: 'closed', phases: [{ duration: '3s', connections: 1 }], requests: [{ path: '/' }] },
      slo: { p99Ms: 50 },
    }),
    target: { url: 'http://127.0.0.1:5000', kind: 'external' },
    environment: {
      loadlabVersion: '0.1.0',
      node: 'v20.20.2',
      os: 'linux',
      cpuModel: 'cpu',
      cpus: 2,
      hostname: 'h',
    },
    phases: [{ name: 'phase 1', startS: 0, endS: 3, connections: 1 }],
    summary: {
      requests: 4,
      sent: 4,
      dropped: 0,
      inFlightAtStop: 0,
      errors: { total: 0, byKind: {} },
      rps: 1.33,
      latencyMs: summarizeLatencyMs(histogram),
      bytesRead: 400,
      durationS: 3,
    },
    slo: [{ name: 'p99Ms', limit: 50, actual: 12.303, held: true, margin: 37.697 }],
    series: [0, 1, 2].map((t) => ({
      t,
      requests: 1,
      rps: 1,
      errors: 0,
      errorsByKind: {},
      latencyMs: { p50: 4.231, p90: 4.231, p99: 4.231, max: 4.231 },
    })),
    histogram: encodeHistogram(histogram),
  };
}

/** The fixture as plain JSON, for tests that break it on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests corrupt arbitrary fields
type Fixture = Record<string, any>;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-result-io-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<LoadlabError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLoadlabError(err)) throw new Error(`expected a LoadlabError, got ${String(err)}`);
  return err;
}

describe('writeRunOutput', () => {
  it('creates the folder and writes result.json and index.html, leaving no temporary files', async () => {
    const out = join(dir, 'reports', 'run-1');
    const result = resultFixture();
    const paths = await writeRunOutput(out, { result, html: '<!doctype html><p>report</p>' });
    expect(paths).toEqual({ resultPath: join(out, 'result.json'), htmlPath: join(out, 'index.html') });
    expect((await readdir(out)).sort()).toEqual(['index.html', 'result.json']);
    expect(JSON.parse(await readFile(paths.resultPath, 'utf8'))).toEqual(result);
    expect(await readFile(paths.htmlPath, 'utf8')).toBe('<!doctype html><p>report</p>');
  });

  it('replaces the files of an earlier write', async () => {
    await writeRunOutput(dir, { result: resultFixture(), html: 'first' });
    const second = { ...resultFixture(), interrupted: true };
    await writeRunOutput(dir, { result: second, html: 'second' });
    expect((await readResult(join(dir, 'result.json'))).interrupted).toBe(true);
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toBe('second');
    expect((await readdir(dir)).sort()).toEqual(['index.html', 'result.json']);
  });

  it('fails with OUTPUT_FAILED naming the folder when it cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a folder');
    const err = await rejection(writeRunOutput(join(blocker, 'out'), { result: resultFixture(), html: '' }));
    expect(err.code).toBe('OUTPUT_FAILED');
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain(join(blocker, 'out'));
  });

  it('fails with OUTPUT_FAILED and cleans up when a file cannot be put in place', async () => {
    await mkdir(join(dir, 'index.html'));
    await writeFile(join(dir, 'index.html', 'keep'), 'x');
    const err = await rejection(writeRunOutput(dir, { result: resultFixture(), html: '<p>' }));
    expect(err.code).toBe('OUTPUT_FAILED');
    expect(err.message).toContain(join(dir, 'index.html'));
    expect((await readdir(dir)).sort()).toEqual(['index.html', 'result.json']);
  });
});

describe('readResult', () => {
  it('reads back what writeRunOutput wrote', async () => {
    const result = resultFixture();
    const { resultPath } = await writeRunOutput(dir, { result, html: '' });
    expect(await readResult(resultPath)).toEqual(result);
  });

  it('keeps fields it does not know, so later additions still read', async () => {
    const path = join(dir, 'result.json');
    await writeFile(path, JSON.stringify({ ...resultFixture(), extra: { note: 'from a newer loadlab' } }));
    expect(await readResult(path)).toMatchObject({ extra: { note: 'from a newer loadlab' } });
  });

  it.each<{ name: string; content: (doc: Fixture) => string; message: string }>([
    { name: 'a file that is not JSON', content: () => '{"schema": ', message: 'is not valid JSON' },
    { name: 'a JSON array', content: () => '[]', message: 'expected a JSON object, found an array of 0' },
    {
      name: 'another schema version',
      content: (doc) => JSON.stringify({ ...doc, schema: 'loadlab/result@2' }),
      message: 'schema: expected "loadlab/result@1", found "loadlab/result@2"',
    },
    {
      name: 'a document without a schema',
      content: (doc) => JSON.stringify({ ...doc, schema: undefined }),
      message: 'schema: expected "loadlab/result@1", found nothing (the field is missing)',
    },
    {
      name: 'a percentile of the wrong type',
      content: (doc) => {
        doc.summary.latencyMs.p99 = 'fast';
        return JSON.stringify(doc);
      },
      message: 'summary.latencyMs.p99: expected a number, found "fast"',
    },
    {
      name: 'a series point without its latencies',
      content: (doc) => {
        delete doc.series[2].latencyMs;
        return JSON.stringify(doc);
      },
      message: 'series[2].latencyMs: expected an object, found nothing (the field is missing)',
    },
    {
      name: 'an error count that is not a number',
      content: (doc) => {
        doc.summary.errors.byKind = { timeout: '3' };
        return JSON.stringify(doc);
      },
      message: 'summary.errors.byKind.timeout: expected a number, found "3"',
    },
    {
      name: 'an unknown target kind',
      content: (doc) => {
        doc.target.kind = 'remote';
        return JSON.stringify(doc);
      },
      message: 'target.kind: expected "reference" or "external", found "remote"',
    },
    {
      name: 'a histogram that does not decode',
      content: (doc) => JSON.stringify({ ...doc, histogram: 'SGVsbG8=' }),
      message:
        'histogram: expected an HdrHistogram compressed base64 encoding, found one that fails to decode',
    },
  ])('rejects $name with RESULT_INVALID naming the file and the field', async ({ content, message }) => {
    const path = join(dir, 'result.json');
    await writeFile(path, content(JSON.parse(JSON.stringify(resultFixture()))));
    const err = await rejection(readResult(path));
    expect(err.code).toBe('RESULT_INVALID');
    expect(err.exitCode).toBe(2);
    expect(err.message.startsWith(`${path}: `)).toBe(true);
    expect(err.message).toContain(message);
  });

  it('lists every problem at once', async () => {
    const path = join(dir, 'result.json');
    const doc = JSON.parse(JSON.stringify(resultFixture()));
    doc.interrupted = 'no';
    doc.summary.rps = null;
    delete doc.environment.node;
    await writeFile(path, JSON.stringify(doc));
    const err = await rejection(readResult(path));
    expect(err.message).toBe(`${path}: interrupted: expected a boolean, found "no" (and 2 more problems)`);
    expect(err.problems).toEqual([
      `${path}: interrupted: expected a boolean, found "no"`,
      `${path}: environment.node: expected a string, found nothing (the field is missing)`,
      `${path}: summary.rps: expected a number, found null`,
    ]);
  });

  it('rejects a missing file with RESULT_INVALID naming it', async () => {
    const path = join(dir, 'nope.json');
    const err = await rejection(readResult(path));
    expect(err.code).toBe('RESULT_INVALID');
    expect(err.message).toContain(`${path}: cannot be read`);
  });
});
