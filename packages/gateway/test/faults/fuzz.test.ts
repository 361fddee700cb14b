// Time-bounded fuzzers over publish bodies and client frames, run in CI (SPEC §11): nesting far
// past the limit, huge strings, invalid UTF-8, wrong content types, bodies aborted mid-way, and
// garbage frames. Every answer must be a JSON 2xx/4xx (never a 500), every close a documented
// code, nothing logged at error level, and a bystander's stream must stay intact.
// AGENTWIRE_FUZZ_MS sets the time per fuzzer (default 3000 ms); the seed is printed on failure.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CloseCode, ErrorCode } from '@agentwire/protocol';
import { startGateway, TEST_API_KEY, type TestGateway } from '@agentwire/testkit';
import fc from 'fast-check';
import { pino } from 'pino';
import { connectUser, thinking } from '../helpers/harness.js';

const FUZZ_MS = Number(process.env.AGENTWIRE_FUZZ_MS ?? 3000);
const SEED = Number(process.env.AGENTWIRE_FUZZ_SEED ?? Date.now() % 2 ** 31);

/** The n-th value of `arbitrary` for this run's seed, drawn when needed (huge values included). */
function one<T>(arbitrary: fc.Arbitrary<T>, n: number): T {
  return fc.sample(arbitrary, { numRuns: 1, seed: SEED + n })[0] as T;
}

/** `{"a":{"a":…}}` or `[[…]]` n levels deep, as text (JSON.parse handles it without recursion). */
const nested = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean())
  .map(([n, object]) =>
    object ? `${'{"a":'.repeat(n)}1${'}'.repeat(n)}` : `${'['.repeat(n)}${']'.repeat(n)}`,
  );
const huge = fc.integer({ min: 1, max: 1_200_000 }).map((n) => 'x'.repeat(n));
const json = fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v));

const bodies = fc.oneof(
  json,
  fc.string(),
  nested.map((d) => `{"userId":"fuzz","event":{"type":"x-f","data":${d}}}`),
  nested.map((d) => `{"batch":[{"userId":"fuzz","event":{"type":"x-f","data":${d}}}]}`),
  huge.map(
    (s) => `{"userId":"fuzz","event":{"type":"agent_thinking","runId":"r","data":{"text":"${s}"}}}`,
  ),
  fc
    .record({
      userId: fc.oneof(fc.constant('fuzz'), fc.string(), fc.jsonValue()),
      event: fc.record(
        {
          type: fc.constantFrom('agent_started', 'tool_completed', 'agent_thinking', 'x-a', 'bad'),
          runId: fc.oneof(fc.string(), fc.jsonValue()),
          ts: fc.oneof(
            fc.string(),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
          data: fc.jsonValue({ maxDepth: 8 }),
        },
        { requiredKeys: [] },
      ),
    })
    .map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b).toString('latin1')),
);

interface Shot {
  body: string;
  contentType: string | undefined;
  /** Bytes to send before dropping the connection; undefined sends all. */
  abortAt: number | undefined;
}
const shots: fc.Arbitrary<Shot> = fc.record({
  body: bodies,
  contentType: fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/json; charset=utf-8'),
    },
  ),
  abortAt: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, fc.nat({ max: 2000 })),
});

/** One raw HTTP/1.1 request; resolves with the status (0 when aborted on purpose) and body. */
function send(port: number, shot: Shot): Promise<{ status: number; body: string }> {
  const payload = Buffer.from(shot.body, 'latin1');
  const head =
    `POST /v1/publish HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n` +
    `Authorization: Bearer ${TEST_API_KEY}\r\n` +
    (shot.contentType ? `Content-Type: ${shot.contentType}\r\n` : '') +
    `Content-Length: ${payload.length}\r\n\r\n`;
  const bytes = Buffer.concat([Buffer.from(head), payload]);
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c) => {
      answer += c.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      resolve({ status, body: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
    });
    if (shot.abortAt !== undefined && shot.abortAt < bytes.length) {
      socket.write(bytes.subarray(0, shot.abortAt), () => socket.destroy());
    } else socket.end(bytes);
  });
}

