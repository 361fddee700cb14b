import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloseCode, ErrorCode } from '@agentwire/protocol';
import { startGateway, type TestGateway } from '@agentwire/testkit';
import fc from 'fast-check';
import { connectUser, publishHttp, thinking } from '../helpers/harness.js';

describe('I6 bad input is contained', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({
      limits: { maxProtocolErrors: 5, rateBurst: 10_000, ratePerSecond: 10_000 },
    });
  });
  after(() => gw.close());

  it('answers malformed, unknown and invalid frames with error frames and keeps the connection', async () => {
    const c = await connectUser(gw, 'bad');
    c.send('{not json');
    c.send({ type: 'subscribe', channel: '*' });
    c.send({ type: 'message', data: 1 });
    c.send({ type: 'ping', id: 'still-alive' });
    await c.until((f) => f.some((x) => x.type === 'pong'));
    const errors = c.frames.filter((f) => f.type === 'error');
    assert.deepEqual(
      errors.map((e) => (e.type === 'error' ? [e.code, e.field] : [])),
      [
        [ErrorCode.InvalidJson, undefined],
        [ErrorCode.UnknownType, 'type'],
        [ErrorCode.InvalidField, 'id'],
      ],
    );
    assert.equal(c.closeCode, undefined);
    await c.close();
  });

  it('closes with 4400 after repeated protocol violations', async () => {
    const c = await connectUser(gw, 'abuser');
    for (let i = 0; i < 5; i++) c.send('nope');
    assert.equal(await c.closed, CloseCode.ProtocolViolation);
  });

  it('never disturbs another user while one connection sends garbage', async () => {
    const victim = await connectUser(gw, 'victim');
    const noisy = await connectUser(gw, 'noisy');
    const garbage = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      200,
    );
    const publishes: Promise<unknown>[] = [];
    for (let i = 0; i < garbage.length; i++) {
      if (noisy.ws.readyState === noisy.ws.OPEN) noisy.send(garbage[i] as string);
      publishes.push(gw.gateway.forUser('victim').publish(thinking(`v${i}`)));
    }
    await Promise.all(publishes);
    await victim.until(() => victim.events().length === 200, 5000, 'victim events');
    assert.deepEqual(
      victim.events().map((e) => e.seq),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    await victim.close();
    noisy.ws.terminate();
  });

  it('rejects invalid publish bodies with 400 naming the field, and nothing is appended', async () => {
    const watcher = await connectUser(gw, 'pub');
    const cases: [unknown, string][] = [
      [{ userId: '', event: thinking('x') }, 'userId'],
      [{ userId: 'pub' }, 'event'],
      [
        { userId: 'pub', event: { type: 'tool_executing', runId: 'r', data: { tool: 't' } } },
        'event.data.callId',
      ],
      [{ userId: 'pub', event: { type: 'nope', runId: 'r', data: {} } }, 'event.type'],
      [[1, 2], 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await publishHttp(gw, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal((res.body.error as { field: string }).field, field);
    }
    const json = await publishHttp(gw, '{"userId":');
    assert.equal(json.status, 400);
    assert.equal((json.body.error as { code: string }).code, ErrorCode.InvalidJson);
    await gw.gateway.forUser('pub').publish(thinking('valid'));
    await watcher.until(() => watcher.events().length === 1);
    assert.equal(watcher.events()[0]?.seq, 1, 'the rejected publishes took no seq');
    await watcher.close();
  });

  it('survives fuzzed publish bodies: every answer is a JSON 200 or 4xx, and the gateway keeps serving', async () => {
    const bodies = fc.sample(
      fc.oneof(
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc
          .record(
            { userId: fc.oneof(fc.string(), fc.jsonValue()), event: fc.jsonValue() },
            { requiredKeys: [] },
          )
          .map((v) => JSON.stringify(v)),
        fc
          .record({
            userId: fc.constant('fuzz'),
            event: fc.record(
              {
                type: fc.constantFrom('agent_started', 'tool_completed', 'x-a', 'bad'),
                runId: fc.jsonValue(),
                data: fc.jsonValue(),
              },
              { requiredKeys: [] },
            ),
          })
          .map((v) => JSON.stringify(v)),
      ),
      { numRuns: 400, seed: 42 },
    );
    for (const body of bodies) {
      const res = await publishHttp(gw, body);
      assert.ok(
        res.status === 200 || (res.status >= 400 && res.status < 500),
        `${res.status} for ${body}`,
      );
      if (res.status !== 200) assert.ok((res.body.error as { message?: string }).message);
    }
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
  });
});
