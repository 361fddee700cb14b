import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryEngine } from '@agentwire/gateway';
import { engineConformance } from './conformance.js';

engineConformance('memory', {
  create: async (history, now) =>
    new MemoryEngine({ history, sweepIntervalMs: 0, ...(now !== undefined && { now }) }),
});

describe('MemoryEngine', () => {
  it('sweeps idle streams and starts a new epoch when the user comes back', async () => {
    let now = 0;
    const engine = new MemoryEngine({
      history: { maxEvents: 10, maxAgeMs: 1000 },
      now: () => now,
      sweepIntervalMs: 0,
    });
    await engine.append('u', 'a', '{}');
    const before = await engine.head('u');
    const unsubscribe = await engine.subscribe('u', () => {});
    now += 5000;
    engine.sweep();
    assert.equal(engine.streamCount, 1, 'a stream with a listener is kept');
    await unsubscribe();
    now += 5000;
    engine.sweep();
    assert.equal(engine.streamCount, 0);
    const after = await engine.head('u');
    assert.equal(after.seq, 0);
    assert.notEqual(after.epoch, before.epoch);
    await engine.close();
  });

  it('keeps trimming amortised over long streams', async () => {
    const engine = new MemoryEngine({
      history: { maxEvents: 3, maxAgeMs: 60_000 },
      sweepIntervalMs: 0,
    });
    for (let i = 1; i <= 1000; i++) engine.appendSync('u', `e${i}`, String(i));
    const read = await engine.read('u', 0);
    assert.deepEqual(
      read.events.map((e) => e.seq),
      [998, 999, 1000],
    );
    assert.deepEqual(
      (await engine.read('u', 998)).events.map((e) => e.json),
      ['999', '1000'],
    );
    await engine.close();
  });
});

/** Decodes a server → client WebSocket text frame (RFC 6455, unmasked) into its JSON payload. */
function decodeFrame(frame: Buffer): unknown {
  assert.equal(frame[0], 0x81, 'FIN + text opcode');
  const length7 = (frame[1] as number) & 0x7f;
  assert.equal((frame[1] as number) & 0x80, 0, 'unmasked');
  const [start, length] =
    length7 < 126
      ? [2, length7]
      : length7 === 126
        ? [4, frame.readUInt16BE(2)]
        : [10, frame.readUInt32BE(6)];
  assert.equal(frame.length, start + length, 'frame length matches its header');
  return JSON.parse(frame.subarray(start).toString('utf8'));
}

