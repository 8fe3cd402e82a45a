// The ceiling for the reference service's cache-hit path: a bare fastify app (no logger, one route
// `GET /users/:id` returning a fixed small JSON object) against a bare `node:http` server returning
// the same body, with the method of bench/service-overhead.mjs: both servers pinned to core 0 at
// once, each driven by its own `wrk -t1 -c16` pinned to core 1, each counting its own answers over
// the same inner window (1 s after the start to 1 s before the end); ratio per round, median.
//
// Run (wrk and taskset on the PATH):
//   node bench/fastify-ceiling.mjs [variant=async] [rounds=5] [seconds=8]
// variants: async (async handler returning the object), sync (reply.send in a plain handler),
//   schema (a response schema: fast-json-stringify), string (a JSON string sent as is),
//   hooks (async handler + one empty onRequest, onSend and onResponse hook each)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { createRequire } from 'node:module';

const variant = process.argv[2] ?? 'async';
const rounds = Number(process.argv[3] ?? 5);
const seconds = Number(process.argv[4] ?? 8);
const fastifyPath = createRequire(import.meta.url).resolve('fastify');
const body = JSON.stringify({ id: 1, name: 'Ada', email: 'ada@example.test' });

const serve = (setup) => `
let count = 0;
${setup}
process.on('message', () => process.send({ count }));
process.on('disconnect', () => process.exit(0));
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ url: 'http://127.0.0.1:' + server.address().port }));`;

const bare = serve(`
const body = Buffer.from(process.env.BODY);
const server = require('node:http').createServer((req, res) => {
  count++;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});`);

const fastifyApp = serve(`
const app = require(${JSON.stringify(fastifyPath)})({ logger: false });
const user = JSON.parse(process.env.BODY);
const schema = { response: { 200: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, email: { type: 'string' } } } } };
const variant = process.env.VARIANT;
if (variant === 'hooks') {
  app.addHook('onRequest', (q, r, d) => d());
  app.addHook('onSend', (q, r, p, d) => d(null, p));
  app.addHook('onResponse', (q, r, d) => d());
}
if (variant === 'async' || variant === 'hooks') app.get('/users/:id', async () => { count++; return user; });
if (variant === 'sync') app.get('/users/:id', (q, reply) => { count++; reply.send(user); });
if (variant === 'schema') app.get('/users/:id', { schema }, (q, reply) => { count++; reply.send(user); });
if (variant === 'string') app.get('/users/:id', (q, reply) => { count++; reply.type('application/json; charset=utf-8').send(JSON.stringify(user)); });
// fastify's own listen (it boots the app first), behind the same calls as the bare server's.
const server = {
  listen: (port, host, cb) => app.listen({ port, host }).then(() => { app.server.keepAliveTimeout = 60000; cb(); }),
  address: () => app.server.address(),
};`);

async function start(script) {
  const child = spawn('taskset', ['-c', '0', process.execPath, '-e', script], {
    env: { ...process.env, BODY: body, VARIANT: variant },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = await once(child, 'message');
  return {
    child,
    url: message.url,
    async count() {
      const reply = once(child, 'message');
      child.send('count');
      return (await reply)[0].count;
    },
  };
}

const wrk = (url, s) =>
  once(
    spawn('taskset', ['-c', '1', 'wrk', '-t1', '-c16', `-d${s}s`, `${url}/users/1`], { stdio: 'ignore' }),
    'exit',
  );
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function duet(a, b, s) {
  const runs = Promise.all([wrk(a.url, s), wrk(b.url, s)]);
  await sleep(1000);
  const [a0, b0] = await Promise.all([a.count(), b.count()]);
  const t0 = performance.now();
  await sleep((s - 2) * 1000);
  const [a1, b1] = await Promise.all([a.count(), b.count()]);
  const windowS = (performance.now() - t0) / 1000;
  await runs;
  return [(a1 - a0) / windowS, (b1 - b0) / windowS];
}

const f = await start(fastifyApp);
const b = await start(bare);
try {
  const answer = await (await fetch(`${f.url}/users/1`)).text();
  if (answer !== body) throw new Error(`fastify answered ${answer}, not ${body}`);
  console.log(
    `# fastify (${variant}) vs bare node:http, ${rounds} x ${seconds} s; load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  await duet(f, b, 3); // warm-up
  const ratios = [];
  for (let i = 1; i <= rounds; i++) {
    const [x, y] = await duet(f, b, seconds);
    ratios.push(x / y);
    console.log(`round ${i}: fastify ${x.toFixed(0)}/s, bare ${y.toFixed(0)}/s, ratio ${(x / y).toFixed(3)}`);
  }
  ratios.sort((x, y) => x - y);
  const mid =
    ratios.length % 2
      ? ratios[(ratios.length - 1) / 2]
      : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
  console.log(
    `fastify (${variant}) / bare: median ${mid.toFixed(3)} (range ${ratios[0].toFixed(3)}–${ratios.at(-1).toFixed(3)}, n = ${rounds}); load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
} finally {
  f.child.kill();
  b.child.kill();
}
