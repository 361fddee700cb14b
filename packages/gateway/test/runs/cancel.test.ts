import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MessageError,
  RedisEngine,
  type RunCancel,
  RunCancelledError,
  type RunEmitter,
  type UpstreamMessage,
} from '@agentwire/gateway';
import type { EventFrame } from '@agentwire/protocol';
import { startGateway, startRedis, type TestGateway, type TestRedis } from '@agentwire/testkit';
import { connectUser, type TestClient } from '../helpers/harness.js';

/**
 * The application of these tests: a `message` starts a run that streams tokens until it is
 * cancelled; the ack carries the runId. `runs` holds each run and how it ended.
 */
function agentApp() {
  const runs = new Map<string, { run: RunEmitter; ended: Promise<unknown> }>();
  const cancels: RunCancel[] = [];
  let gateway: TestGateway['gateway'] | undefined;
  const onMessage = ({ userId }: UpstreamMessage) => {
    const run = (gateway as TestGateway['gateway']).forUser(userId).run();
    const ended = (async () => {
      await run.started('looper');
      for (let i = 0; ; i++) {
        if (run.signal.aborted) return run.signal.reason;
        try {
          await run.message('m1', `tok${i} `);
        } catch (error) {
          return error;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    runs.set(run.runId, { run, ended });
    return { runId: run.runId };
  };
  return {
    runs,
    cancels,
    options: { onMessage, onCancel: (cancel: RunCancel) => void cancels.push(cancel) },
    bind(gw: TestGateway) {
      gateway = gw.gateway;
    },
  };
}

/** A gateway running agentApp. */
async function startApp() {
  const app = agentApp();
  const gw = await startGateway(app.options);
  app.bind(gw);
  return { app, gw };
}

/** The promise's value, or a failure naming `what` after `ms`. */
function within<T>(promise: Promise<T> | undefined, what: string, ms = 5000): Promise<T> {
  return Promise.race([
    promise as Promise<T>,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref(),
    ),
  ]);
}

async function startRun(tab: TestClient): Promise<string> {
  tab.send({ type: 'message', id: 'start', data: { text: 'go' } });
  await tab.until((f) => f.some((x) => x.type === 'ack' && x.id === 'start'), 5000, 'start ack');
  const ack = tab.frames.find((x) => x.type === 'ack' && x.id === 'start');
  return (ack as { data: { runId: string } }).data.runId;
}

const cancelledIn = (tab: TestClient, runId: string) =>
  tab
    .events()
    .filter((f: EventFrame) => f.event.type === 'run_cancelled' && f.event.runId === runId);

const lastOfRun = (tab: TestClient, runId: string) =>
  tab
    .delivered()
    .filter((f) => f.event.runId === runId)
    .at(-1)?.event.type;

describe('cancel', () => {
  it('a cancel frame from another tab reaches onCancel and the run, which ends with run_cancelled in every tab', async () => {
    const { app, gw } = await startApp();
    try {
      const tab1 = await connectUser(gw, 'alice');
      const tab2 = await connectUser(gw, 'alice');
      const runId = await startRun(tab1);
      await tab2.until(() => tab2.delivered().length >= 3, 5000, 'tokens');
      tab2.send({ type: 'cancel', runId, id: 'c1', reason: 'stop pressed' });
      await tab2.until((f) => f.some((x) => x.type === 'ack' && x.id === 'c1'), 5000, 'ack');
      const entry = app.runs.get(runId);
      const ended = await within(entry?.ended, 'the run to end');
      assert.ok(ended instanceof RunCancelledError, `run ended with ${String(ended)}`);
      assert.equal(ended.reason, 'stop pressed');
      assert.equal(app.cancels.length, 1);
      assert.deepEqual(
        { ...app.cancels[0], connectionId: undefined },
        { userId: 'alice', runId, reason: 'stop pressed', via: 'frame', connectionId: undefined },
      );
      for (const tab of [tab1, tab2]) {
        await tab.until(() => cancelledIn(tab, runId).length === 1, 5000, 'run_cancelled');
      }
      // Nothing of the run after run_cancelled, and a later publish of the run is refused.
      await new Promise((resolve) => setTimeout(resolve, 30));
      for (const tab of [tab1, tab2]) assert.equal(lastOfRun(tab, runId), 'run_cancelled');
      await assert.rejects(entry?.run.message('m1', 'late') as Promise<unknown>, RunCancelledError);
      // The application's own run.cancelled() is the same event: it dedupes.
      const again = await entry?.run.cancelled('stop pressed');
      assert.equal(again?.seq, cancelledIn(tab1, runId)[0]?.seq);
      assert.equal(gw.gateway.cancels.tracked, 0);
    } finally {
      await gw.close();
    }
  });

  it('works from a tab that dropped and resumed mid-run', async () => {
    const { app, gw } = await startApp();
    try {
      const tab = await connectUser(gw, 'alice');
      const runId = await startRun(tab);
      await tab.until(() => tab.delivered().length >= 2, 5000, 'tokens');
      const epoch = tab.welcome().epoch;
      const position = tab.delivered().at(-1)?.seq as number;
      tab.ws.terminate();
      const resumed = await connectUser(gw, 'alice', { resume: { epoch, after: position } });
      assert.equal(resumed.welcome().resumed, true);
      resumed.send({ type: 'cancel', runId });
      await resumed.until(() => cancelledIn(resumed, runId).length === 1, 5000, 'run_cancelled');
      assert.ok(
        (await within(app.runs.get(runId)?.ended, 'the run to end')) instanceof RunCancelledError,
      );
      const seqs = resumed.delivered().map((f) => f.seq);
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => position + 1 + i),
        'replay and live without gap',
      );
    } finally {
      await gw.close();
    }
  });

  it('a refusal (MessageError) is an error frame: the run goes on and no run_cancelled is sent', async () => {
    const app = agentApp();
    const gw = await startGateway({
      onMessage: app.options.onMessage,
      onCancel: () => {
        throw new MessageError('this run cannot be stopped');
      },
    });
    app.bind(gw);
    try {
      const tab = await connectUser(gw, 'alice');
      const runId = await startRun(tab);
      tab.send({ type: 'cancel', runId, id: 'c1' });
      await tab.until((f) => f.some((x) => x.type === 'error' && x.id === 'c1'), 5000, 'error');
      const error = tab.frames.find((x) => x.type === 'error' && x.id === 'c1');
      assert.deepEqual(
        { code: (error as { code: string }).code, message: (error as { message: string }).message },
        { code: 'handler_failed', message: 'this run cannot be stopped' },
      );
      const before = tab.delivered().length;
      await tab.until(() => tab.delivered().length > before + 2, 5000, 'more');
      assert.equal(cancelledIn(tab, runId).length, 0);
      assert.equal(app.runs.get(runId)?.run.signal.aborted, false);
      app.runs.get(runId)?.run.cancelled('test over');
    } finally {
      await gw.close();
    }
  });

  it('a user cannot cancel another user’s run: the cancel only reaches their own stream', async () => {
    const { app, gw } = await startApp();
    try {
      const alice = await connectUser(gw, 'alice');
      const bob = await connectUser(gw, 'bob');
      const runId = await startRun(alice);
      bob.send({ type: 'cancel', runId, id: 'c1' });
      await bob.until(() => cancelledIn(bob, runId).length === 1, 5000, 'bob’s own run_cancelled');
      const before = alice.delivered().length;
      await alice.until(() => alice.delivered().length > before + 2, 5000, 'more');
      assert.equal(cancelledIn(alice, runId).length, 0);
      assert.equal(app.runs.get(runId)?.run.signal.aborted, false);
      assert.equal(app.cancels[0]?.userId, 'bob');
      await app.runs.get(runId)?.run.cancelled();
    } finally {
      await gw.close();
    }
  });

  it('the application can cancel a run itself: forUser(u).cancel(runId)', async () => {
    const { app, gw } = await startApp();
    try {
      const tab = await connectUser(gw, 'alice');
      const runId = await startRun(tab);
      const { seq } = await gw.gateway.forUser('alice').cancel(runId, 'timeout');
      assert.ok(
        (await within(app.runs.get(runId)?.ended, 'the run to end')) instanceof RunCancelledError,
      );
      assert.equal(app.cancels[0]?.via, 'api');
      await tab.until(() => cancelledIn(tab, runId)[0]?.seq === seq, 5000, 'run_cancelled');
    } finally {
      await gw.close();
    }
  });
});

describe('cancel across nodes (Redis engine)', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.stop());

  it('a cancel sent on node B stops the run executing on node A; both nodes’ tabs see run_cancelled', async () => {
    const history = { maxEvents: 1000, maxAgeMs: 60_000 };
    const engineA = new RedisEngine({ url: redis.url, history, prefix: 'cancel' });
    const engineB = new RedisEngine({ url: redis.url, history, prefix: 'cancel' });
    const appA = agentApp();
    const appB = agentApp();
    const a = await startGateway({ ...appA.options, engine: engineA });
    const b = await startGateway({ ...appB.options, engine: engineB });
    appA.bind(a);
    appB.bind(b);
    try {
      const tabA = await connectUser(a, 'alice');
      const tabB = await connectUser(b, 'alice');
      const runId = await startRun(tabA); // the run executes on A
      await tabB.until(() => tabB.delivered().length >= 3, 5000, 'tokens on B');
      tabB.send({ type: 'cancel', runId, id: 'c1', reason: 'from B' });
      const ended = await within(appA.runs.get(runId)?.ended, 'the run on A to end');
      assert.ok(ended instanceof RunCancelledError, `run on A ended with ${String(ended)}`);
      assert.equal(ended.reason, 'from B');
      assert.equal(appB.cancels.length, 1, 'onCancel ran on the node the cancel arrived at');
      assert.equal(appA.cancels.length, 0);
      for (const tab of [tabA, tabB]) {
        await tab.until(() => cancelledIn(tab, runId).length === 1, 5000, 'run_cancelled');
      }
      // A publishes one token at a time; the one in flight while the cancel crossed from B to A
      // may land after run_cancelled, nothing later does (A's next publish is refused).
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const tab of [tabA, tabB]) {
        const events = tab.delivered().filter((f) => f.event.runId === runId);
        const at = events.findIndex((f) => f.event.type === 'run_cancelled');
        assert.ok(events.length - 1 - at <= 1, `after run_cancelled: ${events.length - 1 - at}`);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([engineA.close(), engineB.close()]);
    }
  });
});
