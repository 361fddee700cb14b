// Fault suite: a slow consumer (a real socket that reads, but slowly) is closed with 4008 and
// actually sees the 4008 — the frames the server had not handed to the kernel are dropped, so the
// close frame is not stuck behind the whole backlog until the socket is terminated (1006).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode } from '@agentwire/protocol';
import { startGateway } from '@agentwire/testkit';
import { connectUser, thinking } from '../helpers/harness.js';
import { tcpOf } from '../helpers/ws-internals.js';

describe('faults: slow consumer', () => {
  it('a socket that reads slowly receives close 4008 right behind what the kernel holds (the backlog is dropped), and other users are not held up', async (t) => {
    const limit = 8 * 1024 * 1024;
    const gw = await startGateway({
      limits: { maxBufferedBytes: limit, slowConsumerTimeoutMs: 300 },
    });
    t.after(() => gw.close());
    const slow = await connectUser(gw, 'slowpoke');
    const fast = await connectUser(gw, 'quick');
    const tcp = tcpOf(slow.ws);
    tcp.pause();
    const closedBySlowLimit = async () =>
      (await gw.gateway.metrics.closes.get()).values.some(
        (v) => v.labels.code === CloseCode.SlowConsumer && v.value > 0,
      );
    const payload = 'z'.repeat(16_000);
    let published = 0;
    // Bounded by time, not by count: 4008 comes only after slowConsumerTimeoutMs stuck, and an idle
    // machine publishes any fixed count faster than that.
    const deadline = Date.now() + 10_000;
    while (!(await closedBySlowLimit()) && Date.now() < deadline) {
      await gw.gateway.forUser('slowpoke').publish(thinking(payload));
      await gw.gateway.forUser('quick').publish(thinking(`q${published}`));
      published++;
      if (published % 16 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    assert.ok(await closedBySlowLimit(), 'the limit was hit');
    // Read slowly: one read (at most 64 KB) every 20 ms, ~3 MB/s.
    let bytes = 0;
    const started = Date.now();
    tcp.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      tcp.pause();
    });
    const reading = setInterval(() => tcp.resume(), 20);
    t.after(() => clearInterval(reading));
    const code = await slow.closed;
    clearInterval(reading);
    assert.equal(
      code,
      CloseCode.SlowConsumer,
      `after ${bytes} bytes in ${Date.now() - started} ms`,
    );
    // The queued backlog (the limit's worth) was dropped, not sent: before the close frame came
    // only what the kernel held already (Linux: a few MB of socket buffers) and the socket's
    // high-water mark.
    assert.ok(bytes < limit, `${bytes} bytes came before the close frame`);
    await fast.until(() => fast.events().length === published, 5000, 'the other user got all');
    await fast.close();
  });
});
