/**
 * Every command's usage and one-line summary, with a loader for its module. The command line
 * loads only the module of the command it runs (each pulls in the lab, the report or the
 * statistics it needs); the others are listed from this table alone, so `loadlab --help` and
 * `loadlab validate` start without loading the lab.
 */
import type { Argv } from 'yargs';

export interface CommandEntry {
  /** The word that selects the command. */
  name: string;
  /** yargs usage: the name and its positionals. */
  usage: string;
  /** One line for the command list. */
  summary: string;
  /** Imports the command's module and returns its register function. */
  load: () => Promise<(yargs: Argv) => Argv>;
}

export const commandTable: readonly CommandEntry[] = [
  {
    name: 'run',
    usage: 'run <scenario>',
    summary: 'Run a scenario: boot the reference service (or use --target), drive load, write the report',
    load: async () => (await import('./run-command.js')).registerRun,
  },
  {
    name: 'validate',
    usage: 'validate <scenario>',
    summary: 'Check a scenario file and print the resolved plan (phases over time); starts nothing',
    load: async () => (await import('./validate-command.js')).registerValidate,
  },
  {
    name: 'serve',
    usage: 'serve',
    summary:
      'Run the reference service, its dependencies and the fault proxy until Ctrl-C (exit 130; SIGTERM exits 0); prints the URL once ready',
    load: async () => (await import('./serve-command.js')).registerServe,
  },
  {
    name: 'report',
    usage: 'report <result>',
    summary: 'Rebuild index.html from a result.json',
    load: async () => (await import('./report-command.js')).registerReport,
  },
  {
    name: 'proxy',
    usage: 'proxy',
    summary:
      'Run the fault proxy alone (Toxiproxy-compatible admin API) until Ctrl-C (exit 130; SIGTERM exits 0); prints the admin URL',
    load: async () => (await import('./proxy-command.js')).registerProxy,
  },
  {
    name: 'compare',
    usage: 'compare <a> <b>',
    summary:
      'Compare two results or folders of repeated runs: change per metric with a 95% interval and a verdict',
    load: async () => (await import('./compare-command.js')).registerCompare,
  },
  {
    name: 'ab',
    usage: 'ab <scenario>',
    summary:
      'Run two variants of a scenario (at the same time, or interleaved; overrides or --a-target/--b-target URLs, TLS flags as run) and compare them with confidence intervals',
    load: async () => (await import('./ab-command.js')).registerAb,
  },
  {
    name: 'capacity',
    usage: 'capacity <scenario>',
    summary:
      'Find the highest arrival rate at which every SLO holds: grow, then bisect, one steady step at a time',
    load: async () => (await import('./capacity-command.js')).registerCapacity,
  },
  {
    name: 'sweep',
    usage: 'sweep <scenario>',
    summary:
      "Run every variant of a scenario's matrix (repeated, interleaved) and pick the winner under the SLO",
    load: async () => (await import('./sweep-command.js')).registerSweep,
  },
  {
    name: 'merge',
    usage: 'merge <dirs..>',
    summary:
      'Merge the shards of one run (folders of `loadlab run --shard i/n`) into one run folder, exactly',
    load: async () => (await import('./merge-command.js')).registerMerge,
  },
  {
    name: 'k8s',
    usage: 'k8s',
    summary:
      'Kubernetes: write the manifests of a run in N shards (an Indexed Job), or collect and merge its results',
    load: async () => (await import('./k8s-command.js')).registerK8s,
  },
];

/** The table's entry for `name`; throws on a name the table lacks (a programming error). */
export function commandEntry(name: string): CommandEntry {
  const entry = commandTable.find((c) => c.name === name);
  if (entry === undefined) throw new Error(`no command named ${name} in the command table`);
  return entry;
}
