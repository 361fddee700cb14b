import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { nodeTransport, type Transport } from '@agentwire/client';
import type { PublishResult } from '@agentwire/protocol';
import { mintToken, startGateway, type TestGateway, waitFor } from '@agentwire/testkit';
import { record } from './helpers.js';

let gw: TestGateway;
before(async () => {
  gw = await startGateway();
});
after(async () => {
  await gw.close();
});

/**
 * A real `ws` transport with a faulty network layer on the receive side: `mangle` decides what
 * the client gets for each text frame (a relay that repeats or loses frames).
 */
function faultyTransport(
  mangle: (text: string, deliver: (text: string) => void) => void,
): Transport {
  const inner = nodeTransport();
  return (url, protocols, handlers) =>
    inner(url, protocols, {
      ...handlers,
      message: (text) => mangle(text, handlers.message),
    });
}

async function publishNotes(userId: string, n: number): Promise<PublishResult[]> {
  const user = gw.gateway.forUser(userId);
  const out: PublishResult[] = [];
  for (let i = 0; i < n; i++) out.push(await user.publish({ type: 'x-note', data: { i } }));
  return out;
}

test('duplicated and replayed frames are dropped by seq: each event is delivered once, in order', async () => {
  const seen: string[] = [];
  const transport = faultyTransport((text, deliver) => {
    deliver(text);
    if (!text.startsWith('{"type":"event"')) return;
    deliver(text); // every event frame twice
    seen.push(text);
    if (seen.length % 5 === 0) deliver(seen[seen.length - 4] as string); // and an older one again
  });
  const alice = record({ url: gw.wsUrl, token: () => mintToken('alice'), transport });
  try {
    await waitFor(() => alice.client.state === 'open', 'open');
    const published = await publishNotes('alice', 30);
    await waitFor(() => alice.client.position?.seq === published.at(-1)?.seq, 'all events');
    assert.deepEqual(
      alice.events.map((e) => e.event.id),
      published.map((p) => p.id),
    );
    assert.equal(alice.client.stats.duplicatesDropped, 30 + 6);
  } finally {
    alice.client.close();
  }
});

test('a lost frame (a gap in seq) makes the client resume from the last delivered event', async () => {
  let dropped = false;
  const transport = faultyTransport((text, deliver) => {
    if (!dropped && text.startsWith('{"type":"event","seq":4,')) {
      dropped = true;
      return;
    }
    deliver(text);
  });
  const bob = record({
    url: gw.wsUrl,
    token: () => mintToken('bob'),
    transport,
    reconnect: { initialDelayMs: 10, minDelayMs: 5 },
  });
  try {
    await waitFor(() => bob.client.state === 'open', 'open');
    const published = await publishNotes('bob', 10);
    await waitFor(() => bob.client.position?.seq === published.at(-1)?.seq, 'all events');
    assert.ok(dropped);
    assert.equal(bob.client.stats.gaps, 1);
    assert.equal(bob.client.stats.connects, 2);
    assert.deepEqual(
      bob.events.map((e) => e.seq),
      published.map((p) => p.seq),
    );
  } finally {
    bob.client.close();
  }
});
