import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryEngine, type StoredEvent } from '@agentwire/gateway';

const json = (i: number, size = 400) => JSON.stringify({ i, text: 'x'.repeat(size) });

function engineWith(maxEvents: number, clock?: { now: number }) {
  return new MemoryEngine({
    history: { maxEvents, maxAgeMs: 1000 },
    sweepIntervalMs: 0,
    ...(clock && { now: () => clock.now }),
  });
}

describe('history chunks (engine/history-chunks.ts)', () => {
  it('grow history without counting as V8 external memory', () => {
    // V8 starts a mark-compact when external memory allocated since the last one passes the
    // old generation's slack; history's chunks must not count (see history-chunks.ts).
    const engine = engineWith(1000);
    const before = process.memoryUsage();
    for (let i = 0; i < 10_000; i++) {
      engine.appendSync(`user-${i % 10}`, `e${i}`, json(i, 2000), true);
    }
    const after = process.memoryUsage();
    const grown = engine.memory.allocatedBytes;
    assert.ok(grown > 16 * 1024 * 1024, `history holds ${grown} bytes`);
    assert.ok(
      after.arrayBuffers - before.arrayBuffers >= grown * 0.9,
      'Node sees the chunks as ArrayBuffer memory',
    );
    assert.ok(
      after.external - before.external < grown / 8,
      `external memory grew by ${after.external - before.external} bytes for ${grown} of history`,
    );
    void engine.close();
  });

  it("reuse a stream's dropped chunks for other streams, never while a frame of them is held", () => {
    const clock = { now: 0 };
    const engine = engineWith(4, clock);
    const seen = new Map<ArrayBufferLike, string>();
    let hold: ((e: StoredEvent) => boolean) | undefined;
    const held: { event: StoredEvent; bytes: Buffer }[] = [];
    for (const user of ['a', 'b']) {
      void engine.subscribe(user, (u, e) => {
        assert.ok(e.frame);
        if (!seen.has(e.frame.buffer)) seen.set(e.frame.buffer, u);
        if (hold?.(e)) held.push({ event: e, bytes: Buffer.from(e.frame) });
        else e.release?.();
      });
    }
    // a's window moves on, every frame released, then ages out: all its chunks are free.
    for (let i = 0; i < 400; i++) engine.appendSync('a', `a${i}`, json(i), true);
    clock.now += 2000;
    engine.sweep();
    const allocated = engine.memory.allocatedBytes;
    assert.equal(engine.memory.freeBytes, allocated, 'dropped chunks are free');
    // b's history is built from a's free chunks: nothing new is allocated.
    for (let i = 0; i < 100; i++) engine.appendSync('b', `b${i}`, json(i), true);
    assert.equal(engine.memory.allocatedBytes, allocated);
    assert.ok(![...seen.values()].includes('b'), "b's frames are all in chunks first used by a");
    // Every 50th frame of a is held: its chunk stays as it is while a and b go on.
    hold = (e) => e.seq % 50 === 0;
    for (let i = 0; i < 2000; i++) {
      engine.appendSync('a', `a2-${i}`, json(i), true);
      engine.appendSync('b', `b2-${i}`, json(i), true);
    }
    assert.equal(held.length, 80);
    for (const h of held) assert.ok(h.event.frame?.equals(h.bytes), 'a held frame changed');
    const whileHeld = engine.memory;
    // Released, the held chunks come back to the free lists.
    for (const h of held) h.event.release?.();
    assert.ok(engine.memory.freeBytes > whileHeld.freeBytes, 'released chunks are free again');
    void engine.close();
  });

  it('take back the chunk being filled when its events aged out before it was full', () => {
    const clock = { now: 0 };
    const engine = engineWith(1000, clock);
    engine.appendSync('u', 'small', json(0, 10));
    clock.now += 2000;
    // The next event no longer fits the first 1-KB chunk, whose only event aged out.
    engine.appendSync('u', 'large', json(1, 900));
    assert.equal(engine.memory.freeBytes, 1024);
    void engine.close();
  });

  it('let go of chunks that stayed free for a whole sweep interval', () => {
    const clock = { now: 0 };
    const engine = engineWith(1000, clock);
    const release = (_u: string, e: StoredEvent) => e.release?.();
    for (let u = 0; u < 20; u++) void engine.subscribe(`u${u}`, release);
    for (let i = 0; i < 2000; i++) engine.appendSync(`u${i % 20}`, `e${i}`, json(i), true);
    const full = engine.memory.allocatedBytes;
    assert.equal(engine.memory.freeBytes, 0);
    // Everything ages out: the sweep frees the streams' history into the free lists ...
    clock.now += 2000;
    engine.sweep();
    assert.equal(engine.memory.freeBytes, full, 'all history memory is free');
    assert.equal(engine.memory.allocatedBytes, full, 'and kept for a sweep interval');
    // ... and the next sweep lets go of what nothing took meanwhile, keeping what was needed.
    for (let i = 0; i < 10; i++) engine.appendSync('u0', `f${i}`, json(i), true);
    const taken = full - engine.memory.freeBytes;
    assert.ok(taken > 0);
    engine.sweep();
    assert.equal(engine.memory.freeBytes, 0, 'chunks that stayed free are let go');
    assert.equal(engine.memory.allocatedBytes, taken, 'chunks in use are kept');
    void engine.close();
  });
});
