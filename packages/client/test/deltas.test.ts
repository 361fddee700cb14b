import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunTracker } from '@agentwire/client';
import { mintToken, startGateway, waitFor } from '@agentwire/testkit';
import { record } from './helpers.js';

// The gateway coalesces an answer's deltas into `deltas` frames (docs/protocol.md); with a long
// window every delta below waits for the next lifecycle event and travels in one frame. The
// client hands on each event it stands for, and RunTracker folds them into the run's text.
test('the client hands on the events of a deltas frame and RunTracker folds them', async () => {
  const gw = await startGateway({ limits: { coalesceWindowMs: 60_000 } });
  const tracker = new RunTracker();
  const alice = record({ url: gw.wsUrl, token: () => mintToken('alice') });
  alice.client.on('event', ({ event }) => tracker.apply(event));
  try {
    await waitFor(() => alice.client.state === 'open', 'open');
    const run = gw.gateway.forUser('alice').run({ runId: 'run_d', threadId: 'th_d' });
    const published = [await run.started('writer')];
    for (const delta of ['Sat', 'urn ', 'has ', '146 ', 'moons.']) {
      published.push(await run.message('m1', delta));
    }
    published.push(await run.completed({ durationMs: 5 }));
    await waitFor(() => tracker.get('run_d')?.status === 'completed', 'completed run');
    assert.deepEqual(
      alice.events.map((e) => [e.seq, e.event.id]),
      published.map((p) => [p.seq, p.id]),
      'every event once, with its seq and id',
    );
    assert.equal(tracker.get('run_d')?.text, 'Saturn has 146 moons.');
    assert.equal(tracker.get('run_d')?.events, 7);
    assert.equal(alice.client.stats.duplicatesDropped, 0);
  } finally {
    alice.client.close();
    await gw.close();
  }
});
