/**
 * Who the PostgreSQL binaries run as. `initdb` and `postgres` refuse to run as root
 * (docs/measured-facts.md), so under root they run as the unprivileged `postgres` account that Debian's
 * package creates; any other user runs them as itself.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { loadlabError } from '../../shared/index.js';

/** A uid/gid pair for `child_process.spawn`; undefined means "as the current user". */
export type RunAs = { uid: number; gid: number } | undefined;

/** The account tried when running as root. */
export const postgresAccount = 'postgres';

/**
 * The account to run the server as: undefined when not root, else `account` from `passwdText`
 * (the contents of /etc/passwd by default). Throws CHILD_FAILED when root has no such account.
 */
export function postgresRunAs(
  uid = userInfo().uid,
  passwdText: () => string = () => readFileSync('/etc/passwd', 'utf8'),
  account = postgresAccount,
): RunAs {
  if (uid !== 0) return undefined;
  let text: string;
  try {
    text = passwdText();
  } catch (error) {
    throw loadlabError(
      'CHILD_FAILED',
      `running as root, and /etc/passwd cannot be read to find the "${account}" user`,
      {
        cause: error,
      },
    );
  }
  for (const line of text.split('\n')) {
    const [name, , uidText, gidText] = line.split(':');
    if (name === account && uidText !== undefined && gidText !== undefined) {
      return { uid: Number(uidText), gid: Number(gidText) };
    }
  }
  throw loadlabError(
    'CHILD_FAILED',
    `initdb and postgres refuse to run as root, and there is no "${account}" user to run them as: ` +
      'install PostgreSQL with the system package manager (apt-get install postgresql creates it), or run loadlab as a normal user',
  );
}
