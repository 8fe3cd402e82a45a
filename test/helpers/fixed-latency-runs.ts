/**
 * Real result folders for comparison tests: `loadlab run --target` against targets that answer
 * after a fixed delay, repeated, each variant's repeats in `<outDir>/<variant>/run-<i>/`. The
 * variants of one repeat run at the same time, so host noise in that moment hits them alike.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultDocument } from '../../src/results/index.js';
import { runCli } from './cli.js';
import { startLoadTarget, type LoadTarget } from './load-target.js';

export interface FixedLatencyRunsOptions {
  outDir: string;
  /** Each variant's name (its folder) and its target's answer delay in ms. */
  variants: { name: string; delayMs: number }[];
  repeats: number;
  /** Seconds of load per run (default 3). */
  seconds?: number;
  /** Closed-model connections (default 2): each waits for its answer, so a busy host cannot pile up a backlog. */
  connections?: number;
}

/** Makes the runs; returns each variant's folder of repeats. Targets are closed before it returns. */
export async function makeFixedLatencyRuns(
  options: FixedLatencyRunsOptions,
): Promise<Record<string, string>> {
  const scenario = join(options.outDir, 'fixed-latency.yaml');
  await writeFile(
    scenario,
    [
      'name: fixed-latency',
      'load:',
      '  model: closed',
      '  phases:',
      `    - { name: main, duration: ${options.seconds ?? 3}s, connections: ${options.connections ?? 2} }`,
      '  requests:',
      '    - { path: / }',
      '',
    ].join('\n'),
  );
  const targets: LoadTarget[] = [];
  try {
    for (const v of options.variants) targets.push(await startLoadTarget({ kind: 'delay', ms: v.delayMs }));
    const folders: Record<string, string> = {};
    for (const v of options.variants) folders[v.name] = join(options.outDir, v.name);
    for (let i = 1; i <= options.repeats; i++) {
      await Promise.all(
        options.variants.map(async (v, k) => {
          const out = join(folders[v.name] as string, `run-${i}`);
          const target = targets[k] as LoadTarget;
          const run = await runCli([
            'run',
            scenario,
            '--target',
            target.url,
            '--out',
            out,
            '--quiet',
            '--json',
          ]);
          if (run.code !== 0) throw new Error(`loadlab run for ${v.name} exited ${run.code}: ${run.stderr}`);
          // A run without responses cannot be compared: say so here rather than as a puzzling verdict.
          const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as ResultDocument;
          if (result.summary.requests === 0) {
            throw new Error(
              `loadlab run for ${v.name} (run ${i}) got no responses in ${options.seconds ?? 3} s: phases ${JSON.stringify(result.phases)}`,
            );
          }
        }),
      );
    }
    return folders;
  } finally {
    await Promise.all(targets.map((t) => t.close()));
  }
}
