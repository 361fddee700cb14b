import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type TestGateway } from '@agentwire/testkit';
import { connectUser, thinking } from '../helpers/harness.js';

describe('I3 resume', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ history: { maxEvents: 20, maxAgeMs: 60_000 } });
  });
  after(() => gw.close());

  it('replays exactly the events after lastSeq, then goes live with no gap or duplicate', async () => {
    const user = gw.gateway.forUser('r1');
    const first = await connectUser(gw, 'r1');
    for (let i = 1; i <= 5; i++) await user.publish(thinking(`e${i}`));
    await first.until(() => first.events().length === 5);
    const epoch = first.welcome().epoch;
    await first.close();
    for (let i = 6; i <= 10; i++) await user.publish(thinking(`e${i}`));

    const resumed = await connectUser(gw, 'r1', { resume: { epoch, after: 5 } });
    // Publish while the replay is in flight: the seam between replay and live.
    const live = Promise.all([11, 12, 13].map((i) => user.publish(thinking(`e${i}`))));
    await live;
    await resumed.until(() => resumed.events().length >= 8, 3000, 'replay + live');
    await new Promise((r) => setTimeout(r, 50));
    const w = resumed.welcome();
    assert.equal(w.resumed, true);
    assert.equal(w.epoch, epoch);
    assert.deepEqual(
      resumed.events().map((e) => e.seq),
      [6, 7, 8, 9, 10, 11, 12, 13],
    );
    assert.deepEqual(
      resumed.events().map((e) => (e.event.data as { text: string }).text),
      ['e6', 'e7', 'e8', 'e9', 'e10', 'e11', 'e12', 'e13'],
    );
    await resumed.close();
  });

  it('resumes at the head with nothing to replay', async () => {
    const user = gw.gateway.forUser('r2');
    await user.publish(thinking('only'));
    const a = await connectUser(gw, 'r2');
    const head = a.welcome();
    await a.close();
    const b = await connectUser(gw, 'r2', { resume: { epoch: head.epoch, after: head.seq } });
    assert.equal(b.welcome().resumed, true);
    await user.publish(thinking('next'));
    await b.until(() => b.events().length === 1);
    assert.equal(b.events()[0]?.seq, 2);
    await b.close();
  });

  it('sends resync(history_gap) when history no longer covers the position', async () => {
    const user = gw.gateway.forUser('r3');
    const a = await connectUser(gw, 'r3');
    const epoch = a.welcome().epoch;
    await a.close();
    for (let i = 1; i <= 30; i++) await user.publish(thinking(`e${i}`));
    const b = await connectUser(gw, 'r3', { resume: { epoch, after: 2 } });
    await b.until((f) => f.length >= 2);
    assert.equal(b.welcome().resumed, false);
    assert.deepEqual(b.frames[1], { type: 'resync', epoch, seq: 30, reason: 'history_gap' });
    assert.equal(b.events().length, 0, 'no partial replay');
    await user.publish(thinking('after resync'));
    await b.until(() => b.events().length === 1);
    assert.equal(b.events()[0]?.seq, 31);
    await b.close();
  });

  it('sends resync(epoch_changed) for a position from another epoch', async () => {
    const user = gw.gateway.forUser('r4');
    await user.publish(thinking('x'));
    const b = await connectUser(gw, 'r4', { resume: { epoch: 'not-this-epoch', after: 1 } });
    await b.until((f) => f.length >= 2);
    const w = b.welcome();
    assert.equal(w.resumed, false);
    assert.deepEqual(b.frames[1], {
      type: 'resync',
      epoch: w.epoch,
      seq: 1,
      reason: 'epoch_changed',
    });
    await b.close();
  });

  it('treats a position ahead of the head as a gap, not as a replay', async () => {
    const a = await connectUser(gw, 'r5');
    const epoch = a.welcome().epoch;
    await a.close();
    const b = await connectUser(gw, 'r5', { resume: { epoch, after: 99 } });
    await b.until((f) => f.length >= 2);
    assert.equal(b.frames[1]?.type, 'resync');
    await b.close();
  });
});

// History is kept as stored frames in byte chunks with a ring index (engine/memory.ts): replay
// from positions spread over a window that has wrapped many times, with events of every size
// (one larger than a chunk) and non-ASCII text, must send exactly the events after the position.
describe('I3 resume over a long-running history window', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ history: { maxEvents: 50, maxAgeMs: 60_000 } });
  });
  after(() => gw.close());

  it('replays exactly the held events from any position and resyncs outside the window', async () => {
    const user = gw.gateway.forUser('long');
    const first = await connectUser(gw, 'long');
    const epoch = first.welcome().epoch;
    await first.close();
    const texts = ['', 'é✓ 漢字', 'x'.repeat(300), 'y'.repeat(20_000), '\u{1f600}'.repeat(700)];
    const text = (seq: number) => `${seq}:${texts[seq % texts.length]}`;
    // 430 events: the 50-event window wraps eight times; some carry caller ids.
    for (let seq = 1; seq <= 430; seq++) {
      const result = await user.publish({
        ...thinking(text(seq)),
        ...(seq % 7 === 0 && { id: `caller-${seq}` }),
      });
      assert.equal(result.seq, seq);
    }
    // Idempotency over the window: an id still held returns its seq, one trimmed away does not.
    assert.deepEqual(await user.publish({ ...thinking('again'), id: 'caller-427' }), {
      seq: 427,
      epoch,
      id: 'caller-427',
    });
    assert.deepEqual(await user.publish({ ...thinking('new'), id: 'caller-7' }), {
      seq: 431,
      epoch,
      id: 'caller-7',
    });
    const expectedText = (seq: number) => (seq === 431 ? 'new' : text(seq));
    for (const after of [381, 400, 429, 431]) {
      const c = await connectUser(gw, 'long', { resume: { epoch, after } });
      const want = Array.from({ length: 431 - after }, (_, i) => after + 1 + i);
      await c.until(() => c.events().length === want.length, 5000, `replay after ${after}`);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(c.welcome().resumed, true);
      assert.deepEqual(
        c.events().map((e) => e.seq),
        want,
      );
      assert.deepEqual(
        c.events().map((e) => (e.event.data as { text: string }).text),
        want.map(expectedText),
      );
      assert.deepEqual(
        c
          .events()
          .filter((e) => e.seq % 7 === 0 && e.seq < 431)
          .map((e) => e.event.id),
        want.filter((seq) => seq % 7 === 0 && seq < 431).map((seq) => `caller-${seq}`),
      );
      await c.close();
    }
    const gap = await connectUser(gw, 'long', { resume: { epoch, after: 380 } });
    await gap.until((f) => f.length >= 2);
    assert.deepEqual(gap.frames[1], { type: 'resync', epoch, seq: 431, reason: 'history_gap' });
    assert.equal(gap.events().length, 0, 'no partial replay');
    await gap.close();
  });
});
