import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type AgentwireClient, connect, RunTracker } from '@agentwire/client';
import { calculate, findExpression, searchPlanets } from '@agentwire/demo';
import { waitFor } from '@agentwire/testkit';
import { type DemoServer, startDemo } from './helpers.js';

let demo: DemoServer;
before(async () => {
  demo = await startDemo({ stepMs: 5, tokenMs: 1 });
});
after(async () => {
  await demo.close();
});

async function signIn(user: string): Promise<Response> {
  return fetch(`${demo.url}/demo/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
}

function chatClient(user: string): { client: AgentwireClient; runs: RunTracker } {
  const runs = new RunTracker();
  const client = connect({
    url: `${demo.url}/ws`,
    token: async () => ((await (await signIn(user)).json()) as { token: string }).token,
    onResync: () => runs.clear(),
  });
  client.on('event', ({ event }) => runs.apply(event));
  return { client, runs };
}

test('the page, its bundle and its stylesheet are served', async () => {
  const html = await (await fetch(`${demo.url}/`)).text();
  assert.match(html, /<script type="module" src="\/app.js">/);
  const js = await fetch(`${demo.url}/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  const code = await js.text();
  assert.match(code, /agentwire\.v1/, 'the client SDK is bundled');
  assert.doesNotMatch(code, /from\s*["'](ws|node:)/);
  assert.equal((await fetch(`${demo.url}/style.css`)).status, 200);
  assert.equal((await fetch(`${demo.url}/nope`)).status, 404);
});

test('demo sign-in mints a short-lived token for a demo user and refuses anyone else', async () => {
  const res = await signIn('alice');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { token: string; userId: string; expiresAt: string };
  assert.equal(body.userId, 'alice');
  const ttl = Date.parse(body.expiresAt) - Date.now();
  assert.ok(ttl > 0 && ttl <= 300_000, `ttl ${ttl}`);
  const refused = await signIn('mallory');
  assert.equal(refused.status, 400);
  assert.equal(((await refused.json()) as { error: { field: string } }).error.field, 'user');
  assert.equal((await fetch(`${demo.url}/demo/sign-in`)).status, 405);
});

test('a chat message runs the agent: real tool calls, streamed answer, all five lifecycle events', async () => {
  const { client, runs } = chatClient('alice');
  const types: string[] = [];
  client.on('event', ({ event }) => types.push(event.type));
  try {
    const ack = (await client.send({
      text: 'What is 17 * 23 and how many moons does Saturn have?',
    })) as {
      runId: string;
    };
    await waitFor(() => runs.get(ack.runId)?.status === 'completed', 'the run to complete');
    const run = runs.get(ack.runId);
    assert.ok(run);
    for (const type of [
      'agent_started',
      'agent_thinking',
      'tool_executing',
      'tool_completed',
      'agent_completed',
    ]) {
      assert.ok(types.includes(type), `${type} arrived`);
    }
    assert.deepEqual(
      run.toolCalls.map((c) => [c.tool, c.args, c.result, c.status]),
      [
        ['calculator', { expression: '17 * 23' }, { value: 391 }, 'completed'],
        [
          'planet_search',
          { query: 'What is 17 * 23 and how many moons does Saturn have?' },
          { matches: ['Saturn'], attribute: 'moons' },
          'completed',
        ],
      ],
    );
    assert.ok(run.toolCalls.every((c) => typeof c.durationMs === 'number'));
    assert.equal(run.text, '17 * 23 = 391. Saturn has 146 known moons.');
    assert.equal((run.result as { answer: string }).answer, run.text);
    assert.ok(types.filter((t) => t === 'agent_message').length >= 8, 'streamed token by token');
  } finally {
    client.close();
  }
});

test('bad chat messages are refused with a clear error', async () => {
  const { client } = chatClient('bob');
  try {
    await assert.rejects(client.send({ text: '' }), /data\.text/);
    await assert.rejects(client.send('hello'), /data: must be an object/);
    await assert.rejects(client.send({ text: 'hi', runId: 'bad id!' }), /data\.runId/);
  } finally {
    client.close();
  }
});

test('the tools compute real answers', () => {
  assert.equal(calculate('17 * 23'), 391);
  assert.equal(calculate('(2 + 3) ^ 4'), 625);
  assert.equal(calculate('2 ^ 3 ^ 2'), 512);
  assert.equal(calculate('-4 + 10 / 4'), -1.5);
  assert.equal(calculate('7 × 6 ÷ 2'), 21);
  assert.throws(() => calculate('1 / 0'), /division by zero/);
  assert.throws(() => calculate('2 + alert(1)'), /unexpected/);
  assert.equal(findExpression('What is (2 + 3) ^ 4 please?'), '(2 + 3) ^ 4');
  assert.equal(findExpression('How far is Mars?'), undefined);
  assert.deepEqual(
    searchPlanets('Which planet is the largest?').matches.map((p) => p.name),
    ['Jupiter'],
  );
  assert.equal(searchPlanets('how far is neptune').attribute, 'distanceAu');
});

const serverJs = fileURLToPath(new URL('../dist/server.js', import.meta.url));

function runServer(env: NodeJS.ProcessEnv, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [serverJs, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('agentwire demo: open')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('the demo server refuses to start with NODE_ENV=production', async () => {
  const result = await runServer({ NODE_ENV: 'production' }, ['--port', '0']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /refuses to start with NODE_ENV=production/);
  assert.doesNotMatch(result.stdout, /AGENTWIRE_JWT_SECRET/);
});

test('the demo server starts (as npm start runs it), prints its URL and drains on SIGTERM', async () => {
  const result = await runServer({ NODE_ENV: 'development', AGENTWIRE_LOG_LEVEL: 'warn' }, [
    '--port',
    '0',
  ]);
  assert.match(result.stdout, /agentwire demo: open http:\/\/localhost:\d+\//);
  assert.equal(result.code, 0);
});

test('the sign-in route itself refuses when NODE_ENV=production', async () => {
  const { createDemoSignIn } = await import('@agentwire/demo');
  const signIn = createDemoSignIn('x'.repeat(32), { NODE_ENV: 'production' });
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => void signIn(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/demo/sign-in`, {
      method: 'POST',
      body: JSON.stringify({ user: 'alice' }),
    });
    assert.equal(res.status, 403);
  } finally {
    server.close();
  }
});
