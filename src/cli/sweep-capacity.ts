/**
 * `loadlab sweep <scenario> --capacity`: a capacity search per variant of the matrix, one after
 * the other, each into its variant's folder (step-N/, capacity.json, capacity.html); then
 * sweep-capacity.json ranking them by capacity, sweep.html with every variant's curve on one
 * chart, and the table on the terminal.
 */
import { join, relative, resolve } from 'node:path';
import {
  capacityRanking,
  type CapacityRankingDocument,
  type CapacityRankingInput,
} from '../analysis/index.js';
import { defaultStartRate } from '../experiments/index.js';
import {
  capacityOverlayInput,
  renderOverlayReportHtml,
  type OverlayReportInput,
  type OverlayVariant,
} from '../report/index.js';
import { checkOutputFolder, writeFileAtomically } from '../results/index.js';
import { sloEntries, type Scenario } from '../scenario/index.js';
import { ExitCode, isLoadlabError, loadlabError } from '../shared/index.js';
import { searchInto } from './capacity-command.js';
import { searchFlags, sloOverrides } from './capacity-flags.js';
import { onInterrupt } from './interrupt.js';
import { note } from './output.js';
import { checkTarget, defaultOutDir, planFromFlags } from './run-flags.js';
import type { SweepArgs } from './sweep-flags.js';
import { planVariants } from './sweep-matrix.js';

