/**
 * The pure parts of the PostgreSQL store and the write API: the scenario's `dependencies.db`
 * (simulated by default, or postgres with url xor embedded), the store chosen by URL scheme,
 * finding the binaries, the account they run as under root, and the bounded memory of
 * Idempotency-Keys.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeKindOf } from '../../reference-service/src/adapters/store.js';
import { dbSpecSchema } from '../../src/deps/db-spec.js';
import { createIdempotencyKeys } from '../../src/deps/idempotency-keys.js';
import { locatePostgres } from '../../src/deps/postgres/index.js';
import { postgresRunAs } from '../../src/deps/postgres/run-as.js';

describe('dependencies.db', () => {
  it.each([
    ['left out: the simulated database', undefined, { capacity: 8, users: 100_000 }],
    ['simulated by default', { capacity: 3 }, { capacity: 3 }],
    ['kind simulated', { kind: 'simulated', capacity: 2 }, { kind: 'simulated', capacity: 2 }],
    [
      'embedded postgres',
      { kind: 'postgres', embedded: true },
      { kind: 'postgres', embedded: true, users: 100_000 },
    ],
    [
      'postgres by url',
      { kind: 'postgres', url: 'postgres://me@db.local:5433/app', users: 10 },
      { kind: 'postgres', url: 'postgres://me@db.local:5433/app', users: 10 },
    ],
  ])('accepts %s', (_name, input, expected) => {
    expect(dbSpecSchema.parse(input)).toMatchObject(expected);
  });

  it.each([
    [
      'an unknown kind',
      { kind: 'mysql' },
      ['kind: expected kind: simulated (the default) or kind: postgres'],
    ],
    ['postgres with neither url nor embedded', { kind: 'postgres' }, [': expected exactly one of url']],
    [
      'postgres with both',
      { kind: 'postgres', embedded: true, url: 'postgres://a@b/c' },
      [': expected exactly one of url'],
    ],
    [
      'a url that is not postgres://',
      { kind: 'postgres', url: 'http://x' },
      ['url: expected a URL such as postgres://'],
    ],
    [
      'a simulator knob on postgres',
      { kind: 'postgres', embedded: true, capacity: 3 },
      [': Unrecognized key: "capacity"'],
    ],
  ])('refuses %s, saying where and what', (_name, input, problems) => {
    const result = dbSpecSchema.safeParse(input);
    expect(result.success).toBe(false);
    const found = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
    for (const problem of problems) expect(found.some((line) => line.startsWith(problem))).toBe(true);
  });
});

describe('the store a URL selects', () => {
  it.each([
    ['http://127.0.0.1:4000', 'simulated'],
    ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres'],
    ['postgresql://u:p@db/app', 'postgres'],
  ])('%s → %s', (url, kind) => {
    expect(storeKindOf(url)).toBe(kind);
  });
});

describe('finding the PostgreSQL binaries', () => {
  const root = mkdtempSync(join(tmpdir(), 'loadlab-find-pg-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const install = (dir: string): void => {
    mkdirSync(dir, { recursive: true });
    for (const name of ['initdb', 'postgres']) {
      writeFileSync(join(dir, name), '#!/bin/sh\n');
      chmodSync(join(dir, name), 0o755);
    }
  };

  it('prefers the newest Debian major version, and the PATH over both', () => {
    install(join(root, 'debian', '13', 'bin'));
    install(join(root, 'debian', '15', 'bin'));
    mkdirSync(join(root, 'debian', 'not-a-version'));
    expect(locatePostgres(undefined, join(root, 'debian'))?.initdb).toBe(
      join(root, 'debian', '15', 'bin', 'initdb'),
    );
    install(join(root, 'path-bin'));
    expect(locatePostgres(join(root, 'path-bin'), join(root, 'debian'))?.postgres).toBe(
      join(root, 'path-bin', 'postgres'),
    );
  });

  it('finds nothing where there is nothing, or only one of the two binaries', () => {
    const half = join(root, 'half');
    mkdirSync(half);
    writeFileSync(join(half, 'initdb'), '#!/bin/sh\n');
    chmodSync(join(half, 'initdb'), 0o755);
    expect(locatePostgres(half, join(root, 'absent'))).toBeUndefined();
  });
});

describe('the account the binaries run as', () => {
  const passwd = 'root:x:0:0::/root:/bin/bash\npostgres:x:101:104::/var/lib/postgresql:/bin/bash\n';
  it('is the current user when not root', () => {
    expect(postgresRunAs(1000, () => passwd)).toBeUndefined();
  });
  it('is the postgres account under root', () => {
    expect(postgresRunAs(0, () => passwd)).toEqual({ uid: 101, gid: 104 });
  });
  it('is an error naming what to install when root has no postgres account', () => {
    expect(() => postgresRunAs(0, () => 'root:x:0:0::/root:/bin/bash\n')).toThrow(
      expect.objectContaining({
        code: 'CHILD_FAILED',
        message: expect.stringContaining('apt-get install postgresql'),
      }),
    );
  });
});

describe('the memory of Idempotency-Keys', () => {
  const record = (n: number) => ({ request: `r${n}`, answer: n });

  it('remembers a key for ttlMs, then forgets it', () => {
    let now = 0;
    const keys = createIdempotencyKeys<number>({ ttlMs: 1000, maxKeys: 10, now: () => now });
    keys.set('a', record(1));
    now = 999;
    expect(keys.get('a')).toEqual(record(1));
    now = 1000;
    expect(keys.get('a')).toBeUndefined();
    expect(keys.size()).toBe(0);
  });

  it('holds at most maxKeys, forgetting the oldest first', () => {
    let now = 0;
    const keys = createIdempotencyKeys<number>({ ttlMs: 60_000, maxKeys: 3, now: () => now });
    for (const n of [1, 2, 3, 4]) {
      now = n;
      keys.set(`k${n}`, record(n));
    }
    expect(keys.size()).toBe(3);
    expect(keys.get('k1')).toBeUndefined();
    expect(keys.get('k4')).toEqual(record(4));
  });
});
