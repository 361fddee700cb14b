import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AgentEvent, EventInput, PublishResult, SequencedEvent } from '@agentwire/protocol';
import { startGateway, type TestGateway } from '@agentwire/testkit';
import fc from 'fast-check';
import { connectUser, type TestClient } from './helpers/harness.js';

// Token coalescing (src/ws/coalesce.ts, the channel's held deltas in src/ws/manager.ts): deltas
// of one message in consecutive seqs travel as one `deltas` frame, live and replayed; any other
// event is sent at once, after the deltas held before it. Expanded, the frames must be exactly
// the events published, in seq order.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a publish expects to come back: its seq and id, and the event's fields. */
interface Expected {
  seq: number;
  id: string;
  input: EventInput;
}

function comparable(e: SequencedEvent) {
  const { id, type, runId, threadId, data } = e.event as AgentEvent;
  return { seq: e.seq, id, type, runId, threadId, data };
}

function expectedOf(list: readonly Expected[]) {
  return list.map((x) => ({
    seq: x.seq,
    id: x.id,
    type: x.input.type,
    runId: x.input.runId,
    threadId: x.input.threadId,
    data: x.input.data,
  }));
}

const runs = [
  { runId: 'run_a', threadId: 'th_1' },
  { runId: 'run_b', threadId: undefined },
];
const step = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('delta' as const),
      run: fc.integer({ min: 0, max: 1 }),
      message: fc.integer({ min: 0, max: 1 }),
      text: fc.string({ unit: 'grapheme', maxLength: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('life' as const),
      run: fc.integer({ min: 0, max: 1 }),
      text: fc.string({ maxLength: 8 }),
    }),
  },
);
/** A job: steps published in one synchronous loop, then a pause of 0–24 ms (crossing windows). */
const jobs = fc.array(
  fc.record({ steps: fc.array(step, { minLength: 1, maxLength: 8 }), pause: fc.nat(24) }),
  { minLength: 1, maxLength: 8 },
);

function inputOf(s: StepValue): EventInput {
  const run = runs[s.run] as (typeof runs)[number];
  const base = { runId: run.runId, ...(run.threadId !== undefined && { threadId: run.threadId }) };
  return s.kind === 'delta'
    ? { ...base, type: 'agent_message', data: { messageId: `m${s.message}`, delta: s.text } }
    : { ...base, type: 'agent_thinking', data: { text: s.text } };
}
type StepValue =
  | { kind: 'delta'; run: number; message: number; text: string }
  | { kind: 'life'; run: number; text: string };

describe('token coalescing', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ history: { maxEvents: 10_000 } });
  });
  after(() => gw.close());

  it('keeps order and content exactly over random delta/lifecycle interleavings, live and replayed', async () => {
    let user = 0;
    let deltasFrames = 0;
    await fc.assert(
      fc.asyncProperty(jobs, fc.nat(), async (plan, resumeAt) => {
        const userId = `coalesce-${++user}`;
        const live = await connectUser(gw, userId);
        const emitter = gw.gateway.forUser(userId);
        const published: Expected[] = [];
        for (const job of plan) {
          const inputs = job.steps.map((s) => inputOf(s as StepValue));
          const results = inputs.map((input) => emitter.publish(input));
          for (const [i, r] of (await Promise.all(results)).entries()) {
            published.push({ ...(r as PublishResult), input: inputs[i] as EventInput });
          }
          if (job.pause > 0) await sleep(job.pause);
        }
        await live.until(() => live.delivered().length >= published.length, 5000, 'every event');
        assert.deepEqual(live.delivered().map(comparable), expectedOf(published), 'live');
        deltasFrames += live.frames.filter((f) => f.type === 'deltas').length;

        const after = resumeAt % (published.length + 1);
        const resumed = await connectUser(gw, userId, {
          resume: { epoch: live.welcome().epoch, after },
        });
        const rest = published.slice(after);
        await resumed.until(() => resumed.delivered().length >= rest.length, 5000, 'replay');
        assert.equal(resumed.welcome().resumed, true);
        assert.deepEqual(resumed.delivered().map(comparable), expectedOf(rest), 'replayed');
        await live.close();
        await resumed.close();
      }),
      { numRuns: 40 },
    );
    assert.ok(deltasFrames > 0, 'some deltas were coalesced');
  });

  it('resuming mid-answer sends the missed deltas as few frames', async () => {
    const first = await connectUser(gw, 'long-answer');
    const epoch = first.welcome().epoch;
    await first.close();
    const run = gw.gateway.forUser('long-answer').run({ runId: 'run_long' });
    const tokens = Array.from({ length: 300 }, (_, i) => ` t${i}`);
    for (const token of tokens) await run.message('m_long', token);
    const resumed = await connectUser(gw, 'long-answer', { resume: { epoch, after: 120 } });
    await resumed.until(() => resumed.delivered().length === 180, 5000, 'the missed deltas');
    const frames = resumed.frames.slice(1);
    assert.ok(frames.length <= 2, `${frames.length} frames for 180 deltas`);
    assert.deepEqual(
      resumed.delivered().map((e) => [e.seq, (e.event.data as { delta: string }).delta]),
      tokens.slice(120).map((t, i) => [121 + i, t]),
    );
    await resumed.close();
  });
});

describe('token coalescing with a long window', () => {
  let gw: TestGateway;
  let client: TestClient;
  before(async () => {
    gw = await startGateway({ limits: { coalesceWindowMs: 60_000 } });
    client = await connectUser(gw, 'long-window');
  });
  after(async () => {
    await client.close();
    await gw.close();
  });

  it('holds deltas back, and sends them first when another event comes, which is never held', async () => {
    const run = gw.gateway.forUser('long-window').run({ runId: 'run_w' });
    await run.message('m1', 'Hel');
    await run.message('m1', 'lo');
    await sleep(100);
    assert.equal(client.frames.length, 1, 'deltas wait for the window (welcome only)');
    await run.thinking('a lifecycle event');
    await client.until((f) => f.length === 3, 5000, 'the deltas, then the event');
    assert.deepEqual(
      client.frames.slice(1).map((f) => f.type),
      ['deltas', 'event'],
    );
    assert.deepEqual(
      client.delivered().map((e) => [e.seq, e.event.type]),
      [
        [1, 'agent_message'],
        [2, 'agent_message'],
        [3, 'agent_thinking'],
      ],
    );
  });
});
