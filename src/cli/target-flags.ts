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

/** Adds `--ca`, `--cert`, `--key`, `--insecure` and `--header`. */
export function targetFlagOptions<T>(y: Argv<T>): Argv<T & TargetFlags> {
  return y
    .option('header', {
      type: 'string',
      array: true,
      default: [],
      describe:
        'With --target: add a header to every request, "Name: value" (repeatable); "Host: name" sets the Host (and TLS server name) the requests name',
    })
    .option('ca', {
      type: 'string',
      describe: 'With an https --target: trust the authorities in this PEM file',
    })
    .option('cert', {
      type: 'string',
      describe: 'With an https --target: present this client certificate (PEM; with --key)',
    })
    .option('key', { type: 'string', describe: "With an https --target: the client certificate's key (PEM)" })
    .option('insecure', {
      type: 'boolean',
      default: false,
      describe:
        "With an https --target: do not verify the target's certificate (recorded in result.json; never for a measurement you publish)",
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
  const problems: string[] = [];
  if (target === undefined) {
    if (hasTargetFlags(flags)) {
      problems.push(
        '--ca, --cert, --key, --insecure and --header go with --target (the reference service is plain HTTP)',
      );
    }
    throwIf(problems);
    return undefined;
  }
  const https = target.startsWith('https:');
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
  const tlsFlags = (['ca', 'cert', 'key'] as const).filter((f) => flags[f] !== undefined);
  if (!https && (tlsFlags.length > 0 || flags.insecure)) {
    const named = [...tlsFlags.map((f) => `--${f}`), ...(flags.insecure ? ['--insecure'] : [])].join(', ');
    problems.push(`${named}: TLS flags go with an https:// --target, got "${target}"`);
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
  return {
    ...(https && Object.keys(tls).length > 0 ? { tls } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(host === undefined ? {} : { host }),
  };
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
