// Fault suite: hostile HTTP input never gets a 500, never half-applies, never inflates metrics.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CloseCode, ErrorCode } from '@agentwire/protocol';
import { startGateway, TEST_API_KEY, type TestGateway } from '@agentwire/testkit';
import { pino } from 'pino';
import { connectUser, publishHttp, thinking } from '../helpers/harness.js';

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepArray = (levels: number) => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

/** Sends raw bytes over a fresh TCP connection; resolves with everything the server answered. */
function raw(port: number, bytes: string, { endAfterMs }: { endAfterMs?: number } = {}) {
  return new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c) => {
      answer += c.toString();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => {});
    socket.write(bytes);
    if (endAfterMs !== undefined) setTimeout(() => socket.destroy(), endAfterMs);
  });
}

describe('faults: bad HTTP input', () => {
  let gw: TestGateway;
  const logged: { level: number; msg: string }[] = [];
  before(async () => {
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => logged.push(JSON.parse(line)) },
    );
    gw = await startGateway({
      logger,
      limits: { requestTimeoutMs: 400, headersTimeoutMs: 300, maxProtocolErrors: 3 },
    });
  });
  after(() => gw.close());

  it('answers a body nested 5,000 levels deep with 400 naming the field, before anything recursive', async () => {
    const body = `{"userId":"deep","event":{"type":"x-deep","data":${deep(5000)}}}`;
    const res = await publishHttp(gw, body);
    assert.equal(res.status, 400);
    const error = res.body.error as { code: string; field: string; message: string };
    assert.equal(error.code, ErrorCode.InvalidField);
    assert.match(error.field, /^body\.event\.data(\.a)+$/);
    assert.match(error.message, /nested deeper than 64 levels/);
    // The in-process path refuses it the same way (no stack overflow in JSON.stringify).
    await assert.rejects(
      gw.gateway.forUser('deep').publish({ type: 'x-deep', data: { a: deepArray(5000) } } as never),
      (e: { field?: string }) => e.field?.startsWith('event.data.a') === true,
    );
  });

  it('validates a batch whole: a deep item is an explicit per-item error, never "500 but delivered"', async () => {
    const tab = await connectUser(gw, 'batcher');
    const item = JSON.stringify({ userId: 'batcher', event: thinking('valid') });
    const bad = `{"userId":"batcher","event":{"type":"x-deep","data":${deep(200)}}}`;
    // As a whole body this nests too deep: 400 and nothing appended.
    const whole = await publishHttp(gw, `{"batch":[${item},${bad}]}`);
    assert.equal(whole.status, 400);
    assert.match((whole.body.error as { field: string }).field, /^body\.batch\[1\]/);
    // Within the body limit, an invalid item is reported per item; the valid one has its seq.
    const mixed = await publishHttp(gw, {
      batch: [
        { userId: 'batcher', event: thinking('valid') },
        { userId: 'batcher', event: { ...thinking('bad ts'), ts: '2026-13-01T99:00:00Z' } },
      ],
    });
    assert.equal(mixed.status, 200);
    const results = mixed.body.results as Record<string, unknown>[];
    assert.equal(results[0]?.seq, 1);
    assert.equal((results[1]?.error as { field?: string } | undefined)?.field, 'batch[1].event.ts');
    await tab.until(() => tab.events().length === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(tab.events().length, 1, 'exactly the accepted item was delivered');
    await tab.close();
  });

  it('rejects timestamps that only look like RFC 3339 (month 13, hour 99, Feb 30)', async () => {
    for (const ts of [
      '2026-13-01T00:00:00Z',
      '2026-01-01T99:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-01-01T00:00:00+25:00',
    ]) {
      const res = await publishHttp(gw, { userId: 'ts', event: { ...thinking('x'), ts } });
      assert.equal(res.status, 400, ts);
      assert.equal((res.body.error as { field: string }).field, 'event.ts');
    }
    const ok = await publishHttp(gw, {
      userId: 'ts',
      event: { ...thinking('x'), ts: '2028-02-29T23:59:60.5+01:00' },
    });
    assert.equal(ok.status, 200);
  });

  it('requires Content-Type: application/json (415)', async () => {
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded']) {
      const res = await fetch(`${gw.url}/v1/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(type && { 'content-type': type }) },
        body: new TextEncoder().encode(JSON.stringify({ userId: 'ct', event: thinking('x') })),
      });
      assert.equal(res.status, 415, String(type));
      assert.equal(
        ((await res.json()) as { error: { code: string } }).error.code,
        ErrorCode.UnsupportedMediaType,
      );
    }
    const withCharset = await fetch(`${gw.url}/v1/publish`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_API_KEY}`,
        'content-type': 'Application/JSON; charset=utf-8',
      },
      body: JSON.stringify({ userId: 'ct', event: thinking('x') }),
    });
    assert.equal(withCharset.status, 200);
  });

  it('times out a body that never completes (408), and logs an aborted body at debug level, not as an internal error', async () => {
    const head = (length: number) =>
      `POST /v1/publish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_API_KEY}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    const started = Date.now();
    const slow = await raw(gw.port, `${head(100)}{"userId":`);
    assert.match(slow, /^HTTP\/1\.1 408/);
    assert.ok(Date.now() - started < 3000, 'within the request timeout, not Node’s 300 s');
    logged.length = 0;
    await Promise.all(
      Array.from({ length: 20 }, () => raw(gw.port, `${head(100)}{"user`, { endAfterMs: 30 })),
    );
    await new Promise((r) => setTimeout(r, 100));
    const aborted = (await gw.gateway.metrics.aborted.get()).values[0]?.value ?? 0;
    assert.ok(aborted >= 20, `aborted requests counted: ${aborted}`);
    const internal = (await gw.gateway.metrics.errors.get()).values.find(
      (v) => v.labels.code === ErrorCode.Internal,
    );
    assert.equal(internal?.value ?? 0, 0, 'no internal error counted');
    assert.equal(logged.filter((l) => l.level >= 50).length, 0, 'nothing logged at error level');
    assert.ok(logged.some((l) => l.level === 20 && /aborted/.test(l.msg)));
  });

  it('counts a connection’s close once however many bad frames follow the decision', async () => {
    const noisy = await connectUser(gw, 'noisy');
    for (let i = 0; i < 50; i++) noisy.send('not json');
    assert.equal(await noisy.closed, CloseCode.ProtocolViolation);
    const closes = (await gw.gateway.metrics.closes.get()).values.find(
      (v) => v.labels.code === CloseCode.ProtocolViolation,
    );
    assert.equal(closes?.value, 1);
  });

  it('refuses a frame nested too deep with an error naming the field, before the handler sees it', async () => {
    const c = await connectUser(gw, 'deepframe');
    c.send(`{"type":"message","id":"m1","data":${deep(100)}}`);
    await c.until((f) => f.some((x) => x.type === 'error'));
    const error = c.frames.find((f) => f.type === 'error');
    assert.ok(error?.type === 'error' && error.field?.startsWith('data.a.a'));
    await c.close();
  });
});
