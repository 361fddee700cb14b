import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Engine, MemoryEngine } from '@agentwire/gateway';
import { CloseCode, ErrorCode } from '@agentwire/protocol';
import { mintToken, startGateway, type TestGateway } from '@agentwire/testkit';
import { connectUser, openClient, type TestClient, thinking } from '../helpers/harness.js';
import { serverConnections, tcpOf } from '../helpers/ws-internals.js';

describe('I5 bounded resources', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({
      limits: {
        maxConnectionsPerUser: 2,
        maxFrameBytes: 4096,
        maxBufferedBytes: 256 * 1024,
        // A connection that falls behind and does not drain for this long is closed with 4008.
        slowConsumerTimeoutMs: 100,
        rateBurst: 5,
        ratePerSecond: 1,
        maxProtocolErrors: 1000,
      },
      history: { maxEvents: 10, maxAgeMs: 60_000 },
    });
  });
  after(() => gw.close());

  it('refuses a connection over the per-user cap with 4009, keeping the others', async () => {
    const a = await connectUser(gw, 'cap');
    const b = await connectUser(gw, 'cap');
    const c = openClient(gw.wsUrl, { token: await mintToken('cap') });
    assert.equal(await c.closed, CloseCode.TooManyConnections);
    await gw.gateway.forUser('cap').publish(thinking('still here'));
    await a.until(() => a.events().length === 1);
    await b.until(() => b.events().length === 1);
    await a.close();
    const d = await connectUser(gw, 'cap');
    assert.equal(d.welcome().type, 'welcome', 'a freed slot can be used again');
    await b.close();
    await d.close();
  });

  it('closes a connection that sends a frame over the limit with 1009', async () => {
    const big = await connectUser(gw, 'big');
    const bystander = await connectUser(gw, 'bystander');
    big.send({ type: 'message', id: 'm', data: 'x'.repeat(8000) });
    assert.equal(await big.closed, CloseCode.MessageTooBig);
    await gw.gateway.forUser('bystander').publish(thinking('unaffected'));
    await bystander.until(() => bystander.events().length === 1);
    await bystander.close();
  });

  it('rate-limits inbound frames per connection with an error frame', async () => {
    const c = await connectUser(gw, 'chatty');
    for (let i = 0; i < 10; i++) c.send({ type: 'ping', id: String(i) });
    await c.until((f) => f.filter((x) => x.type === 'pong' || x.type === 'error').length === 10);
    const pongs = c.frames.filter((f) => f.type === 'pong').length;
    const limited = c.frames.filter(
      (f) => f.type === 'error' && f.code === ErrorCode.RateLimited,
    ).length;
    assert.ok(pongs >= 5 && pongs <= 6, `burst of 5 (+refill) answered, got ${pongs}`);
    assert.equal(pongs + limited, 10);
    await c.close();
  });

  it('closes a slow consumer with 4008 without delaying other users, and memory stays bounded', async () => {
    const slow = await connectUser(gw, 'slow');
    const fast = await connectUser(gw, 'fast');
    // Stop reading: the kernel buffers fill, then the server-side queue grows.
    tcpOf(slow.ws).pause();
    const payload = 'y'.repeat(30_000);
    const slowUser = gw.gateway.forUser('slow');
    const fastUser = gw.gateway.forUser('fast');
    const slowClosures = async () =>
      (await gw.gateway.metrics.closes.get()).values.find(
        (v) => v.labels.code === CloseCode.SlowConsumer,
      )?.value ?? 0;
    let published = 0;
    while ((await slowClosures()) === 0 && published < 2000) {
      await slowUser.publish(thinking(payload));
      await fastUser.publish(thinking(`f${published}`));
      published++;
      if (published % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.ok(published < 2000, 'the server gave up on the slow consumer');
    // Queued bytes stayed near the limit: the server stopped writing once it was passed.
    for (const conn of serverConnections(gw, 'slow')) {
      assert.ok(conn.socket.bufferedAmount < 256 * 1024 + 64 * 1024);
    }
    tcpOf(slow.ws).resume();
    assert.equal(await slow.closed, CloseCode.SlowConsumer);
    await fast.until(() => fast.events().length === published, 5000, 'fast user got everything');
    const seqs = fast.events().map((e) => e.seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
    );
    await fast.close();
  });
});

