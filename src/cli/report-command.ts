/** `loadlab report <result.json>`: rebuild the HTML report from a result document. */
import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { renderReportHtml, formatSummary } from '../report/index.js';
import { readResult, writeFileAtomically } from '../results/index.js';
import { printError } from './output.js';
import { commandEntry } from './command-table.js';

interface ReportArgs {
  result: string;
  out?: string;
}

export function registerReport(yargs: Argv): Argv {
  return yargs.command<ReportArgs>(
    commandEntry('report').usage,
    commandEntry('report').summary,
    (y) =>
      y
        .strict()
        .positional('result', {
          type: 'string',
          demandOption: true,
          describe: 'A result.json written by loadlab run',
        })
        .option('out', {
          type: 'string',
          describe: 'HTML file to write (default index.html beside the result)',
        }),
    async (args) => {
      try {
        const result = await readResult(args.result);
        const out = resolve(args.out ?? join(dirname(args.result), 'index.html'));
        await writeFileAtomically(out, renderReportHtml(result));
        process.stdout.write(formatSummary(result, { color: process.stdout.isTTY === true }) + '\n');
        process.stdout.write(`report: ${out}\n`);
        process.exitCode = 0;
      } catch (error) {
        process.exitCode = printError(error);
      }
    },
  );
}
