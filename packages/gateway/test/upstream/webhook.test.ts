import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { RedisEngine, verifyWebhook, type WebhookOptions } from '@agentwire/gateway';
import {
  type ErrorFrame,
  WEBHOOK,
  type WebhookCancelPayload,
  type WebhookMessagePayload,
} from '@agentwire/protocol';
import { startGateway, startRedis, type TestGateway, waitFor } from '@agentwire/testkit';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { WebhookUpstream } from '../../src/upstream/webhook.js';
import { connectUser, type TestClient } from '../helpers/harness.js';

const SECRET = 'upstream-test-secret-of-at-least-32-bytes';

interface Received {
  payload: WebhookMessagePayload;
  attempt: string | undefined;
  verified: string;
}

/**
 * The application: a real HTTP server that verifies every webhook and answers by the
 * message's `op`, so each test picks the application's behaviour with what the user sends.
 */
async function startApp(secret = SECRET) {
  const received: Received[] = [];
  const flaky = new Map<string, number>();
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let verified = 'ok';
    try {
      verifyWebhook(req.headers[WEBHOOK.signatureHeader] as string | undefined, body, secret);
    } catch (error) {
      verified = (error as Error).message;
    }
    const payload = JSON.parse(body) as WebhookMessagePayload;
    received.push({
      payload,
      attempt: req.headers[WEBHOOK.attemptHeader] as string | undefined,
      verified,
    });
    const send = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    if (verified !== 'ok') return send(401, JSON.stringify({ error: { message: verified } }));
    if (payload.type === ('cancel' as string)) {
      const { runId } = payload as unknown as WebhookCancelPayload;
      if (runId === 'run_keep') return send(409, '{"error":"this run cannot be stopped"}');
      return send(200, JSON.stringify({ stopped: runId }));
    }
    const { op } = payload.data as { op: string };
    switch (op) {
      case 'echo':
        return send(200, JSON.stringify({ echo: payload.data, user: payload.userId }));
      case 'empty':
        res.writeHead(204);
        return res.end();
      case 'refuse':
        return send(422, JSON.stringify({ error: { message: 'no such planet\nat line 2' } }));
      case 'bad-json':
        return send(200, '{"oops":');
      case 'slow':
        setTimeout(() => send(200, '{}'), 1500);
        return;
      case 'slow-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
        setTimeout(() => res.end('1}'), 1500);
        return;
      case 'flaky': {
        const seen = (flaky.get(payload.id) ?? 0) + 1;
        flaky.set(payload.id, seen);
        return seen < 3 ? send(503, '{"error":"busy"}') : send(200, JSON.stringify({ seen }));
      }
      case 'always-503':
        return send(503, '{"error":"busy"}');
      case 'redirect':
        res.writeHead(307, { location: '/internal/hooks/' });
        return res.end();
      case 'huge':
        return send(200, JSON.stringify({ blob: 'x'.repeat(70 * 1024) }));
    }
    send(400, JSON.stringify({ error: { message: `unknown op ${op}` } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/agentwire`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type App = Awaited<ReturnType<typeof startApp>>;

/** Sends a message frame and waits for its answer (ack or error with the same id). */
async function send(client: TestClient, id: string, data: unknown, ms = 8000) {
  client.send({ type: 'message', id, data });
  await client.until((f) => f.some((x) => 'id' in x && x.id === id), ms, `answer to ${id}`);
  return client.frames.find((x) => 'id' in x && x.id === id);
}

async function metric(gw: TestGateway, line: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

const upstream = (app: App, extra: Partial<WebhookOptions> = {}): WebhookOptions => ({
  url: app.url,
  secret: SECRET,
  timeoutMs: 400,
  ...extra,
});

/** An application, a gateway calling it, and alice connected; all closed after `body`. */
async function withAlice(
  setup: { appSecret?: string; extra?: Partial<WebhookOptions>; appGone?: boolean },
  body: (alice: TestClient, app: App, gw: TestGateway) => Promise<void>,
) {
  const app = await startApp(setup.appSecret);
  if (setup.appGone) await app.close(); // its port now refuses connections
  const gw = await startGateway({ upstream: upstream(app, setup.extra) });
  const alice = await connectUser(gw, 'alice');
  try {
    await body(alice, app, gw);
  } finally {
    await alice.close();
    await gw.close();
    if (!setup.appGone) await app.close();
  }
}

describe('upstream webhooks', () => {
  let app: App;
  let gw: TestGateway;
  before(async () => {
    app = await startApp();
    gw = await startGateway({ upstream: upstream(app) });
  });
  after(async () => {
    await gw.close();
    await app.close();
  });

  test('a message is POSTed signed with the verified user, and the client gets the answer as ack data', async () => {
    const alice = await connectUser(gw, 'alice');
    try {
      const ack = await send(alice, 'm1', { op: 'echo', text: 'hi' });
      assert.deepEqual(ack, {
        type: 'ack',
        id: 'm1',
        data: { echo: { op: 'echo', text: 'hi' }, user: 'alice' },
      });
      const got = app.received.at(-1) as Received;
      assert.equal(got.verified, 'ok');
      assert.equal(got.attempt, '1');
      assert.equal(got.payload.type, 'message');
      assert.equal(got.payload.id, 'm1');
      assert.equal(got.payload.userId, 'alice');
      assert.equal(got.payload.connectionId, alice.welcome().connectionId);
      assert.ok(Math.abs(Date.parse(got.payload.timestamp) - Date.now()) < 10_000);
      assert.deepEqual(await send(alice, 'm2', { op: 'empty' }), { type: 'ack', id: 'm2' });
    } finally {
      await alice.close();
    }
  });

  test('an application refusal reaches the user with its message (one line), and only for that message', async () => {
    const alice = await connectUser(gw, 'alice');
    try {
      const error = (await send(alice, 'r1', { op: 'refuse' })) as ErrorFrame;
      assert.equal(error.type, 'error');
      assert.equal(error.code, 'handler_failed');
      assert.equal(
        error.message,
        'the application refused the message (HTTP 422): no such planet at line 2',
      );
      assert.equal(
        app.received.filter((r) => r.payload.id === 'r1').length,
        1,
        'no retry of a 4xx',
      );
      assert.equal((await send(alice, 'r2', { op: 'echo' }))?.type, 'ack');
      const redirected = (await send(alice, 'r3', { op: 'redirect' })) as ErrorFrame;
      assert.equal(
        redirected.message,
        'the application redirected the webhook (HTTP 307); redirects are not followed',
      );
      assert.equal(app.received.filter((r) => r.payload.id === 'r3').length, 1);
    } finally {
      await alice.close();
    }
  });

  test('invalid JSON, a too-large answer and a slow application are errors naming why', async () => {
    const alice = await connectUser(gw, 'alice');
    const bob = await connectUser(gw, 'bob');
    try {
      const bad = (await send(alice, 'j1', { op: 'bad-json' })) as ErrorFrame;
      assert.equal(bad.code, 'handler_failed');
      assert.equal(bad.message, 'the application answered 200 with a body that is not JSON');
      const huge = (await send(alice, 'h1', { op: 'huge' })) as ErrorFrame;
      assert.equal(huge.message, "the application's answer exceeds 65536 bytes");

      alice.send({ type: 'message', id: 's1', data: { op: 'slow' } });
      // While alice's message waits on the slow application, bob's is answered at once.
      const started = Date.now();
      assert.equal((await send(bob, 'b1', { op: 'echo' }))?.type, 'ack');
      assert.ok(Date.now() - started < 400, 'bob waited for alice');
      await alice.until((f) => f.some((x) => 'id' in x && x.id === 's1'), 5000, 's1 answer');
      const slow = alice.frames.find((x) => 'id' in x && x.id === 's1') as ErrorFrame;
      assert.equal(slow.code, 'upstream_timeout');
      assert.equal(slow.message, 'the application did not answer within 400 ms');
      assert.equal(
        app.received.filter((r) => r.payload.id === 's1').length,
        1,
        'a timeout is not retried',
      );
      // Headers at once, then a body that stalls: the timeout covers the whole answer.
      const stalled = (await send(alice, 's2', { op: 'slow-body' })) as ErrorFrame;
      assert.equal(stalled.code, 'upstream_timeout');
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('429/502/503/504 are retried with the same id and a fresh signature, a bounded number of times', async () => {
    const alice = await connectUser(gw, 'alice');
    try {
      assert.deepEqual(await send(alice, 'f1', { op: 'flaky' }), {
        type: 'ack',
        id: 'f1',
        data: { seen: 3 },
      });
      const attempts = app.received.filter((r) => r.payload.id === 'f1');
      assert.deepEqual(
        attempts.map((r) => [r.attempt, r.verified]),
        [
          ['1', 'ok'],
          ['2', 'ok'],
          ['3', 'ok'],
        ],
      );
      const failed = (await send(alice, 'f2', { op: 'always-503' })) as ErrorFrame;
      assert.equal(failed.message, 'the application refused the message (HTTP 503): busy');
      assert.equal(app.received.filter((r) => r.payload.id === 'f2').length, 3, '1 + 2 retries');
    } finally {
      await alice.close();
    }
  });

  test('metrics count calls, failures by reason, retries and latency', async () => {
    const calls = await metric(gw, 'agentwire_upstream_calls_total{kind="message"}');
    assert.ok(calls >= 9, `calls ${calls}`);
    assert.equal(
      await metric(gw, 'agentwire_upstream_failures_total{kind="message",reason="timeout"}'),
      2,
    );
    assert.equal(
      await metric(gw, 'agentwire_upstream_failures_total{kind="message",reason="refused"}'),
      3,
    );
    assert.equal(
      await metric(
        gw,
        'agentwire_upstream_failures_total{kind="message",reason="invalid_response"}',
      ),
      2,
    );
    assert.equal(await metric(gw, 'agentwire_upstream_retries_total{kind="message"}'), 4);
    assert.equal(
      await metric(gw, 'agentwire_upstream_duration_seconds_count{kind="message"}'),
      calls,
    );
  });
});

test('an unreachable application is retried, then an upstream_unreachable error', () =>
  withAlice({ appGone: true, extra: { retries: 1 } }, async (alice, _app, gw) => {
    const error = (await send(alice, 'u1', { op: 'echo' })) as ErrorFrame;
    assert.equal(error.code, 'upstream_unreachable');
    assert.equal(error.message, 'the application is unreachable (ECONNREFUSED)');
    assert.equal(await metric(gw, 'agentwire_upstream_retries_total{kind="message"}'), 1);
  }));

test('a wrong signature is refused by the verifying application and named to the user', () =>
  withAlice({ appSecret: 'a-different-secret-that-is-also-32-bytes-long' }, async (alice) => {
    const error = (await send(alice, 'w1', { op: 'echo' })) as ErrorFrame;
    assert.equal(error.code, 'handler_failed');
    assert.equal(
      error.message,
      'the application refused the message (HTTP 401): signature does not match',
    );
  }));

test('with many nodes, the node that holds the connection calls the webhook', async () => {
  const redis = await startRedis();
  const app = await startApp();
  const history = { maxEvents: 100, maxAgeMs: 60_000 };
  const engines = [0, 1].map(() => new RedisEngine({ url: redis.url, history, prefix: 'up:' }));
  const nodes = await Promise.all(
    engines.map((engine) => startGateway({ engine, upstream: upstream(app) })),
  );
  const [a, b] = nodes as [TestGateway, TestGateway];
  const onA = await connectUser(a, 'alice');
  const onB = await connectUser(b, 'alice');
  try {
    assert.equal((await send(onB, 'n1', { op: 'echo' }))?.type, 'ack');
    assert.equal(
      onA.frames.some((f) => 'id' in f && f.id === 'n1'),
      false,
      'only the sender gets the ack',
    );
    const got = app.received.filter((r) => r.payload.id === 'n1');
    assert.equal(got.length, 1);
    assert.equal(got[0]?.payload.connectionId, onB.welcome().connectionId);
    assert.equal(await metric(b, 'agentwire_upstream_calls_total{kind="message"}'), 1);
    assert.equal(await metric(a, 'agentwire_upstream_calls_total{kind="message"}'), 0);
  } finally {
    await onA.close();
    await onB.close();
    for (const node of nodes) await node.close();
    for (const engine of engines) await engine.close();
    await app.close();
    await redis.stop();
  }
});

test('upstream and onMessage together are refused at construction', async () => {
  await assert.rejects(
    startGateway({ upstream: { url: 'http://127.0.0.1:1/', secret: SECRET }, onMessage: () => 1 }),
    /either onMessage or upstream/,
  );
  await assert.rejects(
    startGateway({ upstream: { url: 'http://127.0.0.1:1/', secret: 'short' } }),
    /at least 32 bytes/,
  );
});

test('deliveries waiting on the application are capped: past the cap a message is refused at once', () =>
  withAlice({ extra: { maxInFlight: 1, timeoutMs: 3000 } }, async (alice, app) => {
    alice.send({ type: 'message', id: 'o1', data: { op: 'slow' } });
    await waitFor(() => app.received.some((r) => r.payload.id === 'o1'), 'o1 at the application');
    const refused = (await send(alice, 'o2', { op: 'echo' })) as ErrorFrame;
    assert.equal(refused.code, 'unavailable');
    assert.equal(
      refused.message,
      '1 messages are already waiting on the application; try again later',
    );
    await alice.until((f) => f.some((x) => 'id' in x && x.id === 'o1'), 5000, 'o1 answer');
    assert.equal(alice.frames.find((x) => 'id' in x && x.id === 'o1')?.type, 'ack');
    assert.equal((await send(alice, 'o3', { op: 'echo' }))?.type, 'ack', 'the slot is free again');
  }));

test('retries stop once a message has waited the timeout in total', () =>
  withAlice({ extra: { retries: 10, timeoutMs: 300 } }, async (alice, app) => {
    const started = Date.now();
    const failed = (await send(alice, 'd1', { op: 'always-503' })) as ErrorFrame;
    assert.equal(failed.code, 'handler_failed');
    const attempts = app.received.filter((r) => r.payload.id === 'd1').length;
    assert.ok(attempts > 1 && attempts < 11, `${attempts} attempts`);
    assert.ok(Date.now() - started < 1500, `answered after ${Date.now() - started} ms`);
  }));

test('a run cancel is forwarded signed, with the run and the one cancel id of the run', async () => {
  const app = await startApp();
  const upstreamCancels = new WebhookUpstream(
    upstream(app),
    new Registry(),
    pino({ level: 'silent' }),
  );
  try {
    const answer = await upstreamCancels.onCancel({
      userId: 'alice',
      runId: 'run_7',
      reason: 'pressed stop',
      via: 'frame',
      connectionId: 'c_1',
    });
    assert.deepEqual(answer, { stopped: 'run_7' });
    const got = app.received.at(-1) as Received;
    assert.equal(got.verified, 'ok');
    const payload = got.payload as unknown as WebhookCancelPayload;
    assert.deepEqual(
      { ...payload, timestamp: undefined },
      {
        type: 'cancel',
        id: 'cancel_run_7',
        userId: 'alice',
        connectionId: 'c_1',
        runId: 'run_7',
        reason: 'pressed stop',
        via: 'frame',
        timestamp: undefined,
      },
    );
    await assert.rejects(
      upstreamCancels.onCancel({ userId: 'alice', runId: 'run_keep', via: 'frame' }),
      {
        name: 'MessageError',
        code: 'handler_failed',
        message: 'the application refused the cancel (HTTP 409): this run cannot be stopped',
      },
    );
  } finally {
    await app.close();
  }
});

test('a cancel frame reaches the application over the webhook: ack with its answer, run_cancelled in the tab; a refusal is named and the run goes on', () =>
  withAlice({}, async (alice, app) => {
    alice.send({ type: 'cancel', id: 'k1', runId: 'run_7', reason: 'pressed stop' });
    await alice.until((f) => f.some((x) => 'id' in x && x.id === 'k1'), 8000, 'cancel ack');
    assert.deepEqual(
      alice.frames.find((x) => 'id' in x && x.id === 'k1'),
      { type: 'ack', id: 'k1', data: { stopped: 'run_7' } },
    );
    const sent = app.received.find((r) => r.payload.type === ('cancel' as string));
    assert.ok(sent, 'the application got the cancel');
    assert.equal(sent.verified, 'ok');
    assert.equal((sent.payload as unknown as WebhookCancelPayload).runId, 'run_7');
    await alice.until(
      (f) =>
        f.some(
          (x) =>
            x.type === 'event' && x.event.type === 'run_cancelled' && x.event.runId === 'run_7',
        ),
      8000,
      'run_cancelled',
    );
    alice.send({ type: 'cancel', id: 'k2', runId: 'run_keep' });
    await alice.until((f) => f.some((x) => 'id' in x && x.id === 'k2'), 8000, 'cancel refusal');
    const refusal = alice.frames.find((x) => 'id' in x && x.id === 'k2') as ErrorFrame;
    assert.equal(refusal.type, 'error');
    assert.match(refusal.message, /this run cannot be stopped/);
    assert.ok(
      !alice.frames.some(
        (x) =>
          x.type === 'event' && x.event.type === 'run_cancelled' && x.event.runId === 'run_keep',
      ),
    );
  }));
