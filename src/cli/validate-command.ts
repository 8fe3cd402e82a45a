/** `loadlab validate <scenario>`: check a scenario and print the resolved plan; start nothing. */
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { loadInputProblems } from '../load/index.js';
import { describePlan, loadScenario, planRun } from '../scenario/index.js';
import { note, printError } from './output.js';
import { commandEntry } from './command-table.js';

interface ValidateArgs {
  scenario: string;
  set: string[];
  matrix: string[];
  json: boolean;
}

export function registerValidate(yargs: Argv): Argv {
  return yargs.command<ValidateArgs>(
    commandEntry('validate').usage,
    commandEntry('validate').summary,
    (y) =>
      y
        .strict()
        .positional('scenario', {
          type: 'string',
          demandOption: true,
          describe: 'Scenario file (YAML or JSON)',
        })
        .option('set', {
          type: 'string',
          array: true,
          default: [],
          describe: 'Override a field: --set path=value',
        })
        .option('matrix', {
          type: 'string',
          array: true,
          default: [],
          describe: 'A matrix axis, as `loadlab sweep` takes it: --matrix path=v1,v2 (repeatable)',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe:
            'Print the run plan as JSON: the resolved scenario, target, load plan, requests, seed and timeouts',
        }),
    async (args) => {
      try {
        const { scenario } = await loadScenario(args.scenario, {
          sets: args.set,
          // CSV value generators read their file relative to the scenario, as `loadlab run` does.
          extraChecks: (input) => loadInputProblems(input, { baseDir: dirname(resolve(args.scenario)) }),
        });
        // The plan `loadlab run` would hand the lab (against the reference service).
        const plan = planRun(scenario, { scenarioDir: dirname(resolve(args.scenario)) });
        // A matrix is checked as `loadlab sweep` checks it: every variant, every mistake at once.
        // Loaded only then: the sweep's modules bring in the lab, which plain `validate` does without.
        let variants: { dir: string }[] = [];
        let cap = Infinity;
        if (scenario.matrix !== undefined || args.matrix.length > 0) {
          const { planVariants, maxVariantsWithoutYes } = await import('./sweep-matrix.js');
          cap = maxVariantsWithoutYes;
          variants = await planVariants(scenario, args.matrix, true, async (extra) => {
            const { scenario: variant } = await loadScenario(args.scenario, {
              sets: [...args.set, ...extra],
              extraChecks: (input) => loadInputProblems(input, { baseDir: dirname(resolve(args.scenario)) }),
            });
            return planRun(variant, { scenarioDir: dirname(resolve(args.scenario)) });
          });
        }
        process.stdout.write(
          args.json ? JSON.stringify(plan, null, 2) + '\n' : describePlan(plan.load, scenario) + '\n',
        );
        if (variants.length > 0 && !args.json) {
          const mode = scenario.matrixMode ?? 'product';
          const lines = variants.map((v) => `  ${v.dir}`);
          process.stdout.write(
            `matrix (${mode}): ${variants.length} variants, each checked\n${lines.join('\n')}\n`,
          );
        }
        if (variants.length > cap) {
          note(
            `note: ${variants.length} variants is more than ${cap}: \`loadlab sweep\` needs --yes to run them all`,
          );
        }
        process.exitCode = 0;
      } catch (error) {
        process.exitCode = printError(error);
      }
    },
  );
}
