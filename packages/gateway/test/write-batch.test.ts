import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { CloseCode, ErrorCode } from '@agentwire/protocol';
import { startGateway, type TestGateway } from '@agentwire/testkit';
import type { Connection } from '../src/ws/connection.js';
import { connectUser, thinking } from './helpers/harness.js';
import { serverConnections, tcpOf } from './helpers/ws-internals.js';

/**
 * Connects `userId` once and returns the client with the gateway's side of it (the manager is
 * private: no API sends to one connection).
 */
async function connectBothEnds(gw: TestGateway, userId: string) {
  const client = await connectUser(gw, userId);
  const conns = serverConnections(gw, userId);
  assert.equal(conns.length, 1);
  return { client, conn: conns[0] as Connection };
}

/** Counts the server socket's writes: `_write` for one buffer, `_writev` for several at once. */
function countWrites(conn: Connection) {
  const tcp = tcpOf(conn.socket) as Socket & {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  const counts = { write: 0, writev: 0, chunks: 0 };
  const write = tcp._write;
  const writev = tcp._writev;
  tcp._write = function (this: unknown, ...args: unknown[]) {
    counts.write++;
    counts.chunks++;
    return write.apply(this, args);
  };
  tcp._writev = function (this: unknown, ...args: unknown[]) {
    counts.writev++;
    counts.chunks += (args[0] as unknown[]).length;
    return writev.apply(this, args);
  };
  return counts;
}

// Event frames go to sockets when the job that published them is done (src/ws/write-batch.ts).
describe('write batch', () => {
  it('writes the frames one job published to a socket with one writev, in order', async () => {
    const gw = await startGateway();
    try {
      const { client, conn } = await connectBothEnds(gw, 'batch-user');
      const counts = countWrites(conn);
      const run = gw.gateway.forUser('batch-user').run({ runId: 'run_batch' });
      // One synchronous loop: one job.
      const published = Array.from({ length: 20 }, (_, i) => run.thinking(`t${i}`));
      assert.equal(counts.chunks, 0, 'nothing is written while the job runs');
      await Promise.all(published);
      await client.until(() => client.events().length === 20);
      assert.deepEqual(counts, { write: 0, writev: 1, chunks: 20 });
      assert.deepEqual(
        client.events().map((e) => (e.event.data as { text: string }).text),
        Array.from({ length: 20 }, (_, i) => `t${i}`),
      );
      // Publishes awaited one by one are separate jobs: a write each.
      for (let i = 20; i < 23; i++) await run.thinking(`t${i}`);
      await client.until(() => client.events().length === 23);
      assert.deepEqual(counts, { write: 3, writev: 1, chunks: 23 });
      await client.close();
    } finally {
      await gw.close();
    }
  });

  it('writes a long job as it goes: a fast reader of 6 MB in one job is not a slow consumer', async () => {
    const gw = await startGateway(); // the default 4 MB limit of bytes queued per socket
    try {
      const client = await connectUser(gw, 'big-job-user');
      const run = gw.gateway.forUser('big-job-user').run({ runId: 'run_big' });
      const text = 'b'.repeat(20_000);
      const count = 300;
      for (let i = 0; i < count; i++) void run.thinking(`${i}:${text}`);
      await client.until(() => client.events().length === count, 10_000, 'every event');
      assert.equal(client.closeCode, undefined);
      await client.close();
    } finally {
      await gw.close();
    }
  });

  it('sends a frame after the event frames queued before it', async () => {
    const gw = await startGateway();
    try {
      const { client, conn } = await connectBothEnds(gw, 'order-user');
      const user = gw.gateway.forUser('order-user');
      for (let i = 0; i < 3; i++) void user.publish(thinking(`q${i}`));
      conn.sendError(ErrorCode.InvalidField, 'after the events');
      await client.until((f) => f.some((x) => x.type === 'error'));
      assert.deepEqual(
        client.frames.slice(1).map((f) => f.type),
        ['event', 'event', 'event', 'error'],
      );
      await client.close();
    } finally {
      await gw.close();
    }
  });

  it('writes queued frames before a close (drain)', async () => {
    const gw = await startGateway({ drainTimeoutMs: 2000 });
    const client = await connectUser(gw, 'drain-user');
    const user = gw.gateway.forUser('drain-user');
    for (let i = 0; i < 5; i++) void user.publish(thinking(`d${i}`));
    const closing = gw.close(); // in the same job as the publishes
    assert.equal(await client.closed, CloseCode.ServiceRestart);
    await closing;
    assert.deepEqual(
      client.events().map((e) => e.seq),
      [1, 2, 3, 4, 5],
    );
  });
});
