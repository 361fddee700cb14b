import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type PositionStore, type StreamPosition, sessionStoragePosition } from '@agentwire/client';
import type { PublishResult } from '@agentwire/protocol';
import { mintToken, startGateway, type TestGateway, waitFor } from '@agentwire/testkit';
import { FaultyProxy, record } from './helpers.js';

/** Small seeded PRNG so that a failing run can be repeated with SEED=<n>. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fastReconnect = { initialDelayMs: 20, minDelayMs: 5, maxDelayMs: 100 };

let gw: TestGateway;
before(async () => {
  gw = await startGateway();
});
after(async () => {
  await gw.close();
});

/** One agent run of 9 events, as in the SPEC's workload. */
async function agentRun(userId: string, out: PublishResult[], pause: () => Promise<void>) {
  const run = gw.gateway.forUser(userId).run();
  const steps: (() => Promise<PublishResult>)[] = [
    () => run.started('calc'),
    () => run.thinking('reading the question'),
    () => run.toolExecuting('add', 'c1', { a: 1, b: 2 }),
    () => run.toolCompleted('add', 'c1', { result: 3, durationMs: 1 }),
    () => run.message('m1', 'The '),
    () => run.message('m1', 'answer '),
    () => run.message('m1', 'is 3.'),
    () => run.thinking('done'),
    () => run.completed({ text: 'The answer is 3.' }),
  ];
  for (const step of steps) {
    out.push(await step());
    await pause();
  }
}

test('resumes across forced disconnects at random points: no gap, no duplicate, no foreign event', async () => {
  const seed = Number(process.env.SEED ?? Math.floor(Math.random() * 2 ** 31));
  const rand = mulberry32(seed);
  const proxy = await new FaultyProxy(gw.port).listen();
  const alice = record({
    url: proxy.wsUrl,
    token: () => mintToken('alice'),
    reconnect: fastReconnect,
  });
  const bob = record({ url: gw.wsUrl, token: () => mintToken('bob'), reconnect: fastReconnect });
  try {
    await waitFor(() => alice.client.state === 'open' && bob.client.state === 'open', 'open');
    const published: PublishResult[] = [];
    const bobPublished: PublishResult[] = [];
    const pause = async () => {
      if (rand() < 0.5) await sleep(Math.floor(rand() * 8));
    };
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; i < 60; i++) {
        await agentRun('alice', published, pause);
        if (i % 4 === 0) await agentRun('bob', bobPublished, async () => {});
      }
      publishing = false;
    })();
    let kills = 0;
    const killed = new Set<string | undefined>();
    while (publishing && kills < 200) {
      await sleep(Math.floor(rand() * 40));
      // Mostly while open (mid-replay or live), sometimes during the handshake or the backoff.
      const open = alice.client.state === 'open';
      if (!open && rand() < 0.7) continue;
      if (open) killed.add(alice.client.connectionId);
      if (rand() < 0.5) proxy.cut();
      else alice.client.reconnect();
      kills++;
    }
    await publisher;
    const last = published.at(-1)?.seq ?? 0;
    await waitFor(
      () => (alice.client.position?.seq ?? 0) >= last,
      `alice to catch up to seq ${last} (seed ${seed})`,
    );
    await waitFor(() => bob.events.length >= bobPublished.length, 'bob to receive his events');

    const context = `seed ${seed}, ${kills} forced disconnects, ${killed.size} connections killed while open`;
    assert.ok(killed.size >= 8, `too few disconnects to mean anything (${context})`);
    assert.ok(alice.client.stats.connects >= killed.size, context);
    assert.deepEqual(
      alice.events.map((e) => e.seq),
      published.map((p) => p.seq),
      `every seq exactly once, in order (${context})`,
    );
    assert.deepEqual(
      alice.events.map((e) => e.event.id),
      published.map((p) => p.id),
      context,
    );
    assert.deepEqual(
      bob.events.map((e) => e.event.id),
      bobPublished.map((p) => p.id),
    );
    assert.equal(alice.resyncs.length, 0, context);
    const bobIds = new Set(bobPublished.map((p) => p.id));
    assert.ok(!alice.events.some((e) => bobIds.has(e.event.id)), 'alice never sees bob');
  } finally {
    alice.client.close();
    bob.client.close();
    await proxy.close();
  }
});