/** Runs the sweep of capacity searches; returns the exit code. */
export async function sweepCapacity(args: SweepArgs): Promise<number> {
  if (args.resume !== undefined) {
    throw loadlabError('BAD_FLAG', '--resume: a sweep of capacity searches cannot be resumed; run it again');
  }
  const { shape, precision } = searchFlags(args);
  const target = args.target === undefined ? undefined : checkTarget(args.target);
  const extra = sloOverrides(args.slo);
  const planOptions = { extra, ...(target === undefined ? {} : { target }) };
  const { scenario } = await planFromFlags(args, planOptions);
  const variants = await planVariants(scenario, args.matrix, args.yes, (more) =>
    planFromFlags(args, { ...planOptions, extra: [...extra, ...more] }).then((p) => p.plan),
  );
  const problems = variants.flatMap((v) =>
    sloEntries(v.plan.scenario.slo).length === 0 ? [`variant ${v.index} (${v.name}) states no SLO`] : [],
  );
  if (problems.length > 0) {
    throw loadlabError('NO_SLO', 'a capacity is the highest rate at which the SLO holds: give --slo', {
      problems,
    });
  }
  const outDir = resolve(args.out ?? defaultOutDir(`${scenario.name}-sweep-capacity`));
  await checkOutputFolder(outDir);
  const startedAt = new Date().toISOString();
  const interrupt = onInterrupt(
    note,
    'stopping the capacity search in progress and writing what was measured',
  );
  const inputs: CapacityRankingInput[] = [];
  const curves: OverlayVariant[] = [];
  try {
    for (const v of variants) {
      if (interrupt.signal.aborted) break;
      const variantScenario: Scenario = v.plan.scenario;
      note(`· variant ${v.index} of ${variants.length} (${v.name}): capacity search`);
      const base = { index: v.index, name: v.name, dir: v.dir, settings: v.values };
      try {
        const run = await searchInto(
          join(outDir, v.dir),
          variantScenario,
          {
            shape,
            precision,
            startRate: args.startRate ?? defaultStartRate(variantScenario),
            target,
          },
          { args, signal: interrupt.signal, name: v.name, settings: v.values },
        );
        inputs.push({ ...base, document: run.document });
        curves.push(...variantCurve(run.document, v.dir, v.name, v.values));
        note(`  ${run.document.headline}`);
      } catch (error) {
        if (!isLoadlabError(error)) throw error;
        inputs.push({ ...base, failure: { code: error.code, message: error.message } });
        note(`  variant ${v.index} (${v.name}) failed [${error.code}]: ${error.message}; the sweep goes on`);
      }
    }
  } finally {
    interrupt.dispose();
  }
  const doc = capacityRanking({ scenario: scenario.name, startedAt, variants: inputs });
  await writeFileAtomically(join(outDir, 'sweep-capacity.json'), JSON.stringify(doc, null, 2) + '\n');
  await writeFileAtomically(join(outDir, 'sweep.html'), renderOverlayReportHtml(overlayOf(doc, curves)));
  if (args.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else process.stdout.write(formatRanking(doc));
  const last = `sweep: ${shown(join(outDir, 'sweep.html'))} (sweep-capacity.json beside it)`;
  if (args.json) note(last);
  else process.stdout.write(last + '\n');
  if (interrupt.signal.aborted) return ExitCode.interrupted;
  return exitCodeOf(doc);
}

/** 0 a winner, 4 a tie or no capacity found, 1 none held, 3 every search failed. */
function exitCodeOf(doc: CapacityRankingDocument): number {
  switch (doc.outcome) {
    case 'winner':
      return ExitCode.ok;
    case 'tie':
    case 'inconclusive':
      return ExitCode.inconclusive;
    case 'none-held':
      return ExitCode.sloFailed;
    case 'all-failed':
      return ExitCode.runFailed;
  }
}

/** A variant's curve, its points linked into the variant's folder. */
function variantCurve(
  doc: Parameters<typeof capacityOverlayInput>[0],
  dir: string,
  name: string,
  settings: Record<string, unknown>,
): OverlayVariant[] {
  return capacityOverlayInput(doc, { name, settings }).variants.map((v) => ({
    ...v,
    points: v.points.map((p) =>
      p.reportHref === undefined ? p : { ...p, reportHref: `${dir}/${p.reportHref}` },
    ),
  }));
}

function overlayOf(doc: CapacityRankingDocument, curves: OverlayVariant[]): OverlayReportInput {
  const failed: OverlayVariant[] = doc.variants
    .filter((r) => r.failure !== undefined && !curves.some((c) => c.name === r.name))
    .map((r) => ({ name: r.name, settings: r.settings, points: [], failed: r.failure?.message ?? 'failed' }));
  return {
    kind: 'capacity',
    title: `Capacity of each variant of ${doc.scenario}`,
    startedAt: doc.startedAt,
    headline: doc.headline,
    method: doc.method,
    variants: [...curves, ...failed],
    columns: [
      { key: 'capacity', heading: 'capacity' },
      { key: 'bracket', heading: 'bracket (held, missed)' },
      { key: 'verdict', heading: 'search ended' },
    ],
    table: doc.variants.map((r) => ({
      variant: r.name,
      ...(r.rank === undefined ? {} : { rank: r.rank }),
      cells: {
        capacity: r.capacity === null ? '—' : `${r.atLeast ? '≥ ' : ''}${r.capacity}/s`,
        bracket:
          r.bracket === null
            ? '—'
            : `[${r.bracket.low}/s, ${r.bracket.high === null ? '∞' : `${r.bracket.high}/s`})`,
        verdict: r.verdict,
      },
      verdict:
        r.failure !== undefined
          ? 'failed'
          : r.rank === 1
            ? doc.outcome === 'winner'
              ? 'winner'
              : 'tie'
            : r.capacity !== null
              ? 'holds'
              : r.verdict === 'never-held'
                ? 'misses'
                : 'inconclusive',
    })),
  };
}

function formatRanking(doc: CapacityRankingDocument): string {
  const lines = [`${doc.headline}`, ''];
  for (const r of doc.variants) {
    const rank = r.rank === undefined ? '  -' : `${String(r.rank).padStart(3)}`;
    const capacity = r.capacity === null ? r.verdict : `${r.atLeast ? '≥ ' : ''}${r.capacity}/s`;
    lines.push(`${rank}  ${r.name}: ${capacity}${r.failure === undefined ? '' : ` [${r.failure.code}]`}`);
  }
  return lines.join('\n') + '\n';
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path) || path;
  return rel.startsWith('..') ? path : rel;
}
