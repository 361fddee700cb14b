// docs/deploy.md's multi-node recipe, run as written: two gateway processes (the real command) on
// one real redis-server, behind Debian's nginx with the doc's own site block — round-robin, no
// sticky sessions. A client connected through nginx keeps its stream, with no gap and no
// duplicate, when the gateway serving it is stopped with SIGTERM mid-stream.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type AgentwireClient, connect } from '@agentwire/client';
import {
  ensureDebian,
  freePort,
  mintToken,
  startRedis,
  TEST_API_KEY,
  TEST_SECRET,
  type TestRedis,
  waitFor,
} from '@agentwire/testkit';
import { codeBlocks, readDoc, replaceAllOrFail, repoRoot, section } from '../helpers/markdown.js';

const NGINX = '/usr/sbin/nginx';
const CLI = join(repoRoot, 'packages/gateway/dist/cli.js');
const unavailable = ensureDebian(NGINX, ['nginx']);
if (unavailable && process.env.CI) throw new Error(unavailable);

interface Node {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
}

const dir = mkdtempSync(join(tmpdir(), 'agentwire-nginx-'));
let redis: TestRedis;
const gateways: Node[] = [];
let nginx: ChildProcess | undefined;
let proxyPort = 0;
const clients: AgentwireClient[] = [];

/** Starts the gateway command on port 0 with the Redis engine; resolves with the port it logged. */
async function startGatewayProcess(redisUrl: string): Promise<Node> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--log-format', 'json'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      AGENTWIRE_JWT_SECRET: TEST_SECRET,
      AGENTWIRE_API_KEYS: TEST_API_KEY,
      AGENTWIRE_ENGINE: 'redis',
      AGENTWIRE_REDIS_URL: redisUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let out = '';
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      const listening = out.match(/"port":(\d+),[^\n]*"msg":"listening"/);
      if (listening) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      }
    });
    child.once('exit', () => reject(new Error(`gateway exited:\n${out}`)));
  });
  return { child, port, exited };
}

/** nginx.conf around the doc's site block: its ports, plain HTTP, files in our own directory. */
function nginxConfig(site: string, upstreams: number[], listen: number): string {
  let block = replaceAllOrFail(site, 'listen 443 ssl;', `listen 127.0.0.1:${listen};`);
  block = replaceAllOrFail(block, '127.0.0.1:8081', `127.0.0.1:${upstreams[0]}`);
  block = replaceAllOrFail(block, '127.0.0.1:8082', `127.0.0.1:${upstreams[1]}`);
  block = block
    .split('\n')
    .filter((line) => !/^\s*ssl_certificate/.test(line))
    .join('\n');
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${block}
}
`;
}

/** A metric of one gateway, read from it directly (not through nginx). */
async function metric(node: Node, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? 0);
}

const connections = (node: Node) => metric(node, 'agentwire_connections');

/** Publishes through nginx as a backend would: a 503 from a draining gateway is retried. */
async function publish(userId: string, text: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await fetch(`http://127.0.0.1:${proxyPort}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        userId,
        event: { type: 'agent_thinking', runId: 'run_1', data: { text } },
      }),
    }).catch(() => undefined);
    if (res?.ok) return ((await res.json()) as { seq: number }).seq;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`publish "${text}" kept failing`);
}

function client(userId: string, seqs: number[]): AgentwireClient {
  const c = connect({
    url: `ws://127.0.0.1:${proxyPort}/ws`,
    token: () => mintToken(userId),
    onResync: () => assert.fail(`${userId}: resync — history was lost across gateways`),
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  });
  c.on('event', ({ seq }) => seqs.push(seq));
  clients.push(c);
  return c;
}