// History's memory is reused, not left to the GC (engine/history-chunks.ts), so every frame the
// connection manager hands to a socket must come back: live, replayed, queued while a replay
// runs, buffered by a socket that reads slowly, and buffered by one that goes away.
describe('I5 history memory comes back from every socket', () => {
  it('returns every chunk once each socket has sent or dropped its frames', async () => {
    const gw = await startGateway({
      history: { maxEvents: 8, maxAgeMs: 300 },
      limits: { maxBufferedBytes: 64 * 1024 * 1024 },
    });
    try {
      const engine = gw.gateway.engine as MemoryEngine;
      const user = gw.gateway.forUser('mem');
      const pad = 'm'.repeat(2000);
      const reader = await connectUser(gw, 'mem');
      const paused = await connectUser(gw, 'mem');
      const leaving = await connectUser(gw, 'mem');
      tcpOf(paused.ws).pause();
      tcpOf(leaving.ws).pause();
      let resumed: TestClient | undefined;
      const count = 3000;
      for (let i = 1; i <= count; i++) {
        await user.publish(thinking(`${i}:${pad}`));
        if (i === 1500) {
          // Resume from a few events back, publishing while the replay is in flight.
          const epoch = reader.welcome().epoch;
          const resuming = connectUser(gw, 'mem', { resume: { epoch, after: i - 5 } });
          await user.publish(thinking(`${++i}:${pad}`));
          resumed = await resuming;
          assert.equal(resumed.welcome().resumed, true);
        }
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      // `leaving` goes away with frames still buffered on the server.
      tcpOf(leaving.ws).destroy();
      await leaving.closed;
      tcpOf(paused.ws).resume();
      await paused.until(() => paused.events().length === count, 20_000, 'paused got all');
      const last = await user.publish(thinking('last')); // a write after the flush
      for (const c of [reader, paused]) {
        await c.until(() => c.events().length === count + 1, 5000, 'everything');
        for (const [i, e] of c.events().slice(0, count).entries()) {
          assert.equal((e.event.data as { text: string }).text, `${i + 1}:${pad}`);
        }
      }
      if (!resumed) throw new Error('no resumed connection');
      await resumed.until((f) => f.some((e) => e.type === 'event' && e.seq === last.seq));
      const seqs = resumed.events().map((e) => e.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: seqs.length }, (_, i) => 1496 + i),
      );
      // While connected, only history's window (8 events of ~2 KB) holds chunks.
      assert.ok(engine.memory.allocatedBytes > 0, 'history used pooled chunks');
      const inUse = engine.memory.allocatedBytes - engine.memory.freeBytes;
      assert.ok(
        inUse <= 3 * 16 * 1024,
        `${inUse} bytes of chunks in use after the sockets sent all`,
      );
      for (const c of [reader, paused, resumed]) await c.close();
      // Everything ages out of history: every chunk must now be free.
      await new Promise((r) => setTimeout(r, 400));
      engine.sweep();
      // (The engine's own sweeps may have let go of free chunks meanwhile; held ones stay counted.)
      const { allocatedBytes, freeBytes } = engine.memory;
      assert.equal(freeBytes, allocatedBytes, 'chunks still held after every socket closed');
    } finally {
      await gw.close();
    }
  });

  it('returns the events a connection queued while its replay was read', async () => {
    const memory = new MemoryEngine({
      history: { maxEvents: 64, maxAgeMs: 300 },
      sweepIntervalMs: 0,
    });
    // The real engine, with publishes landing while the manager awaits a replay's read: the new
    // connection is registered but not live, so it queues them.
    let duringRead: (() => void) | undefined;
    const engine: Engine = Object.assign(Object.create(memory) as MemoryEngine, {
      async read(userId: string, after: number) {
        const read = await memory.read(userId, after);
        duringRead?.();
        return read;
      },
    });
    const gw = await startGateway({ engine });
    try {
      const user = gw.gateway.forUser('queued');
      const first = await connectUser(gw, 'queued');
      for (let i = 1; i <= 20; i++) await user.publish(thinking(`e${i}`));
      await first.until(() => first.events().length === 20);
      duringRead = () => {
        duringRead = undefined;
        for (let i = 21; i <= 40; i++) void user.publish(thinking(`e${i}`));
      };
      const epoch = first.welcome().epoch;
      const resumed = await connectUser(gw, 'queued', { resume: { epoch, after: 10 } });
      await resumed.until(() => resumed.events().length === 30, 5000, 'replay and queue');
      assert.deepEqual(
        resumed.events().map((e) => (e.event.data as { text: string }).text),
        Array.from({ length: 30 }, (_, i) => `e${i + 11}`),
      );
      await first.until(() => first.events().length === 40);
      await first.close();
      await resumed.close();
      await new Promise((r) => setTimeout(r, 400));
      memory.sweep();
      assert.ok(memory.memory.allocatedBytes > 0);
      assert.equal(memory.memory.freeBytes, memory.memory.allocatedBytes, 'queued events held');
    } finally {
      await gw.close();
      await memory.close();
    }
  });
});
