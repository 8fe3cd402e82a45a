#!/usr/bin/env node
/** The loadlab command line: parsing only; each command lives in its own file. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadlabError } from '../shared/index.js';
import { loadlabVersion } from './environment.js';
import { checkFlagValues, joinNegativeValues } from './flag-checks.js';
import { printError } from './output.js';
import { registerAb } from './ab-command.js';
import { registerCompare } from './compare-command.js';
import { registerProxy } from './proxy-command.js';
import { registerReport } from './report-command.js';
import { registerRun } from './run-command.js';
import { registerServe } from './serve-command.js';
import { registerSweep } from './sweep-command.js';
import { registerValidate } from './validate-command.js';

const epilog = `Exit codes: 0 done and every SLO held; 1 an SLO or a threshold failed; 2 invalid input; 3 the run could not be carried out; 4 a comparison was inconclusive; 130 interrupted.
Docs: README.md`;

const args = joinNegativeValues(hideBin(process.argv));
let cli = yargs(args)
  .scriptName('loadlab')
  .usage('$0 <command> [options]')
  .version(loadlabVersion())
  .strict()
  .demandCommand(1, 'Name a command: run, validate, compare, ab, sweep, serve, proxy or report.')
  .recommendCommands()
  .epilog(epilog)
  .wrap(Math.min(110, process.stdout.columns ?? 110))
  .middleware(checkFlagValues(args))
  .fail((message, error) => {
    // Throwing stops yargs here: no further checks, and no command handler runs.
    throw error ?? loadlabError('BAD_FLAG', message);
  });
for (const register of [registerRun, registerValidate, registerServe, registerReport, registerProxy]) {
  cli = register(cli);
}
cli = registerCompare(cli);
cli = registerAb(cli);
cli = registerSweep(cli);

try {
  await cli.parseAsync();
} catch (error) {
  process.exitCode = printError(error);
}
