#!/usr/bin/env node
/** The loadlab command line: parsing only; each command lives in its own file. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadlabError } from '../shared/index.js';
import { loadlabVersion } from './environment.js';
import { checkFlagValues, joinNegativeValues } from './flag-checks.js';
import { printError } from './output.js';
import { commandTable } from './command-table.js';

const epilog = `Exit codes: 0 done and every SLO held; 1 an SLO or a threshold failed; 2 invalid input; 3 the run could not be carried out; 4 a comparison was inconclusive; 130 interrupted.
Docs: README.md`;

const args = joinNegativeValues(hideBin(process.argv));
let cli = yargs(args)
  .scriptName('loadlab')
  .usage('$0 <command> [options]')
  .version(loadlabVersion())
  .strict()
  .demandCommand(1, `Name a command: ${commandTable.map((c) => c.name).join(', ')}.`)
  .recommendCommands()
  .epilog(epilog)
  .wrap(Math.min(110, process.stdout.columns ?? 110))
  .middleware(checkFlagValues(args))
  .fail((message, error) => {
    // Throwing stops yargs here: no further checks, and no command handler runs.
    throw error ?? loadlabError('BAD_FLAG', message);
  });
// Only the command being run is loaded; the rest are listed from the table (see command-table.ts).
const requested = args.find((arg) => !arg.startsWith('-'));
try {
  for (const entry of commandTable) {
    cli = entry.name === requested ? (await entry.load())(cli) : cli.command(entry.usage, entry.summary);
  }
  await cli.parseAsync();
} catch (error) {
  process.exitCode = printError(error);
}
