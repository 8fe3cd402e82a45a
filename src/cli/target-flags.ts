/**
 * The flags that say how to reach a `--target`: TLS (`--ca`, `--cert`, `--key`, `--insecure`) and
 * request headers (`--header "Name: value"`, repeatable; a `Host` header sets the Host the
 * requests name and the TLS server name). Every mistake is reported at once.
 */
import { accessSync, constants } from 'node:fs';
import type { Argv } from 'yargs';
import type { TargetTransport } from '../scenario/index.js';
import { loadlabError } from '../shared/index.js';

export interface TargetFlags {
  ca?: string;
  cert?: string;
  key?: string;
  insecure: boolean;
  header: string[];
}

/** Adds `--ca`, `--cert`, `--key`, `--insecure` and `--header`; `flag` names the target flag(s) in the help. */
export function targetFlagOptions<T>(y: Argv<T>, flag = '--target'): Argv<T & TargetFlags> {
  return y
    .option('header', {
      type: 'string',
      array: true,
      default: [],
      describe: `With ${flag}: add a header to every request, "Name: value" (repeatable); "Host: name" sets the Host (and TLS server name) the requests name`,
    })
    .option('ca', {
      type: 'string',
      describe: `With an https ${flag}: trust the authorities in this PEM file`,
    })
    .option('cert', {
      type: 'string',
      describe: `With an https ${flag}: present this client certificate (PEM; with --key)`,
    })
    .option('key', { type: 'string', describe: `With an https ${flag}: the client certificate's key (PEM)` })
    .option('insecure', {
      type: 'boolean',
      default: false,
      describe: `With an https ${flag}: do not verify the target's certificate (recorded in result.json; never for a measurement you publish)`,
    }) as Argv<T & TargetFlags>;
}

/** True when any of these flags was given. */
export function hasTargetFlags(flags: TargetFlags): boolean {
  return (
    flags.ca !== undefined ||
    flags.cert !== undefined ||
    flags.key !== undefined ||
    flags.insecure ||
    flags.header.length > 0
  );
}

/**
 * The transport these flags describe for `target` (a checked URL, or undefined when there is
 * none: then none of these flags may be given). Throws BAD_FLAG listing every problem.
 */
export function targetTransport(flags: TargetFlags, target: string | undefined): TargetTransport | undefined {
  const [transport] = targetTransports(flags, target === undefined ? [] : [target], '--target');
  return transport;
}

/**
 * The transport these flags describe for each of `targets` (checked URLs, named by `flag` in
 * messages, e.g. "--a-target or --b-target"): the headers and Host for every one, the TLS settings
 * for the https:// ones. The flags need a target, and TLS flags an https:// one among them.
 * Throws BAD_FLAG listing every problem.
 */
export function targetTransports(
  flags: TargetFlags,
  targets: readonly string[],
  flag: string,
): TargetTransport[] {
  const problems: string[] = [];
  if (targets.length === 0) {
    if (hasTargetFlags(flags)) {
      problems.push(
        `--ca, --cert, --key, --insecure and --header go with ${flag} (the reference service is plain HTTP)`,
      );
    }
    throwIf(problems);
    return [];
  }
  const headers: Record<string, string> = {};
  let host: string | undefined;
  for (const text of flags.header) {
    const colon = text.indexOf(':');
    const name = colon < 0 ? '' : text.slice(0, colon).trim();
    const value = colon < 0 ? '' : text.slice(colon + 1).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n]/.test(value)) {
      problems.push(
        `--header: expected "Name: value" (a token, a colon, a value on one line), got "${text}"`,
      );
    } else if (name.toLowerCase() === 'host') {
      if (value === '') problems.push('--header: expected a host name after "Host:", got nothing');
      else host = value;
    } else headers[name] = value;
  }
  const isHttps = (t: string) => t.startsWith('https:');
  const tlsFlags = (['ca', 'cert', 'key'] as const).filter((f) => flags[f] !== undefined);
  if (!targets.some(isHttps) && (tlsFlags.length > 0 || flags.insecure)) {
    const named = [...tlsFlags.map((f) => `--${f}`), ...(flags.insecure ? ['--insecure'] : [])].join(', ');
    problems.push(`${named}: TLS flags go with an https:// ${flag}, got "${targets.join('", "')}"`);
  }
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    problems.push('--cert and --key go together: a client certificate needs its key');
  }
  for (const f of tlsFlags) {
    const file = flags[f] as string;
    try {
      accessSync(file, constants.R_OK);
    } catch {
      problems.push(`--${f}: expected a readable PEM file, got "${file}" (not found or not readable)`);
    }
  }
  throwIf(problems);
  const tls = {
    ...(flags.ca === undefined ? {} : { caFile: flags.ca }),
    ...(flags.cert === undefined ? {} : { certFile: flags.cert }),
    ...(flags.key === undefined ? {} : { keyFile: flags.key }),
    ...(flags.insecure ? { insecure: true } : {}),
  };
  return targets.map((target) => ({
    ...(isHttps(target) && Object.keys(tls).length > 0 ? { tls } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(host === undefined ? {} : { host }),
  }));
}

/** The loud warning `--insecure` gets on stderr. */
export const insecureWarning =
  "WARNING: --insecure: the target's TLS certificate is NOT verified; anyone in the path could answer in its place. The result records it (connections.insecure).";

function throwIf(problems: string[]): void {
  if (problems.length === 1) throw loadlabError('BAD_FLAG', problems[0] as string);
  if (problems.length > 1) {
    throw loadlabError('BAD_FLAG', `${problems.length} problems with the target flags`, { problems });
  }
}
