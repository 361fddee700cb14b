import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageError, type RunCancel } from '@agentwire/gateway';
import { mintToken, startGateway, waitFor } from '@agentwire/testkit';
import { record } from './helpers.js';

test('cancel(runId) reaches onCancel, resolves with its ack, and run_cancelled arrives in the stream', async () => {
  const heard: RunCancel[] = [];
  const gw = await startGateway({
    onCancel: (cancel) => {
      if (cancel.runId === 'run_locked') throw new MessageError('this run cannot be stopped');
      heard.push(cancel);
      return { stopping: cancel.runId };
    },
  });
  const alice = record({ url: gw.wsUrl, token: () => mintToken('alice') });
  try {
    assert.deepEqual(await alice.client.cancel('run_1', { reason: 'stop' }), { stopping: 'run_1' });
    assert.deepEqual(
      heard.map(({ userId, runId, reason, via }) => ({ userId, runId, reason, via })),
      [{ userId: 'alice', runId: 'run_1', reason: 'stop', via: 'frame' }],
    );
    await waitFor(
      () => alice.events.some((e) => e.event.type === 'run_cancelled'),
      'run_cancelled',
    );
    assert.deepEqual(alice.events[0]?.event.data, { reason: 'stop' });
    await assert.rejects(alice.client.cancel('run_locked'), (error: Error & { code: string }) => {
      assert.equal(error.code, 'handler_failed');
      assert.equal(error.message, 'this run cannot be stopped');
      return true;
    });
    alice.client.close();
    await assert.rejects(alice.client.cancel('run_1'), { code: 'closed' });
  } finally {
    alice.client.close();
    await gw.close();
  }
});
