// What the reference service's one-second telemetry (in-process sampler + one IPC message a
// second) costs a saturated service, as a SIMULTANEOUS A/B (docs/measured-facts.md): two service processes
// pinned to core 0, each driven by its own autocannon pinned to core 1, compared within the same
// round; a control pair (telemetry off vs off) in alternate rounds shows the noise floor.
//
//   core 0: service ON  + service OFF-1  (A/B round)    | service OFF-2 + service OFF-3 (control round)
//   core 1: autocannon → ON, autocannon → OFF-1        | autocannon → OFF-2, autocannon → OFF-3
//
// Four services, each driven once per round, so all see the same traffic and warm-up.
//
// Run (after npm run build): node bench/telemetry-overhead.mjs [rounds=6] [seconds=8] [connections=16]
// Writes bench/results/telemetry-overhead.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioSchema } from '../dist/src/scenario/schema.js';
import prettier from 'prettier';
import { environment } from './lib/targets.mjs';

const rounds = Number(process.argv[2] ?? 6);
const seconds = Number(process.argv[3] ?? 8);
const connections = Number(process.argv[4] ?? 16);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const autocannonBin = join(dirname(createRequire(import.meta.url).resolve('autocannon')), 'autocannon.js');
const scenario = scenarioSchema.parse({
  name: 'bench',
  load: { model: 'closed', phases: [{ name: 'x', duration: 1, connections: 1 }], requests: [{ path: '/' }] },
});

/** Starts a child with an IPC channel (pinned to `cpu` when given); resolves on its ready message. */
async function startChild(name, entry, env, cpu) {
  const args = [entry];
  const child =
    cpu === undefined
      ? spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
      : spawn('taskset', ['-c', String(cpu), process.execPath, ...args], {
          env,
          stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        });
  let telemetry = 0;
  const ready = new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m?.type === 'ready') resolve(m.url);
      if (m?.type === 'telemetry') telemetry++;
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code})`)));
  });
  const url = await ready;
  return {
    name,
    url,
    get telemetry() {
      return telemetry;
    },
    async close() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/** autocannon pinned to core 1 for `durationS`; resolves with responses per second. */
async function drive(url, durationS) {
  const child = spawn(
    'taskset',
    [
      '-c',
      '1',
      process.execPath,
      autocannonBin,
      '-c',
      String(connections),
      '-d',
      String(durationS),
      '-j',
      `${url}/users/42`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  await once(child, 'exit');
  const r = JSON.parse(out);
  return { rps: r.requests.total / durationS, non2xx: r.non2xx, errors: r.errors };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const env = await environment();
const loadBefore = os.loadavg();
console.log(`# telemetry overhead: ${rounds} rounds x ${seconds}s, ${connections} connections per generator`);
console.log(env);

const db = await startChild('db', join(root, 'dist/src/deps/db-main.js'), {
  ...process.env,
  LOADLAB_DB_CONFIG: JSON.stringify({ spec: scenario.dependencies.db, seed: 1, host: '127.0.0.1', port: 0 }),
});
const serviceEnv = (telemetry) => ({
  ...process.env,
  LOADLAB_TELEMETRY: telemetry ? 'on' : 'off',
  LOADLAB_SERVICE_CONFIG: JSON.stringify({
    host: '127.0.0.1',
    port: 0,
    dbUrl: db.url,
    knobs: scenario.service,
  }),
});
const service = join(root, 'dist/reference-service/src/main.js');
const on = await startChild('on', service, serviceEnv(true), 0);
const off1 = await startChild('off-1', service, serviceEnv(false), 0);
const off2 = await startChild('off-2', service, serviceEnv(false), 0);
const off3 = await startChild('off-3', service, serviceEnv(false), 0);
const all = [on, off1, off2, off3];

try {
  // Warm every service with the same traffic (JIT, cache), two at a time as measured.
  await Promise.all([drive(on.url, 3), drive(off1.url, 3)]);
  await Promise.all([drive(off2.url, 3), drive(off3.url, 3)]);

  const ab = [];
  const control = [];
  const rows = [];
  for (let i = 0; i < rounds; i++) {
    // Which generator starts first alternates, so a head start cancels out over the rounds.
    const flip = i % 2 === 1;
    const pair = async (x, y) => {
      const [rx, ry] = flip
        ? (await Promise.all([drive(y.url, seconds), drive(x.url, seconds)])).reverse()
        : await Promise.all([drive(x.url, seconds), drive(y.url, seconds)]);
      return [rx, ry];
    };
    const [a, b] = await pair(on, off1);
    ab.push(a.rps / b.rps);
    rows.push(
      `| ${i + 1} | A/B | on ${a.rps.toFixed(0)} | off-1 ${b.rps.toFixed(0)} | ${((a.rps / b.rps - 1) * 100).toFixed(2)}% |`,
    );
    const [c, d] = await pair(off2, off3);
    control.push(c.rps / d.rps);
    rows.push(
      `| ${i + 1} | control | off-2 ${c.rps.toFixed(0)} | off-3 ${d.rps.toFixed(0)} | ${((c.rps / d.rps - 1) * 100).toFixed(2)}% |`,
    );
    console.log(rows.at(-2));
    console.log(rows.at(-1));
  }
  const cost = (1 - median(ab)) * 100;
  const controlSpread = control.map((r) => (r - 1) * 100);
  const loadAfter = os.loadavg();
  const md = `# Telemetry overhead on the reference service

Simultaneous A/B (docs/measured-facts.md): services pinned to core 0, one autocannon per service pinned to
core 1, \`GET /users/42\` (a cache hit), ${connections} connections each, ${rounds} rounds of ${seconds} s.
"on" runs the in-process sampler (monitorEventLoopDelay, ELU, memoryUsage, cpuUsage, registry reads)
and sends one IPC message a second (it sent ${on.telemetry} during the run); "off" sets
\`LOADLAB_TELEMETRY=off\`. Control rounds compare two identical "off" services.

- Node ${env.node}, ${env.cpu}, ${env.os}, commit ${env.commit}
- load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}
  (other engineers' tests were running on the same 2 cores)

| round | pair | first | second | first vs second |
|---|---|---|---|---|
${rows.join('\n')}

**Telemetry cost: ${cost.toFixed(2)}%** of max throughput (1 − median on/off ratio; target < 2%).
Control pair (off vs off): median ${((median(control) - 1) * 100).toFixed(2)}%, range
${Math.min(...controlSpread).toFixed(2)}% to ${Math.max(...controlSpread).toFixed(2)}%. A cost inside the control's range is
indistinguishable from noise.

Reproduce: \`npm run build && node bench/telemetry-overhead.mjs ${rounds} ${seconds} ${connections}\`
`;
  // Formatted as the repository's prettier check expects.
  writeFileSync(
    join(root, 'bench/results/telemetry-overhead.md'),
    await prettier.format(md, { parser: 'markdown' }),
  );
  console.log(md);
} finally {
  for (const s of all) await s.close();
  await db.close();
}
