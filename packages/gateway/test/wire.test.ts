import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startGateway } from '@agentwire/testkit';
import { connectUser } from './helpers/harness.js';

// Event frames are built once per event as whole WebSocket frames (src/ws/wire.ts) and written
// as-is to every socket of the user: check each length encoding of RFC 6455 (7-bit, 16-bit and
// 64-bit payload lengths) and non-ASCII text against a real `ws` client.
describe('event frames on the wire', () => {
  it('arrive intact with every payload length encoding, in order, on every tab', async () => {
    const gw = await startGateway({ limits: { maxEventBytes: 200_000 } });
    try {
      const a = await connectUser(gw, 'wire-user');
      const b = await connectUser(gw, 'wire-user');
      const texts = ['', 'x'.repeat(20), 'é✓'.repeat(40), 'y'.repeat(70_000), 'z'.repeat(65_400)];
      const run = gw.gateway.forUser('wire-user').run({ runId: 'run_wire' });
      for (const text of texts) await run.thinking(text);
      for (const client of [a, b]) {
        await client.until(() => client.events().length === texts.length, 5000, 'all events');
        const events = client.events();
        assert.deepEqual(
          events.map((e) => e.seq),
          texts.map((_, i) => i + 1),
        );
        assert.deepEqual(
          events.map((e) => (e.event.data as { text: string }).text),
          texts,
        );
      }
      await a.close();
      await b.close();
    } finally {
      await gw.close();
    }
  });
});
