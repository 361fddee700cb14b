import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResyncFrame, WelcomeFrame } from '@agentwire/protocol';
import type { PositionStore, StreamPosition } from '../src/position.js';
import { StreamTracker } from '../src/stream.js';

/** A PositionStore that keeps what it was given, in memory. */
function memoryStore(initial?: unknown) {
  const store = {
    value: initial as StreamPosition | undefined,
    saves: 0,
    load: () => store.value,
    save(position: StreamPosition) {
      store.value = { ...position };
      store.saves++;
    },
    clear() {
      store.value = undefined;
    },
  };
  return store satisfies PositionStore;
}

const welcome = (userId: string, epoch: string, seq: number): WelcomeFrame => ({
  type: 'welcome',
  connectionId: 'c_1',
  userId,
  epoch,
  seq,
  resumed: false,
});

describe('StreamTracker', () => {
  it('without a saved position starts at the welcome head and delivers from there', () => {
    const store = memoryStore();
    const stream = new StreamTracker(store);
    assert.equal(stream.resumeFrom(), undefined);
    assert.equal(stream.welcome(welcome('alice', 'e1', 7)), true);
    assert.deepEqual(stream.position, { userId: 'alice', epoch: 'e1', seq: 7 });
    assert.deepEqual(store.value, { userId: 'alice', epoch: 'e1', seq: 7 });
  });

  it('delivers the next seq once, drops old ones, and reports a jump as a gap', () => {
    const stream = new StreamTracker(undefined);
    stream.welcome(welcome('alice', 'e1', 0));
    const delivered: number[] = [];
    const take = (seq: number) => stream.receive(seq, () => delivered.push(seq));
    assert.equal(take(1), 'delivered');
    assert.equal(take(2), 'delivered');
    assert.equal(take(2), 'duplicate');
    assert.equal(take(1), 'duplicate');
    assert.equal(take(4), 'gap');
    assert.equal(take(3), 'delivered');
    assert.deepEqual(delivered, [1, 2, 3]);
    assert.equal(stream.position?.seq, 3, 'a gap does not move the position');
  });

  it('saves the position after the event was handed on, not before', () => {
    const store = memoryStore();
    const stream = new StreamTracker(store);
    stream.welcome(welcome('alice', 'e1', 0));
    let savedDuringDelivery: number | undefined;
    stream.receive(1, () => {
      savedDuringDelivery = store.value?.seq;
    });
    assert.equal(savedDuringDelivery, 0);
    assert.equal(store.value?.seq, 1);
  });

  it('before any position (no welcome yet) an event is not taken', () => {
    const stream = new StreamTracker(undefined);
    assert.equal(
      stream.receive(1, () => assert.fail('delivered')),
      undefined,
    );
  });

  it('resumes from a saved position of the same user and keeps it at welcome', () => {
    const store = memoryStore({ userId: 'alice', epoch: 'e1', seq: 12 });
    const stream = new StreamTracker(store);
    assert.deepEqual(stream.resumeFrom(), { userId: 'alice', epoch: 'e1', seq: 12 });
    assert.equal(stream.welcome(welcome('alice', 'e1', 20)), true);
    assert.equal(stream.position?.seq, 12, 'the replay of 13..20 follows');
  });

  it('discards a saved position of another user at welcome', () => {
    const store = memoryStore({ userId: 'bob', epoch: 'e1', seq: 12 });
    const stream = new StreamTracker(store);
    stream.resumeFrom();
    assert.equal(stream.welcome(welcome('alice', 'e1', 20)), false);
    assert.equal(stream.position, undefined);
    assert.equal(store.value, undefined);
    assert.equal(stream.resumeFrom(), undefined, 'the next attempt starts live');
  });

  it('ignores a saved value that is not a position', () => {
    for (const stored of [{ epoch: 'e1', seq: 3 }, { userId: 'a', epoch: 'e', seq: -1 }, 'x']) {
      assert.equal(new StreamTracker(memoryStore(stored)).position, undefined);
    }
  });

  it('a resync moves the position to its epoch and seq', () => {
    const store = memoryStore();
    const stream = new StreamTracker(store);
    stream.welcome(welcome('alice', 'e1', 3));
    const resync: ResyncFrame = { type: 'resync', epoch: 'e2', seq: 40, reason: 'epoch_changed' };
    stream.resync(resync, 'alice');
    assert.deepEqual(stream.position, { userId: 'alice', epoch: 'e2', seq: 40 });
    assert.deepEqual(store.value, { userId: 'alice', epoch: 'e2', seq: 40 });
    assert.equal(
      stream.receive(41, () => {}),
      'delivered',
    );
  });

  it('hands out copies: changing one does not move the tracker', () => {
    const stream = new StreamTracker(undefined);
    stream.welcome(welcome('alice', 'e1', 3));
    const seen = stream.position as StreamPosition;
    seen.seq = 100;
    assert.equal(stream.position?.seq, 3);
  });
});
