/**
 * How the target flags become a transport (`--header`, `--ca`, `--cert`/`--key`, `--insecure`),
 * every mistake at once; and which `load.protocol` fits which target.
 */
import { describe, expect, it } from 'vitest';
import { checkTarget } from '../../src/cli/run-flags.js';
import { targetTransport, targetTransports, type TargetFlags } from '../../src/cli/target-flags.js';
import { runPlanProblems, scenarioSchema } from '../../src/scenario/index.js';

const none: TargetFlags = { insecure: false, header: [] };

describe('target flags', () => {
  it('take any http:// or https:// URL, remote hosts included, and refuse other schemes and credentials', () => {
    expect(checkTarget('https://staging.example.com/some/path')).toBe('https://staging.example.com');
    expect(checkTarget('http://10.1.2.3:8080')).toBe('http://10.1.2.3:8080');
    expect(() => checkTarget('ftp://x')).toThrow(/expected an http:\/\/ or https:\/\/ URL/);
    expect(() => checkTarget('https://u:secret@x')).toThrow(/without credentials/);
    expect(() => checkTarget('https://u:secret@x')).not.toThrow(/secret/);
  });

  it('turn headers into extra headers and a Host override, and TLS flags into TLS settings', () => {
    const flags = { ...none, header: ['Authorization: Bearer a:b', 'Host: api.example.com'], insecure: true };
    expect(targetTransport(flags, 'https://10.0.0.5')).toEqual({
      tls: { insecure: true },
      headers: { Authorization: 'Bearer a:b' },
      host: 'api.example.com',
    });
    expect(targetTransport(none, 'https://x')).toEqual({});
    expect(targetTransport(none, undefined)).toBeUndefined();
  });

  it("give several targets (ab's two variants) the headers and Host alike, TLS settings to the https:// ones", () => {
    const flags = { ...none, header: ['x-run: ab', 'Host: api.example.com'], insecure: true };
    expect(
      targetTransports(flags, ['http://10.0.0.4', 'https://10.0.0.5'], '--a-target or --b-target'),
    ).toEqual([
      { headers: { 'x-run': 'ab' }, host: 'api.example.com' },
      { tls: { insecure: true }, headers: { 'x-run': 'ab' }, host: 'api.example.com' },
    ]);
    expect(() => targetTransports(flags, ['http://a', 'http://b'], '--a-target or --b-target')).toThrow(
      /--insecure: TLS flags go with an https:\/\/ --a-target or --b-target, got "http:\/\/a", "http:\/\/b"/,
    );
    expect(() => targetTransports(flags, [], '--a-target or --b-target')).toThrow(
      /go with --a-target or --b-target/,
    );
  });

  it('report every mistake at once', () => {
    const flags = { ...none, header: ['nocolon', 'Bad Name: x'], cert: '/nonexistent/c.pem', insecure: true };
    let problems: readonly string[] = [];
    try {
      targetTransport(flags, 'http://127.0.0.1:1');
    } catch (error) {
      problems = (error as { problems: readonly string[] }).problems;
    }
    expect(problems).toEqual([
      '--header: expected "Name: value" (a token, a colon, a value on one line), got "nocolon"',
      '--header: expected "Name: value" (a token, a colon, a value on one line), got "Bad Name: x"',
      '--cert, --insecure: TLS flags go with an https:// --target, got "http://127.0.0.1:1"',
      '--cert and --key go together: a client certificate needs its key',
      '--cert: expected a readable PEM file, got "/nonexistent/c.pem" (not found or not readable)',
    ]);
    expect(() => targetTransport({ ...none, insecure: true }, undefined)).toThrow(/go with --target/);
  });
});

describe('load.protocol and the target', () => {
  const scenario = (protocol: string) =>
    scenarioSchema.parse({
      name: 'p',
      load: {
        model: 'closed',
        protocol,
        phases: [{ duration: 1, connections: 1 }],
        requests: [{ path: '/' }],
      },
    });

  it.each([
    ['h2', undefined, /reference service speaks HTTP\/1.1 only/],
    ['h2c', undefined, /reference service speaks HTTP\/1.1 only/],
    ['h2', 'http://127.0.0.1:1', /"h2" is HTTP\/2 over TLS and needs an https:\/\/ target/],
    ['h2c', 'https://127.0.0.1:1', /"h2c" is HTTP\/2 in cleartext and needs an http:\/\/ target/],
  ])('refuses %s against %s', (protocol, target, problem) => {
    expect(runPlanProblems(scenario(protocol), target === undefined ? {} : { target })).toEqual([
      expect.stringMatching(problem),
    ]);
  });

  it.each([
    ['h1', undefined],
    ['auto', undefined],
    ['auto', 'http://127.0.0.1:1'],
    ['h2', 'https://127.0.0.1:1'],
    ['h2c', 'http://127.0.0.1:1'],
  ])('lets %s run against %s', (protocol, target) => {
    expect(runPlanProblems(scenario(protocol), target === undefined ? {} : { target })).toEqual([]);
  });
});
