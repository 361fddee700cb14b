import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryEngine, type StreamListener } from '@agentwire/gateway';
import { startGateway, type TestGateway, waitFor } from '@agentwire/testkit';
import { connectUser } from '../helpers/harness.js';

/** A real memory engine that counts live subscriptions per user. */
class CountingEngine extends MemoryEngine {
  readonly subscriptions = new Map<string, number>();
  override async subscribe(userId: string, listener: StreamListener) {
    this.subscriptions.set(userId, (this.subscriptions.get(userId) ?? 0) + 1);
    const unsubscribe = await super.subscribe(userId, listener);
    return async () => {
      this.subscriptions.set(userId, (this.subscriptions.get(userId) ?? 0) - 1);
      await unsubscribe();
    };
  }
}

describe('I4 one manager', () => {
  let gw: TestGateway;
  let engine: CountingEngine;
  before(async () => {
    engine = new CountingEngine({ history: { maxEvents: 100, maxAgeMs: 60_000 } });
    gw = await startGateway({ engine });
  });
  after(async () => {
    await gw.close();
    await engine.close();
  });

  it('holds exactly one user channel (one engine subscription) per connected user', async () => {
    const tabs = await Promise.all([1, 2, 3].map(() => connectUser(gw, 'one')));
    const other = await connectUser(gw, 'two');
    assert.deepEqual(gw.gateway.stats(), { connections: 4, users: 2 });
    assert.equal(engine.subscriptions.get('one'), 1);
    assert.equal(engine.subscriptions.get('two'), 1);
    await tabs[0]?.close();
    await waitFor(() => gw.gateway.stats().connections === 3, 'three connections');
    assert.equal(gw.gateway.stats().users, 2);
    assert.equal(engine.subscriptions.get('one'), 1);
    for (const t of [...tabs.slice(1), other]) await t.close();
    await waitFor(() => gw.gateway.stats().users === 0, 'channels released', 2000);
    await waitFor(
      () => engine.subscriptions.get('one') === 0 && engine.subscriptions.get('two') === 0,
      'engine subscriptions released',
    );
    assert.equal(gw.gateway.stats().connections, 0);
  });

  it('does not leak channels under churn', async () => {
    for (let round = 0; round < 20; round++) {
      const clients = await Promise.all(
        Array.from({ length: 10 }, (_, i) => connectUser(gw, `churn${i % 4}`)),
      );
      await Promise.all(
        clients.map((c) => {
          if (round % 2) return c.close();
          c.ws.terminate();
          return c.closed;
        }),
      );
    }
    await waitFor(() => gw.gateway.stats().users === 0, 'all channels released', 3000);
    for (let i = 0; i < 4; i++) assert.equal(engine.subscriptions.get(`churn${i}`), 0);
  });
});