test('a resume beyond the history window surfaces resync (history_gap) and continues from its seq', async () => {
  const small = await startGateway({ history: { maxEvents: 5, maxAgeMs: 60_000 } });
  const carol = record({ url: small.wsUrl, token: () => mintToken('carol') });
  try {
    await waitFor(() => carol.client.state === 'open', 'open');
    const user = small.gateway.forUser('carol');
    for (let i = 0; i < 3; i++) await user.publish({ type: 'x-note', data: { i } });
    await waitFor(() => carol.events.length === 3, 'three events');
    carol.client.close();
    for (let i = 3; i < 23; i++) await user.publish({ type: 'x-note', data: { i } });
    carol.client.connect();
    await waitFor(() => carol.resyncs.length === 1, 'resync');
    assert.deepEqual(carol.resyncs[0], {
      epoch: carol.resyncs[0]?.epoch,
      seq: 23,
      reason: 'history_gap',
    });
    const next = await user.publish({ type: 'x-note', data: { i: 23 } });
    await waitFor(() => carol.events.length === 4, 'the event after the resync');
    assert.deepEqual(
      carol.events.map((e) => e.seq),
      [1, 2, 3, next.seq],
    );
    assert.equal(next.seq, 24);
  } finally {
    carol.client.close();
    await small.close();
  }
});

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    map,
  };
}

test('a persisted position makes a new client (a page reload) resume exactly where the old one stopped', async () => {
  const storage = memoryStorage();
  const persist = sessionStoragePosition('agentwire.position', storage);
  const user = gw.gateway.forUser('dave');
  const first = record({ url: gw.wsUrl, token: () => mintToken('dave'), persist });
  await waitFor(() => first.client.state === 'open', 'open');
  const before = [];
  for (let i = 0; i < 3; i++) before.push(await user.publish({ type: 'x-note', data: { i } }));
  await waitFor(() => first.events.length === 3, 'three events');
  first.client.close(); // the page unloads
  const missed = [];
  for (let i = 3; i < 6; i++) missed.push(await user.publish({ type: 'x-note', data: { i } }));
  const stored = JSON.parse(storage.map.get('agentwire.position') ?? '{}') as StreamPosition;
  assert.equal(stored.userId, 'dave');
  assert.equal(stored.seq, before.at(-1)?.seq);

  const second = record({ url: gw.wsUrl, token: () => mintToken('dave'), persist });
  try {
    await waitFor(() => second.events.length === 3, 'the missed events');
    assert.deepEqual(
      second.events.map((e) => e.event.id),
      missed.map((m) => m.id),
    );
    assert.equal(second.resyncs.length, 0);
  } finally {
    second.client.close();
  }
});

test('a persisted position from another epoch surfaces resync (epoch_changed)', async () => {
  const persist: PositionStore = {
    load: () => ({ userId: 'erin', epoch: 'an-old-epoch', seq: 7 }),
    save: () => {},
    clear: () => {},
  };
  const erin = record({ url: gw.wsUrl, token: () => mintToken('erin'), persist });
  try {
    await waitFor(() => erin.resyncs.length === 1, 'resync');
    assert.equal(erin.resyncs[0]?.reason, 'epoch_changed');
    const published = await gw.gateway.forUser('erin').publish({ type: 'x-note', data: {} });
    await waitFor(() => erin.events.length === 1, 'the next event');
    assert.equal(erin.events[0]?.seq, published.seq);
  } finally {
    erin.client.close();
  }
});

test('a persisted position of another user is discarded, not resumed from', async () => {
  const storage = memoryStorage();
  storage.setItem('agentwire.position', JSON.stringify({ userId: 'mallory', epoch: 'e', seq: 0 }));
  const persist = sessionStoragePosition('agentwire.position', storage);
  const frank = record({ url: gw.wsUrl, token: () => mintToken('frank'), persist });
  try {
    await waitFor(() => frank.client.state === 'open', 'open');
    assert.equal(frank.client.position?.userId, 'frank');
    assert.equal(frank.resyncs.length, 0);
    const published = await gw.gateway.forUser('frank').publish({ type: 'x-note', data: {} });
    await waitFor(() => frank.events.length === 1, 'event');
    assert.equal(frank.events[0]?.event.id, published.id);
    assert.equal(JSON.parse(storage.map.get('agentwire.position') ?? '{}').userId, 'frank');
  } finally {
    frank.client.close();
  }
});
