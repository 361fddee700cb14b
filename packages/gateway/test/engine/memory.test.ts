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
