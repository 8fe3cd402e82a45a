/**
 * A sweep's folder on disk, and what a resumed sweep reads back from it:
 *
 *   <out>/sweep-plan.json         the variants, repeats, seed and a fingerprint of every variant's plan
 *   <out>/<k>-<settings>/run-<r>/ each run's normal output (result.json, index.html, latency.hlog)
 *   <out>/<k>-<settings>/failure.json   when the variant failed: which repeat, code and message
 *   <out>/sweep.json, overlay.json, sweep.html
 *
 * A run is done when its result.json reads as a whole result that was neither interrupted nor
 * failed; anything else is run again on --resume.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SweepVariantRuns } from '../analysis/index.js';
import type { PlannedVariant } from '../experiments/index.js';
import {
  checkOutputFolder,
  ensureFolder,
  readResult,
  writeFileAtomically,
  type ResultDocument,
} from '../results/index.js';
import type { LabPlan } from '../scenario/index.js';
import { loadlabError } from '../shared/index.js';

const planSchemaId = 'loadlab/sweep-plan@1';

/** What `sweep-plan.json` records: enough to check that a resumed sweep is the same sweep. */
export interface SweepPlanRecord {
  schema: typeof planSchemaId;
  scenario: string;
  startedAt: string;
  repeats: number;
  seed: number;
  variants: Array<{
    index: number;
    name: string;
    dir: string;
    settings: Record<string, unknown>;
    fingerprint: string;
  }>;
}

export const sweepPlanFile = 'sweep-plan.json';

/** The record of a sweep about to start. */
export function planRecord(
  scenario: string,
  variants: readonly PlannedVariant<LabPlan>[],
  repeats: number,
  seed: number,
  startedAt: string,
): SweepPlanRecord {
  return {
    schema: planSchemaId,
    scenario,
    startedAt,
    repeats,
    seed,
    variants: variants.map((v) => ({
      index: v.index,
      name: v.name,
      dir: v.dir,
      settings: v.values,
      fingerprint: fingerprint(v.plan),
    })),
  };
}

/** A digest of what a variant's runs depend on: the resolved scenario, the target and the timeouts. */
function fingerprint(plan: LabPlan): string {
  const { scenario, target, load, timeouts, seed } = plan;
  return createHash('sha256')
    .update(JSON.stringify({ scenario, target, totalMs: load.totalMs, timeouts, seed }))
    .digest('hex')
    .slice(0, 16);
}

export async function writePlanRecord(dir: string, record: SweepPlanRecord): Promise<void> {
  await writeFileAtomically(join(dir, sweepPlanFile), JSON.stringify(record, null, 2) + '\n');
}

/** The record in `dir`, or undefined when there is none. */
export async function readPlanRecord(dir: string): Promise<SweepPlanRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, sweepPlanFile), 'utf8');
  } catch {
    return undefined; // no record: not a sweep folder (the caller says so)
  }
  try {
    const record = JSON.parse(text) as SweepPlanRecord;
    if (record.schema === planSchemaId && Array.isArray(record.variants)) return record;
  } catch {
    // unreadable: reported below as not a sweep's record
  }
  throw loadlabError('RESUME_MISMATCH', `${join(dir, sweepPlanFile)} is not a sweep plan record`, {
    problems: [`${join(dir, sweepPlanFile)}: expected JSON of schema ${planSchemaId}`],
  });
}