describe('fuzz (time-bounded, CI)', () => {
  let gw: TestGateway;
  const errorsLogged: string[] = [];
  before(async () => {
    const logger = pino(
      { level: 'warn' },
      {
        write: (line: string) => {
          const entry = JSON.parse(line) as { level: number; msg: string };
          if (entry.level >= 50) errorsLogged.push(line);
        },
      },
    );
    gw = await startGateway({
      logger,
      limits: { rateBurst: 1_000_000, ratePerSecond: 1_000_000, maxProtocolErrors: 50 },
    });
  });
  after(() => gw.close());

  const internalErrors = async () =>
    (await gw.gateway.metrics.errors.get()).values.find((v) => v.labels.code === ErrorCode.Internal)
      ?.value ?? 0;

  it(`publish bodies for ${FUZZ_MS} ms: never a 500, always JSON, a bystander unaffected`, async (t) => {
    const bystander = await connectUser(gw, 'bystander');
    const deadline = Date.now() + FUZZ_MS;
    let sent = 0;
    let expected = 0;
    while (Date.now() < deadline) {
      const shot = one(shots, sent);
      const res = await send(gw.port, shot);
      sent++;
      const context = `seed ${SEED}, shot ${sent - 1}: ${shot.body.slice(0, 120)}`;
      if (res.status === 0) {
        assert.ok(shot.abortAt !== undefined, `no answer to a complete request (${context})`);
      } else {
        assert.ok(
          res.status === 200 || (res.status >= 400 && res.status < 500),
          `${res.status} (${context})`,
        );
        const parsed = JSON.parse(res.body) as { error?: { code: string; message: string } };
        if (res.status !== 200) assert.ok(parsed.error?.message, context);
      }
      if (sent % 25 === 0) {
        await gw.gateway.forUser('bystander').publish(thinking(`b${sent}`));
        expected++;
      }
    }
    t.diagnostic(`${sent} bodies, seed ${SEED}`);
    assert.ok(sent > 10, `only ${sent} shots`);
    await bystander.until(() => bystander.events().length === expected, 5000, 'bystander events');
    assert.deepEqual(
      bystander.events().map((e) => e.seq),
      Array.from({ length: expected }, (_, i) => i + 1),
    );
    assert.equal(await internalErrors(), 0);
    assert.deepEqual(errorsLogged, []);
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    await bystander.close();
  });

  it(`client frames for ${FUZZ_MS} ms: error frames or documented closes, never a crash`, async (t) => {
    const frames = fc.oneof(
      json,
      fc.string(),
      nested.map((d) => `{"type":"message","id":"m","data":${d}}`),
      huge.map((s) => `{"type":"ping","id":"${s}"}`),
      fc
        .record(
          {
            type: fc.constantFrom('ping', 'refresh', 'message', 'subscribe', ''),
            id: fc.oneof(fc.string(), fc.jsonValue()),
            token: fc.string(),
            data: fc.jsonValue({ maxDepth: 8 }),
          },
          { requiredKeys: ['type'] },
        )
        .map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
    );
    const allowed = new Set<number>([CloseCode.MessageTooBig, CloseCode.ProtocolViolation]);
    const deadline = Date.now() + FUZZ_MS;
    let sent = 0;
    let i = 0;
    while (Date.now() < deadline) {
      const c = await connectUser(gw, `fuzzer${i++}`);
      for (let k = 0; k < 40 && Date.now() < deadline; k++) {
        if (c.ws.readyState !== c.ws.OPEN) break;
        c.ws.send(one(frames, sent++));
        if (k % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      c.send({ type: 'ping', id: 'last' });
      await c.until(
        (f) => c.closeCode !== undefined || f.some((x) => x.type === 'pong' && x.id === 'last'),
        5000,
        'pong or close',
      );
      if (c.closeCode !== undefined)
        assert.ok(allowed.has(c.closeCode), `close ${c.closeCode} (seed ${SEED})`);
      else c.ws.terminate();
    }
    t.diagnostic(`${sent} frames over ${i} connections, seed ${SEED}`);
    assert.ok(sent > 40);
    assert.equal(await internalErrors(), 0);
    assert.deepEqual(errorsLogged, []);
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
  });
});
