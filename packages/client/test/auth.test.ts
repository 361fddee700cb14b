import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientErrorCode } from '@agentwire/client';
import { mintToken, startGateway, waitFor } from '@agentwire/testkit';
import { record } from './helpers.js';

test('4001 (token expired): one fresh token, then the connection resumes with nothing lost', async () => {
  const gw = await startGateway();
  let calls = 0;
  let short: string | undefined;
  // Calls 1 and 2 (connect, proactive refresh) return the same short-lived token, as a provider
  // with a stale cache would; the gateway closes with 4001 at its exp. Call 3 is a fresh token.
  const token = async () => {
    calls++;
    if (calls <= 2) {
      short ??= await mintToken('alice', 2);
      return short;
    }
    return mintToken('alice', 3600);
  };
  const alice = record({ url: gw.wsUrl, token });
  try {
    await waitFor(() => alice.client.state === 'open', 'open');
    const first = alice.client.connectionId;
    const user = gw.gateway.forUser('alice');
    const before = await user.publish({ type: 'x-note', data: { n: 1 } });
    await waitFor(
      () => alice.client.connectionId !== first && alice.client.state === 'open',
      'reconnect after 4001',
      8_000,
    );
    const afterwards = await user.publish({ type: 'x-note', data: { n: 2 } });
    await waitFor(() => alice.events.length === 2, 'both events');
    assert.deepEqual(
      alice.events.map((e) => e.event.id),
      [before.id, afterwards.id],
    );
    assert.equal(calls, 3);
    assert.equal(alice.client.stats.connects, 2);
    assert.ok(!alice.errors.some((e) => e.code === ClientErrorCode.AuthFailed));
  } finally {
    alice.client.close();
    await gw.close();
  }
});

test('repeated rejection after one fresh token: the client stops and surfaces auth_failed', async () => {
  const gw = await startGateway();
  let calls = 0;
  let first: string | undefined;
  const token = async () => {
    calls++;
    if (calls <= 2) {
      first ??= await mintToken('bob', 2);
      return first;
    }
    return mintToken('bob', -60); // the identity provider only has expired tokens now
  };
  const bob = record({ url: gw.wsUrl, token });
  try {
    await waitFor(() => bob.client.state === 'closed', 'the client to give up', 8_000);
    const failure = bob.errors.find((e) => e.code === ClientErrorCode.AuthFailed);
    assert.ok(failure, JSON.stringify(bob.errors));
    // connect, the 4001 close, then exactly one attempt with a fresh token (refused with 401)
    assert.equal(calls, 3);
    assert.equal(bob.client.stats.connects, 2);
    await assert.rejects(bob.client.send({ hi: 1 }), { code: ClientErrorCode.Closed });
  } finally {
    bob.client.close();
    await gw.close();
  }
});

test('proactive refresh before exp keeps the same connection open past the first token', async () => {
  const gw = await startGateway();
  let calls = 0;
  const token = () => {
    calls++;
    return mintToken('carol', 3);
  };
  const carol = record({ url: gw.wsUrl, token });
  try {
    await waitFor(() => carol.client.state === 'open', 'open');
    const connectionId = carol.client.connectionId;
    const started = Date.now();
    await waitFor(() => carol.client.stats.refreshes >= 2, 'two refreshes', 10_000);
    assert.ok(Date.now() - started > 3_000, 'outlived the first token');
    const published = await gw.gateway.forUser('carol').publish({ type: 'x-note', data: {} });
    await waitFor(() => carol.events.length === 1, 'event');
    assert.equal(carol.events[0]?.event.id, published.id);
    assert.equal(carol.client.connectionId, connectionId);
    assert.equal(carol.client.stats.connects, 1);
    assert.ok(calls >= 3);
    assert.deepEqual(carol.errors, []);
  } finally {
    carol.client.close();
    await gw.close();
  }
});

test('4009 (too many connections) is final: no reconnect, a final_close error', async () => {
  const gw = await startGateway({ limits: { maxConnectionsPerUser: 1 } });
  const one = record({ url: gw.wsUrl, token: () => mintToken('dave') });
  try {
    await waitFor(() => one.client.state === 'open', 'first open');
    const two = record({ url: gw.wsUrl, token: () => mintToken('dave') });
    await waitFor(() => two.client.state === 'closed', 'second closed');
    assert.equal(two.errors[0]?.code, ClientErrorCode.FinalClose);
    assert.equal(two.errors[0]?.closeCode, 4009);
    assert.equal(two.client.stats.connects, 1);
    assert.equal(one.client.state, 'open');
  } finally {
    one.client.close();
    await gw.close();
  }
});

test('a ticket provider connects with ?ticket= (no JWT in the URL)', async () => {
  const gw = await startGateway();
  const jwt = await mintToken('erin');
  const urls: string[] = [];
  const ticket = async () => {
    const res = await fetch(`http://127.0.0.1:${gw.port}/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}` },
    });
    return ((await res.json()) as { ticket: string }).ticket;
  };
  const { nodeTransport } = await import('@agentwire/client');
  const inner = nodeTransport();
  const erin = record({
    url: gw.wsUrl,
    ticket,
    transport: (url, protocols, handlers) => {
      urls.push(url);
      assert.deepEqual(protocols, ['agentwire.v1']);
      return inner(url, protocols, handlers);
    },
  });
  try {
    await waitFor(() => erin.client.state === 'open', 'open');
    assert.equal(erin.client.userId, 'erin');
    assert.match(urls[0] ?? '', /\?ticket=/);
    assert.ok(!urls[0]?.includes(jwt));
    erin.client.reconnect();
    await waitFor(() => erin.client.stats.connects === 2 && erin.client.state === 'open', 'reopen');
    assert.notEqual(
      new URL(urls[0] ?? '').searchParams.get('ticket'),
      new URL(urls[1] ?? '').searchParams.get('ticket'),
    );
  } finally {
    erin.client.close();
    await gw.close();
  }
});

test('an upgrade refused with a non-retryable HTTP status (404) is final; 401 is not', async () => {
  const gw = await startGateway();
  const lost = record({ url: `ws://127.0.0.1:${gw.port}/not-ws`, token: () => mintToken('gina') });
  try {
    await waitFor(() => lost.client.state === 'closed', 'closed');
    assert.equal(lost.errors[0]?.code, ClientErrorCode.FinalClose);
    assert.match(lost.errors[0]?.message ?? '', /HTTP 404/);
    assert.equal(lost.client.stats.connects, 1);
  } finally {
    lost.client.close();
    await gw.close();
  }
});
