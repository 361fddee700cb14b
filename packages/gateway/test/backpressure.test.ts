import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode, type ResyncFrame, ResyncReason } from '@agentwire/protocol';
import { startGateway, type TestGateway, waitFor } from '@agentwire/testkit';
import { connectUser, thinking } from './helpers/harness.js';
import { serverConnections, tcpOf } from './helpers/ws-internals.js';

// Lossless backpressure (src/ws/manager.ts `fallBehind`): a connection whose socket holds more
// than `maxBufferedBytes` stops receiving live frames and catches up from history once its
// socket has drained; only one that history no longer covers gets `resync`, and only one that
// stays stuck past `slowConsumerTimeoutMs` is closed with 4008.

const LIMIT = 64 * 1024;
const pad = 'p'.repeat(2000);

/** Publishes in jobs of 50 until the user's one connection falls behind; returns how many. */
async function publishUntilBehind(gw: TestGateway, userId: string): Promise<number> {
  const user = gw.gateway.forUser(userId);
  const [conn] = serverConnections(gw, userId);
  assert.ok(conn);
  let published = 0;
  while (!conn.lagging) {
    assert.ok(published < 20_000, 'the connection fell behind');
    const job = Array.from({ length: 50 }, () => user.publish(thinking(`${published++}:${pad}`)));
    await Promise.all(job);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(
      conn.bufferedBytes <= LIMIT + 64 * 1024 + 4096,
      'memory per slow connection is bounded',
    );
  }
  return published;
}

describe('a connection that falls behind', () => {
  it('stops getting live frames, then catches up from history with 0 loss, deltas coalesced', async () => {
    const gw = await startGateway({
      history: { maxEvents: 100_000 },
      limits: { maxBufferedBytes: LIMIT, slowConsumerTimeoutMs: 20_000 },
    });
    try {
      const client = await connectUser(gw, 'lagging');
      tcpOf(client.ws).pause();
      let total = await publishUntilBehind(gw, 'lagging');
      const [conn] = serverConnections(gw, 'lagging');
      const held = conn?.bufferedBytes ?? 0;
      // While it is behind: events, and a streamed answer, go to history only.
      const run = gw.gateway.forUser('lagging').run({ runId: 'run_lag' });
      for (let i = 0; i < 500; i++) void run.thinking(`${total + i}:${pad}`);
      total += 500;
      for (let i = 0; i < 200; i++) await run.message('m_lag', ` w${i}`);
      total += 200;
      assert.ok((conn?.bufferedBytes ?? 0) <= held, 'nothing more was queued while behind');
      tcpOf(client.ws).resume();
      await client.until(() => client.delivered().length >= total, 20_000, 'every event');
      const seqs = client.delivered().map((e) => e.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: total }, (_, i) => i + 1),
      );
      assert.equal(client.frames.filter((f) => f.type === 'resync').length, 0, 'no resync');
      const deltas = client.frames.filter((f) => f.type === 'deltas');
      assert.ok(deltas.length > 0 && deltas.length <= 4, `${deltas.length} deltas frames for 200`);
      assert.equal(client.closeCode, undefined);
      await client.close();
    } finally {
      await gw.close();
    }
  });

  it('gets resync when history moved past it meanwhile, and continues live', async () => {
    const gw = await startGateway({
      history: { maxEvents: 50 },
      limits: { maxBufferedBytes: LIMIT, slowConsumerTimeoutMs: 20_000 },
    });
    try {
      const client = await connectUser(gw, 'left-behind');
      tcpOf(client.ws).pause();
      await publishUntilBehind(gw, 'left-behind');
      const user = gw.gateway.forUser('left-behind');
      for (let i = 0; i < 200; i++) void user.publish(thinking(`later ${i}:${pad}`));
      tcpOf(client.ws).resume();
      await client.until((f) => f.some((x) => x.type === 'resync'), 20_000, 'resync');
      const resync = client.frames.find((f) => f.type === 'resync') as ResyncFrame;
      assert.equal(resync.reason, ResyncReason.HistoryGap);
      const { seq } = await user.publish(thinking('after the resync'));
      await client.until(() => client.delivered().some((e) => e.seq === seq), 5000, 'live again');
      const after = client.frames.slice(client.frames.indexOf(resync) + 1);
      assert.deepEqual(
        after.map((f) => (f.type === 'event' ? f.seq : f.type)),
        Array.from({ length: seq - resync.seq }, (_, i) => resync.seq + 1 + i),
        'no gap after the resync',
      );
      assert.equal(client.closeCode, undefined);
      await client.close();
    } finally {
      await gw.close();
    }
  });

  it('is closed with 4008 only when it stays stuck past the timeout', async () => {
    const gw = await startGateway({
      limits: { maxBufferedBytes: LIMIT, slowConsumerTimeoutMs: 300 },
    });
    try {
      const client = await connectUser(gw, 'stuck');
      tcpOf(client.ws).pause();
      await publishUntilBehind(gw, 'stuck');
      const [conn] = serverConnections(gw, 'stuck');
      const closedSlow = async () =>
        (await gw.gateway.metrics.closes.get()).values.find(
          (v) => v.labels.code === CloseCode.SlowConsumer,
        )?.value ?? 0;
      assert.equal(await closedSlow(), 0, 'falling behind alone does not close');
      await waitFor(() => conn?.closed === true, 'closed as stuck', 5000);
      assert.equal(await closedSlow(), 1);
      tcpOf(client.ws).resume();
      assert.equal(await client.closed, CloseCode.SlowConsumer);
    } finally {
      await gw.close();
    }
  });
});
