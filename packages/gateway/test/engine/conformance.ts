import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Engine, StoredEvent } from '@agentwire/gateway';

export interface EngineFactory {
  /** A fresh engine whose history holds `maxEvents` events for `maxAgeMs` by the clock `now`. */
  create(limits: { maxEvents: number; maxAgeMs: number }, now?: () => number): Promise<Engine>;
}

const json = (n: number) => JSON.stringify({ n });

/** The behaviour every engine must have; run by each engine's test file. */
export function engineConformance(name: string, factory: EngineFactory): void {
  describe(`engine conformance: ${name}`, () => {
    const withEngine = async (
      fn: (engine: Engine) => Promise<void>,
      limits = { maxEvents: 100, maxAgeMs: 60_000 },
    ) => {
      const engine = await factory.create(limits);
      try {
        await fn(engine);
      } finally {
        await engine.close();
      }
    };

    it('starts a user stream at seq 0 with an epoch', () =>
      withEngine(async (engine) => {
        const head = await engine.head('u1');
        assert.equal(head.seq, 0);
        assert.equal(typeof head.epoch, 'string');
        assert.ok(head.epoch.length > 0);
        assert.deepEqual(await engine.head('u1'), head, 'head is stable');
      }));

    it('assigns a gapless per-user seq, independent between users', () =>
      withEngine(async (engine) => {
        const seqs: number[] = [];
        for (let i = 0; i < 5; i++) seqs.push((await engine.append('a', `a${i}`, json(i))).seq);
        const b = await engine.append('b', 'b0', json(0));
        assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
        assert.equal(b.seq, 1);
        assert.equal((await engine.head('a')).seq, 5);
      }));

    it('keeps order under concurrent appends', () =>
      withEngine(async (engine) => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => engine.append('u', `e${i}`, json(i))),
        );
        assert.deepEqual(
          results.map((r) => r.seq).sort((x, y) => x - y),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        const read = await engine.read('u', 0);
        assert.deepEqual(
          read.events.map((e) => e.seq),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
      }));

    it('is idempotent by event id within history', () =>
      withEngine(async (engine) => {
        const first = await engine.append('u', 'same', json(1));
        const again = await engine.append('u', 'same', json(2));
        assert.equal(first.duplicate, false);
        assert.deepEqual(again, { ...first, duplicate: true });
        assert.equal((await engine.read('u', 0)).events.length, 1);
        const other = await engine.append('v', 'same', json(1));
        assert.equal(other.duplicate, false, 'ids are scoped per user');
      }));

    it('reads exactly the events after a position', () =>
      withEngine(async (engine) => {
        for (let i = 1; i <= 10; i++) await engine.append('u', `e${i}`, json(i));
        const read = await engine.read('u', 6);
        assert.equal(read.truncated, false);
        assert.equal(read.seq, 10);
        assert.deepEqual(
          read.events.map((e: StoredEvent) => [e.seq, e.id, e.json]),
          [7, 8, 9, 10].map((n) => [n, `e${n}`, json(n)]),
        );
        assert.deepEqual((await engine.read('u', 10)).events, []);
      }));

    it('bounds history by count and reports truncation', () =>
      withEngine(
        async (engine) => {
          for (let i = 1; i <= 12; i++) await engine.append('u', `e${i}`, json(i));
          const all = await engine.read('u', 0);
          assert.equal(all.truncated, true);
          assert.deepEqual(
            all.events.map((e) => e.seq),
            [8, 9, 10, 11, 12],
          );
          const covered = await engine.read('u', 7);
          assert.equal(covered.truncated, false);
          assert.equal(covered.events.length, 5);
          // An id that left history is no longer a duplicate.
          assert.equal((await engine.append('u', 'e1', json(1))).duplicate, false);
        },
        { maxEvents: 5, maxAgeMs: 60_000 },
      ));

    it('fans out new events to subscribers in order, and stops after unsubscribe', () =>
      withEngine(async (engine) => {
        const got: [string, number][] = [];
        const unsubscribe = await engine.subscribe('u', (user, e) => got.push([user, e.seq]));
        const other: number[] = [];
        const unsubscribeOther = await engine.subscribe('v', (_u, e) => other.push(e.seq));
        await engine.append('u', 'x1', json(1));
        await engine.append('v', 'y1', json(1));
        await engine.append('u', 'x2', json(2));
        await waitUntil(() => got.length === 2 && other.length === 1);
        assert.deepEqual(got, [
          ['u', 1],
          ['u', 2],
        ]);
        await unsubscribe();
        await engine.append('u', 'x3', json(3));
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(got.length, 2);
        await unsubscribeOther();
      }));

    it('does not fan out duplicates', () =>
      withEngine(async (engine) => {
        const got: number[] = [];
        const unsubscribe = await engine.subscribe('u', (_u, e) => got.push(e.seq));
        await engine.append('u', 'x', json(1));
        await engine.append('u', 'x', json(1));
        await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(got, [1]);
        await unsubscribe();
      }));

    it('ages events out of history and reports the gap', async () => {
      let now = 1_000_000;
      const engine = await factory.create({ maxEvents: 100, maxAgeMs: 1000 }, () => now);
      try {
        await engine.append('u', 'a', '{}');
        now += 600;
        await engine.append('u', 'b', '{}');
        now += 600;
        const read = await engine.read('u', 0);
        assert.equal(read.truncated, true);
        assert.deepEqual(
          read.events.map((e) => e.id),
          ['b'],
        );
        assert.equal((await engine.read('u', 1)).truncated, false);
      } finally {
        await engine.close();
      }
    });

    it('is ready', () => withEngine(async (engine) => assert.equal(await engine.ready(), true)));

    it('hands each fanned-out event over with its stream’s epoch', () =>
      withEngine(async (engine) => {
        const epochs: string[] = [];
        const unsubscribe = await engine.subscribe('u', (_u, _e, epoch) => epochs.push(epoch));
        const { epoch } = await engine.append('u', 'x', json(1));
        await waitUntil(() => epochs.length === 1);
        assert.deepEqual(epochs, [epoch]);
        assert.equal((await engine.head('u')).epoch, epoch);
        await unsubscribe();
      }));

    it('shared state: a ticket is taken once, and expires', () =>
      withEngine(async (engine) => {
        await engine.shared.putTicket('k1', 'v1', 60_000);
        const takes = await Promise.all([
          engine.shared.takeTicket('k1'),
          engine.shared.takeTicket('k1'),
        ]);
        assert.deepEqual(takes.sort(), ['v1', undefined].sort());
        await engine.shared.putTicket('k2', 'v2', 30);
        await new Promise((r) => setTimeout(r, 80));
        assert.equal(await engine.shared.takeTicket('k2'), undefined);
        assert.equal(await engine.shared.takeTicket('never'), undefined);
      }));

    it('shared state: admits connections up to the cap per user and frees released slots', () =>
      withEngine(async (engine) => {
        const { shared } = engine;
        assert.equal(await shared.admitConnection('u', 'c1', 2, 60_000), true);
        assert.equal(await shared.admitConnection('u', 'c2', 2, 60_000), true);
        assert.equal(await shared.admitConnection('u', 'c3', 2, 60_000), false);
        assert.equal(await shared.admitConnection('v', 'c4', 2, 60_000), true, 'per user');
        await shared.renewLeases?.([{ userId: 'u', connectionId: 'c1' }], 60_000);
        await shared.releaseConnection('u', 'c1');
        assert.equal(await shared.admitConnection('u', 'c3', 2, 60_000), true);
      }));
  });
}

async function waitUntil(predicate: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