describe('MemoryEngine history window (frames in byte chunks, ring index)', () => {
  it('reuses the memory of a full window only where every frame handed out was released', () => {
    const engine = new MemoryEngine({
      history: { maxEvents: 4, maxAgeMs: 60_000 },
      sweepIntervalMs: 0,
    });
    const buffers = new Set<ArrayBufferLike>();
    const kept: { frame: Buffer; bytes: Buffer }[] = [];
    let keepEvery = 0;
    void engine.subscribe('u', (_u, e) => {
      assert.ok(e.frame);
      buffers.add(e.frame.buffer);
      if (keepEvery > 0 && e.seq % keepEvery === 0) {
        kept.push({ frame: e.frame, bytes: Buffer.from(e.frame) });
      } else {
        e.release?.();
      }
    });
    const json = (i: number) => JSON.stringify({ i, text: 'x'.repeat(180) });
    // Everything released: the stream settles on a few chunks instead of one per ~16 KB.
    for (let i = 0; i < 3000; i++) engine.appendSync('u', `a${i}`, json(i));
    assert.ok(buffers.size <= 8, `${buffers.size} chunks for 3,000 released events`);
    // Every 300th frame kept: its chunk is never written again; the others are still reused.
    buffers.clear();
    keepEvery = 300;
    for (let i = 0; i < 6000; i++) engine.appendSync('u', `b${i}`, json(i));
    assert.equal(kept.length, 20);
    for (const k of kept) assert.ok(k.frame.equals(k.bytes), 'a kept frame changed');
    assert.ok(buffers.size <= 8 + kept.length, `${buffers.size} chunks with 20 kept frames`);
    void engine.close();
  });

  it('matches a reference model under random appends, duplicates, ageing, trims and reads', async () => {
    // A seeded generator: the same sequence on every run, so a failure is reproducible.
    let state = 0x2545f491;
    const rand = (n: number) => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    const limits = { maxEvents: 37, maxAgeMs: 1000 };
    let now = 0;
    const engine = new MemoryEngine({ history: limits, now: () => now, sweepIntervalMs: 0 });
    const users = ['a', 'b', 'ü-user'];
    // The reference: every event ever appended per user; history is the suffix within limits.
    const model = new Map<string, { seq: number; id: string; json: string; at: number }[]>();
    const live = new Map<string, { seq: number; json: string; frame: unknown }[]>();
    // Most events are released at once (their chunks may then be reused); the others keep their
    // frame, whose bytes must never change while kept.
    const kept: { frame: Buffer; bytes: Buffer; seq: number; release: () => void }[] = [];
    const keepOrRelease = (e: { seq: number; frame?: Buffer; release?: () => void }) => {
      if (rand(4) !== 0) e.release?.();
      else if (e.frame && e.release) {
        kept.push({
          frame: e.frame,
          bytes: Buffer.from(e.frame),
          seq: e.seq,
          release: () => e.release?.(),
        });
      }
    };
    for (const user of users) {
      model.set(user, []);
      live.set(user, []);
      await engine.subscribe(user, (u, e) => {
        live.get(u)?.push({ seq: e.seq, json: e.json, frame: e.frame && decodeFrame(e.frame) });
        keepOrRelease(e);
      });
    }
    const held = (user: string) => {
      const all = model.get(user) ?? [];
      const young = all.filter((e) => e.at >= now - limits.maxAgeMs);
      return young.slice(Math.max(0, young.length - limits.maxEvents));
    };
    const texts = ['', 'x', 'é✓', '漢字'.repeat(50), 'y'.repeat(3000), 'z'.repeat(20_000)];
    let generated = 0;
    for (let step = 0; step < 4000; step++) {
      const user = users[rand(users.length)] as string;
      const all = model.get(user) ?? [];
      const op = rand(100);
      if (op < 70) {
        // Append: a fresh gateway id, a caller id (ASCII or not), or a repeat of a recent id.
        const kind = rand(4);
        const repeat =
          all.length > 0 && kind === 3
            ? all[all.length - 1 - rand(Math.min(all.length, 60))]
            : undefined;
        const id = repeat
          ? repeat.id
          : kind === 0
            ? `gen_${generated++}`
            : kind === 1
              ? `caller-${step}`
              : `ид-${step}-\u{1f600}`;
        const fresh = kind === 0;
        const json = JSON.stringify({ step, text: texts[rand(texts.length)] });
        const inHistory = held(user).find((e) => e.id === id);
        const result = engine.appendSync(user, id, json, fresh);
        if (inHistory) {
          assert.deepEqual(
            [result.seq, result.duplicate],
            [inHistory.seq, true],
            `duplicate of ${id}`,
          );
        } else {
          const seq = (all[all.length - 1]?.seq ?? 0) + 1;
          assert.deepEqual([result.seq, result.duplicate], [seq, false], `append ${id}`);
          all.push({ seq, id, json, at: now });
        }
      } else if (op < 80) {
        now += rand(400);
      } else if (op < 82) {
        now += limits.maxAgeMs + 1; // everything ages out: the window empties and is freed
        engine.sweep();
      } else {
        const expected = held(user);
        const head = all[all.length - 1]?.seq ?? 0;
        const after = rand(head + 2);
        const read = await engine.read(user, after);
        const want = expected.filter((e) => e.seq > after);
        assert.equal(read.seq, head);
        assert.deepEqual(
          read.events.map((e) => [e.seq, e.id, e.json]),
          want.map((e) => [e.seq, e.id, e.json]),
          `read ${user} after ${after} at step ${step}`,
        );
        for (const e of read.events) {
          assert.ok(e.frame, 'replayed events carry their stored frame');
          assert.deepEqual(decodeFrame(e.frame), {
            type: 'event',
            seq: e.seq,
            event: JSON.parse(e.json),
          });
          keepOrRelease(e);
        }
        const oldest = expected[0]?.seq ?? head + 1;
        assert.equal(read.truncated, after < head && after + 1 < oldest, 'truncated');
      }
    }
    for (const user of users) {
      const got = live.get(user) ?? [];
      const all = model.get(user) ?? [];
      assert.deepEqual(
        got.map((e) => [e.seq, e.json]),
        all.map((e) => [e.seq, e.json]),
        'every append fanned out once, in order',
      );
      for (const [i, e] of got.entries()) {
        assert.deepEqual(e.frame, {
          type: 'event',
          seq: e.seq,
          event: JSON.parse(all[i]?.json ?? ''),
        });
      }
    }
    assert.ok(kept.length > 100, 'the run kept frames while history moved on');
    for (const k of kept) assert.ok(k.frame.equals(k.bytes), `kept frame of seq ${k.seq} changed`);
    // Every hold released and every event aged out: all history memory is back in the pool.
    for (const k of kept) k.release();
    now += limits.maxAgeMs + 1;
    engine.sweep();
    assert.equal(engine.memory.freeBytes, engine.memory.allocatedBytes, 'chunks leaked');
    await engine.close();
  });
});