/** Every way `now` (the sweep as planned today) differs from `was` (the folder's record). */
export function resumeProblems(was: SweepPlanRecord, now: SweepPlanRecord): string[] {
  const problems: string[] = [];
  if (was.scenario !== now.scenario)
    problems.push(`scenario: the folder holds "${was.scenario}", not "${now.scenario}"`);
  if (was.repeats !== now.repeats)
    problems.push(`--repeat: the folder's sweep has ${was.repeats}, not ${now.repeats}`);
  if (was.seed !== now.seed)
    problems.push(`--seed: the folder's sweep was ordered with seed ${was.seed}, not ${now.seed}`);
  if (was.variants.length !== now.variants.length) {
    problems.push(
      `matrix: the folder's sweep has ${was.variants.length} variants, not ${now.variants.length}`,
    );
  }
  for (const v of now.variants) {
    const old = was.variants.find((w) => w.index === v.index);
    if (old === undefined) continue;
    if (old.name !== v.name) problems.push(`variant ${v.index}: the folder's is ${old.name}, not ${v.name}`);
    else if (old.fingerprint !== v.fingerprint) {
      problems.push(
        `variant ${v.index} (${v.name}): its resolved scenario, target or duration differs from the folder's`,
      );
    }
  }
  return problems;
}

export interface VariantFailure {
  code: string;
  message: string;
  repeat: number;
}

const failureFile = 'failure.json';

export async function writeFailure(dir: string, failure: VariantFailure): Promise<void> {
  await ensureFolder(dir);
  await writeFileAtomically(join(dir, failureFile), JSON.stringify(failure, null, 2) + '\n');
}

/** Each variant's whole runs and failure as the folder holds them. */
export async function readSweepFolder(
  dir: string,
  record: SweepPlanRecord,
): Promise<{ variants: SweepVariantRuns[]; results: Map<number, ResultDocument[]> }> {
  const variants: SweepVariantRuns[] = [];
  const results = new Map<number, ResultDocument[]>();
  for (const v of record.variants) {
    const runs: string[] = [];
    const docs: ResultDocument[] = [];
    for (let r = 1; r <= record.repeats; r++) {
      const run = `${v.dir}/run-${r}`;
      const doc = await wholeResult(join(dir, run));
      if (doc === undefined) continue;
      runs.push(run);
      docs.push(doc);
    }
    const failure = await readFailure(join(dir, v.dir));
    results.set(v.index, docs);
    variants.push({
      index: v.index,
      name: v.name,
      dir: v.dir,
      settings: v.settings,
      results: docs,
      runs,
      ...(failure === undefined ? {} : { failure }),
    });
  }
  return { variants, results };
}

/** The run's result when it is whole, neither interrupted nor failed; undefined otherwise. */
async function wholeResult(runDir: string): Promise<ResultDocument | undefined> {
  try {
    const doc = await readResult(join(runDir, 'result.json'));
    return doc.interrupted || doc.failure !== undefined ? undefined : doc;
  } catch {
    return undefined; // missing or half-written: the run is not done
  }
}

async function readFailure(variantDir: string): Promise<VariantFailure | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(variantDir, failureFile), 'utf8')) as VariantFailure;
    return typeof parsed.message === 'string' ? parsed : undefined;
  } catch {
    return undefined; // no failure recorded
  }
}

/** A new sweep's folder (refusing one that holds a sweep), or a resumed one's (refusing a different sweep). */
export async function startFolder(
  dir: string,
  record: SweepPlanRecord,
  resume: boolean,
): Promise<SweepPlanRecord> {
  const existing = existsSync(dir) ? await readPlanRecord(dir) : undefined;
  if (resume) {
    if (existing === undefined) {
      throw loadlabError('RESUME_MISMATCH', `--resume ${dir}: the folder holds no sweep`, {
        problems: [`${dir}: no sweep-plan.json; start the sweep without --resume`],
      });
    }
    const problems = resumeProblems(existing, record);
    if (problems.length > 0) {
      throw loadlabError('RESUME_MISMATCH', `--resume ${dir}: the folder holds a different sweep`, {
        problems,
      });
    }
    return existing;
  }
  if (existing !== undefined) {
    throw loadlabError(
      'BAD_FLAG',
      `--out ${dir} already holds a sweep: carry it on with --resume ${dir}, or choose another folder`,
    );
  }
  await checkOutputFolder(dir);
  await writePlanRecord(dir, record);
  return record;
}
