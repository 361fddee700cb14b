import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startGateway } from '@agentwire/testkit';
import { connectUser } from './helpers/harness.js';
import { tcpOf } from './helpers/ws-internals.js';

// Event frames are built once per event as whole WebSocket frames (src/codec/event-frame.ts) and written
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

// A frame's length encoding (RFC 6455 §5.2: 7 bits up to 125 bytes, 16 bits up to 65535, 64
// bits above) follows the payload's UTF-8 length, which for non-ASCII text is not its length in
// characters: payloads of exactly 125/126 and 65535/65536 bytes — in ASCII and in 2-, 3- and
// 4-byte characters — must each get the right encoding, live and when replayed from history.
describe('event frames at the length-encoding boundaries', () => {
  const TS = '2026-12-02T00:00:00.000Z';
  const payloadBytes = (seq: number, id: string, text: string) =>
    Buffer.byteLength(
      `{"type":"event","seq":${seq},"event":${JSON.stringify({ id, type: 'x-size', ts: TS, data: text })}}`,
    );
  /** A text of `char`s padded with 'x' whose event frame for `seq` has exactly `target` bytes. */
  function textFor(seq: number, id: string, char: string, target: number): string {
    // None of the characters used needs escaping in JSON: each adds its UTF-8 bytes.
    const width = Buffer.byteLength(char);
    const base = char.repeat(Math.floor((target - payloadBytes(seq, id, '')) / width));
    const text = base + 'x'.repeat(target - payloadBytes(seq, id, base));
    assert.equal(payloadBytes(seq, id, text), target);
    return text;
  }

  it('get the right header for payloads of 125/126 and 65535/65536 bytes, live and replayed', async () => {
    const gw = await startGateway({ limits: { maxEventBytes: 200_000 } });
    try {
      const live = await connectUser(gw, 'boundary-user');
      // Attached after the welcome frame: it sees the event frames only.
      const sizes: number[] = [];
      live.ws.on('message', (data: Buffer) => sizes.push(data.length));
      const targets = [125, 126, 65_535, 65_536];
      const chars = ['x', 'é', '✓', '😀'];
      const texts: string[] = [];
      const user = gw.gateway.forUser('boundary-user');
      for (const target of targets) {
        for (const char of chars) {
          const seq = texts.length + 1;
          const id = `b${seq}`;
          const text = textFor(seq, id, char, target);
          texts.push(text);
          await user.publish({ id, type: 'x-size', ts: TS, data: text });
        }
      }
      const expectSizes = targets.flatMap((t) => chars.map(() => t));
      await live.until(() => live.events().length === texts.length, 5000, 'all events');
      assert.deepEqual(sizes, expectSizes, 'payload bytes of each frame');
      assert.deepEqual(
        live.events().map((e) => e.event.data),
        texts,
      );
      const { epoch } = live.welcome();
      const replayed = await connectUser(gw, 'boundary-user', { resume: { epoch, after: 0 } });
      await replayed.until(() => replayed.events().length === texts.length, 5000, 'replay');
      assert.deepEqual(
        replayed.events().map((e) => [e.seq, e.event.id, e.event.data]),
        texts.map((text, i) => [i + 1, `b${i + 1}`, text]),
      );
      await live.close();
      await replayed.close();
    } finally {
      await gw.close();
    }
  });
});

// History reuses the memory of chunks whose frames every socket took whole. A socket that
// buffers a frame (its peer reads slowly) keeps a view of those bytes until it sends them: they
// must stay as they were while history moves on and reuses the rest.
describe('event frames a socket buffered', () => {
  it('arrive intact while history reuses its memory', async () => {
    const gw = await startGateway({
      history: { maxEvents: 8 },
      limits: { maxBufferedBytes: 256 * 1024 * 1024 },
    });
    try {
      const client = await connectUser(gw, 'paused-user');
      const tcp = tcpOf(client.ws);
      tcp.pause(); // the kernel's buffers fill, then the server's socket buffers the rest
      const run = gw.gateway.forUser('paused-user').run({ runId: 'run_paused' });
      const count = 10_000;
      const pad = 'p'.repeat(4000);
      for (let i = 0; i < count; i++) run.thinking(`${i}:${pad}`).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 200));
      tcp.resume();
      await client.until(() => client.events().length === count, 20_000, 'every event');
      const events = client.events();
      for (const [i, e] of events.entries()) {
        assert.equal(e.seq, i + 1);
        assert.equal((e.event.data as { text: string }).text, `${i}:${pad}`);
      }
      await client.close();
    } finally {
      await gw.close();
    }
  });
});