before(async () => {
  if (unavailable) return;
  redis = await startRedis();
  gateways.push(await startGatewayProcess(redis.url), await startGatewayProcess(redis.url));
  const site = codeBlocks(
    section(readDoc('docs/deploy.md'), '## Binding and TLS behind a reverse proxy'),
    'nginx',
  );
  assert.equal(site.length, 1, 'one nginx block in docs/deploy.md');
  proxyPort = await freePort();
  const config = join(dir, 'nginx.conf');
  writeFileSync(
    config,
    nginxConfig(
      site[0] as string,
      gateways.map((g) => g.port),
      proxyPort,
    ),
  );
  nginx = spawn(NGINX, ['-p', dir, '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let nginxErr = '';
  nginx.stderr?.on('data', (chunk: Buffer) => (nginxErr += chunk));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${proxyPort}/healthz`).catch(() => undefined);
    if (res?.ok) break;
    if (nginx.exitCode !== null || Date.now() > deadline)
      throw new Error(`nginx did not start: ${nginxErr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  for (const c of clients) c.close();
  if (nginx?.pid !== undefined && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx?.once('exit', resolve));
    process.kill(nginx.pid, 'SIGTERM');
    await exited;
  }
  for (const node of gateways) {
    if (node.child.exitCode === null && node.child.pid !== undefined) {
      process.kill(node.child.pid, 'SIGTERM');
      await node.exited;
    }
  }
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('two gateways behind nginx without sticky sessions: a client resumes on the other one when its gateway stops', {
  skip: unavailable || false,
  timeout: 60_000,
}, async () => {
  const aliceSeqs: number[] = [];
  const bobSeqs: number[] = [];
  const alice = client('alice', aliceSeqs);
  await waitFor(() => alice.state === 'open', 'alice connected through nginx');
  const bob = client('bob', bobSeqs);
  await waitFor(() => bob.state === 'open', 'bob connected through nginx');
  // Round-robin from one address: the two connections are on different gateways.
  assert.deepEqual(
    (await Promise.all(gateways.map(connections))).sort(),
    [1, 1],
    'one connection on each gateway',
  );

  // Published through nginx, to whichever gateway; Redis fans out to the one holding alice.
  for (let i = 1; i <= 5; i++) await publish('alice', `before ${i}`);
  await waitFor(() => aliceSeqs.length === 5, 'alice got the first five events');

  // The gateway serving alice is the one that wrote her five events to a socket.
  const delivered = await Promise.all(gateways.map((g) => metric(g, 'agentwire_deliveries_total')));
  assert.deepEqual([...delivered].sort(), [0, 5], `deliveries per gateway: ${delivered}`);
  const served = delivered.indexOf(5);
  const stopped = gateways[served] as Node;
  const other = gateways[1 - served] as Node;

  // Stop it, as a deploy does (SIGTERM → drain), while events keep coming.
  const connectsBefore = alice.stats.connects;
  process.kill(stopped.child.pid as number, 'SIGTERM');
  const during: Promise<number>[] = [];
  for (let i = 1; i <= 10; i++) during.push(publish('alice', `during ${i}`));
  await Promise.all(during);
  assert.equal(await stopped.exited, 0, 'the stopped gateway drained and exited 0');
  await waitFor(
    () => alice.stats.connects > connectsBefore && alice.state === 'open',
    'alice reconnected',
    20_000,
  );
  for (let i = 1; i <= 5; i++) await publish('alice', `after ${i}`);
  await waitFor(
    () => aliceSeqs.length === 20,
    `alice got all 20 events (${aliceSeqs.join(',')})`,
    20_000,
  );
  assert.deepEqual(
    aliceSeqs,
    Array.from({ length: 20 }, (_, i) => i + 1),
    'no gap, no duplicate, in order',
  );
  assert.equal(await connections(other), 2, 'alice now on the other gateway, next to bob');
  const ready = await fetch(`http://127.0.0.1:${proxyPort}/readyz`);
  assert.equal(ready.status, 200, 'through nginx, readiness comes from the gateway still up');
  assert.deepEqual(bobSeqs, [], 'bob got none of it');
});
