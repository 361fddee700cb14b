import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUILTIN_EVENT_TYPES, ErrorCode } from '@agentwire/protocol';
import { startGateway, TEST_API_KEY, type TestGateway } from '@agentwire/testkit';
import { connectUser, publishHttp, thinking } from './helpers/harness.js';

const validData: Record<string, unknown> = {
  agent_started: { agent: 'a' },
  agent_thinking: { text: 't' },
  tool_executing: { tool: 'calc', callId: 'c1', args: { expr: '1+1' } },
  tool_completed: { tool: 'calc', callId: 'c1', result: 2, durationMs: 3 },
  agent_completed: { text: 'two' },
  agent_message: { messageId: 'm', delta: 'tw' },
  agent_error: { message: 'boom' },
  run_cancelled: {},
};

describe('HTTP API', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({
      limits: { maxBodyBytes: 16 * 1024, maxEventBytes: 8 * 1024, maxBatchSize: 10 },
    });
  });
  after(() => gw.close());

  it('publishes every event type and returns seq and id', async () => {
    const tab = await connectUser(gw, 'h');
    let seq = 0;
    for (const type of BUILTIN_EVENT_TYPES) {
      const res = await publishHttp(gw, {
        userId: 'h',
        event: { type, runId: 'run_h', data: validData[type] },
      });
      assert.equal(res.status, 200, `${type}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.seq, ++seq);
      assert.match(String(res.body.id), /^evt_/);
    }
    const custom = await publishHttp(gw, {
      userId: 'h',
      event: { type: 'x-usage', data: { tokens: 5 } },
    });
    assert.equal(custom.status, 200);
    await tab.until(() => tab.events().length === BUILTIN_EVENT_TYPES.length + 1);
    const first = tab.events()[0]?.event;
    assert.equal(first?.type, 'agent_started');
    assert.ok(first?.ts && !Number.isNaN(Date.parse(first.ts)), 'the gateway stamps ts');
    await tab.close();
  });

  it('rejects a missing or wrong API key with 401', async () => {
    assert.equal(
      (await publishHttp(gw, { userId: 'h', event: thinking('x') }, 'wrong')).status,
      401,
    );
    const res = await fetch(`${gw.url}/v1/publish`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 401);
    assert.equal(
      ((await res.json()) as { error: { code: string } }).error.code,
      ErrorCode.Unauthorized,
    );
  });

  it('rejects a body over the limit with 413', async () => {
    const res = await publishHttp(gw, { userId: 'h', event: thinking('x'.repeat(20_000)) });
    assert.equal(res.status, 413);
    const event = await publishHttp(gw, { userId: 'h', event: thinking('x'.repeat(10_000)) });
    assert.equal(event.status, 413, 'an event over maxEventBytes is too large too');
    assert.equal((event.body.error as { field: string }).field, 'event');
  });

  it('accepts batches item by item, naming the failing item', async () => {
    const res = await publishHttp(gw, {
      batch: [
        { userId: 'b1', event: thinking('ok') },
        { userId: 'b1', event: { type: 'agent_thinking', runId: 'r', data: {} } },
        { userId: 'b2', event: thinking('ok') },
        'nonsense',
      ],
    });
    assert.equal(res.status, 200);
    const results = res.body.results as { seq?: number; error?: { field: string } }[];
    assert.equal(results[0]?.seq, 1);
    assert.equal(results[1]?.error?.field, 'batch[1].event.data.text');
    assert.equal(results[2]?.seq, 1);
    assert.equal(results[3]?.error?.field, 'batch[3]');
    assert.equal((await publishHttp(gw, { batch: [] })).status, 400);
    const tooMany = Array.from({ length: 11 }, () => ({ userId: 'b', event: thinking('x') }));
    assert.equal((await publishHttp(gw, { batch: tooMany })).status, 413);
  });

  it('is idempotent over HTTP by event id', async () => {
    const body = { userId: 'idem', event: { ...thinking('x'), id: 'evt_http_1' } };
    const a = await publishHttp(gw, body);
    const b = await publishHttp(gw, body);
    assert.deepEqual(a.body, b.body);
    assert.deepEqual(a.body, { seq: 1, epoch: a.body.epoch, id: 'evt_http_1' });
    assert.equal(typeof a.body.epoch, 'string');
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
    const metrics = await fetch(`${gw.url}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    const text = await metrics.text();
    for (const name of [
      'agentwire_connections',
      'agentwire_users',
      'agentwire_publishes_total',
      'agentwire_deliveries_total',
      'agentwire_resumes_total',
      'agentwire_resyncs_total',
      'agentwire_errors_total',
      'agentwire_cross_user_deliveries_total',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.match(text, /^agentwire_errors_total\{code="unauthorized"\} [1-9]/m);
    // History memory lives outside V8's figures: the gauge shows the events published above.
    assert.match(text, /^agentwire_history_memory_bytes\{state="in_use"\} [1-9]\d*$/m);
    assert.match(text, /^agentwire_history_memory_bytes\{state="free"\} \d+$/m);
  });

  it('answers unknown routes with 404, wrong methods with 405 and plain GET /ws with 426', async () => {
    assert.equal((await fetch(`${gw.url}/nope`)).status, 404);
    const wrong = await fetch(`${gw.url}/v1/publish`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    assert.equal((await fetch(`${gw.url}/ws`)).status, 426);
  });
});

describe('GET /metrics options', () => {
  it('serves /metrics on a port of its own when configured; the gateway port answers 404 for it', async (t) => {
    const gw = await startGateway({ metrics: { port: 0 } });
    t.after(() => gw.close());
    const address = gw.gateway.metricsAddress;
    assert.ok(address && address.port !== gw.port);
    assert.equal((await fetch(`${gw.url}/metrics`)).status, 404);
    const res = await fetch(`http://127.0.0.1:${address.port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^# TYPE agentwire_connections /m);
    assert.equal((await fetch(`http://127.0.0.1:${address.port}/v1/publish`)).status, 404);
  });

  it('requires the bearer token when one is configured', async (t) => {
    const token = 'metrics-token-0123456789';
    const gw = await startGateway({ metrics: { token } });
    t.after(() => gw.close());
    assert.equal((await fetch(`${gw.url}/metrics`)).status, 401);
    const wrong = await fetch(`${gw.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    const right = await fetch(`${gw.url}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(right.status, 200);
    assert.match(await right.text(), /^# TYPE agentwire_connections /m);
  });
});
