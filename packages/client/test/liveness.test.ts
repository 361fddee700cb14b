import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintToken, startGateway, waitFor } from '@agentwire/testkit';
import { FaultyProxy, record } from './helpers.js';

test('the application-level ping notices a dead connection that never closes, and resumes', async () => {
  const gw = await startGateway();
  const proxy = await new FaultyProxy(gw.port).listen();
  const alice = record({
    url: proxy.wsUrl,
    token: () => mintToken('alice'),
    ping: { intervalMs: 100, timeoutMs: 200 },
    reconnect: { initialDelayMs: 10, minDelayMs: 5 },
  });
  try {
    await waitFor(() => alice.client.state === 'open', 'open');
    const first = alice.client.connectionId;
    proxy.freeze(); // the peer goes silent; TCP stays up
    const user = gw.gateway.forUser('alice');
    const during = await user.publish({ type: 'x-note', data: { n: 1 } });
    await waitFor(
      () => alice.client.state === 'open' && alice.client.connectionId !== first,
      'a new connection after the ping timeout',
      5_000,
    );
    const afterwards = await user.publish({ type: 'x-note', data: { n: 2 } });
    await waitFor(() => alice.events.length === 2, 'both events');
    assert.deepEqual(
      alice.events.map((e) => e.event.id),
      [during.id, afterwards.id],
    );
    assert.ok(alice.states.includes('reconnecting'));
  } finally {
    alice.client.close();
    await proxy.close();
    await gw.close();
  }
});

test('while the gateway is down the client backs off (no tight loop) and comes back', async () => {
  const gw = await startGateway();
  const proxy = await new FaultyProxy(gw.port).listen();
  const bob = record({
    url: proxy.wsUrl,
    token: () => mintToken('bob'),
    reconnect: { initialDelayMs: 50, minDelayMs: 20, maxDelayMs: 400, stableAfterMs: 100 },
  });
  const port = proxy.port;
  try {
    await waitFor(() => bob.client.state === 'open', 'open');
    await proxy.close(); // nothing listens on the port any more: every attempt is refused
    const downAt = Date.now();
    await waitFor(() => bob.client.stats.connects >= 6, 'several attempts', 10_000);
    const elapsed = Date.now() - downAt;
    // 5 retries with a floor of 20 ms and doubling windows take well over 100 ms.
    assert.ok(
      elapsed >= 100,
      `retried too fast: ${bob.client.stats.connects} attempts in ${elapsed} ms`,
    );
    const back = new FaultyProxy(gw.port);
    await back.listenOn(port);
    try {
      await waitFor(() => bob.client.state === 'open', 'back open', 5_000);
    } finally {
      bob.client.close();
      await back.close();
    }
  } finally {
    bob.client.close();
    await gw.close();
  }
});
