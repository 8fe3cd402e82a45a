/** `loadlab validate <scenario>`: check a scenario and print the resolved plan; start nothing. */
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { requestTemplateProblems } from '../load/index.js';
import { describePlan, loadScenario, planRun } from '../scenario/index.js';
import { printError } from './output.js';
import { commandEntry } from './command-table.js';

interface ValidateArgs {
  scenario: string;
  set: string[];
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
          extraChecks: (input) =>
            requestTemplateProblems(input, { baseDir: dirname(resolve(args.scenario)) }),
        });
        // The plan `loadlab run` would hand the lab (against the reference service).
        const plan = planRun(scenario, { scenarioDir: dirname(resolve(args.scenario)) });
        process.stdout.write(
          args.json ? JSON.stringify(plan, null, 2) + '\n' : describePlan(plan.load, scenario) + '\n',
        );
        process.exitCode = 0;
      } catch (error) {
        process.exitCode = printError(error);
      }
    },
  );
}
