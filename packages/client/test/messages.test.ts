import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClientErrorCode, connect } from '@agentwire/client';
import { MessageError } from '@agentwire/gateway';
import { mintToken, startGateway, type TestGateway, waitFor } from '@agentwire/testkit';
import { record } from './helpers.js';

let gw: TestGateway;
const received: { userId: string; data: unknown }[] = [];
before(async () => {
  gw = await startGateway({
    onMessage: async ({ userId, data }) => {
      received.push({ userId, data });
      const body = data as { op?: string };
      if (body.op === 'fail') throw new MessageError('cannot do that');
      if (body.op === 'hang') return new Promise(() => {});
      return { echoed: data, by: userId };
    },
  });
});
after(async () => {
  await gw.close();
});

test('send resolves with the ack data; a handler error rejects with its message', async () => {
  const alice = record({ url: gw.wsUrl, token: () => mintToken('alice') });
  try {
    assert.deepEqual(await alice.client.send({ op: 'echo', n: 1 }), {
      echoed: { op: 'echo', n: 1 },
      by: 'alice',
    });
    await assert.rejects(alice.client.send({ op: 'fail' }), (error: Error & { code: string }) => {
      assert.equal(error.code, 'handler_failed');
      assert.equal(error.message, 'cannot do that');
      return true;
    });
  } finally {
    alice.client.close();
  }
});

test('no answer within messageTimeoutMs rejects with timeout', async () => {
  const bob = record({ url: gw.wsUrl, token: () => mintToken('bob'), messageTimeoutMs: 200 });
  try {
    await assert.rejects(bob.client.send({ op: 'hang' }), { code: ClientErrorCode.Timeout });
  } finally {
    bob.client.close();
  }
});

test('the offline queue is bounded and flushed in order once connected', async () => {
  const carol = connect({
    url: gw.wsUrl,
    token: () => mintToken('carol'),
    onResync: () => {},
    autoConnect: false,
    maxQueuedMessages: 3,
  });
  try {
    const queued = [1, 2, 3].map((n) => carol.send({ op: 'echo', n }));
    assert.equal(carol.queuedMessages, 3);
    await assert.rejects(carol.send({ op: 'echo', n: 4 }), { code: ClientErrorCode.QueueFull });
    const start = received.length;
    carol.connect();
    const acks = (await Promise.all(queued)) as { echoed: { n: number } }[];
    assert.deepEqual(
      acks.map((a) => a.echoed.n),
      [1, 2, 3],
    );
    assert.deepEqual(
      received.slice(start).map((r) => (r.data as { n: number }).n),
      [1, 2, 3],
    );
    assert.equal(carol.queuedMessages, 0);
  } finally {
    carol.close();
  }
});

test('close() rejects queued messages; a gateway without a handler answers no_handler', async () => {
  const dave = connect({
    url: gw.wsUrl,
    token: () => mintToken('dave'),
    onResync: () => {},
    autoConnect: false,
  });
  const pending = dave.send({ op: 'echo' });
  dave.close();
  await assert.rejects(pending, { code: ClientErrorCode.Closed });

  const bare = await startGateway();
  const erin = record({ url: bare.wsUrl, token: () => mintToken('erin') });
  try {
    await assert.rejects(erin.client.send({}), { code: 'no_handler' });
    await waitFor(() => erin.client.state === 'open', 'still open');
  } finally {
    erin.client.close();
    await bare.close();
  }
});
