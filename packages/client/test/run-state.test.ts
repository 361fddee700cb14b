import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldRun, type RunState, RunTracker } from '@agentwire/client';
import { mintToken, startGateway, waitFor } from '@agentwire/testkit';
import { record } from './helpers.js';

test('a run published through the gateway folds into a renderable state', async () => {
  const gw = await startGateway();
  const changes: RunState[] = [];
  const tracker = new RunTracker((run) => changes.push(run));
  const alice = record({ url: gw.wsUrl, token: () => mintToken('alice') });
  alice.client.on('event', ({ event }) => tracker.apply(event));
  try {
    await waitFor(() => alice.client.state === 'open', 'open');
    const run = gw.gateway.forUser('alice').run({ runId: 'run_1', threadId: 'th_1' });
    await run.started('calculator');
    await run.thinking('The user wants a sum.');
    await run.toolExecuting('calculate', 'c1', { expression: '2+3' });
    await run.toolCompleted('calculate', 'c1', { result: 5, durationMs: 12 });
    await run.toolExecuting('lookup', 'c2', { q: 'x' });
    await run.toolCompleted('lookup', 'c2', { error: 'not found', durationMs: 3 });
    await run.emit('x-progress', { pct: 50 });
    for (const delta of ['2 + 3', ' = ', '5']) await run.message('m1', delta);
    await run.completed({ result: { value: 5 }, durationMs: 40 });
    await waitFor(() => tracker.get('run_1')?.status === 'completed', 'completed run');

    const state = tracker.get('run_1') as RunState;
    assert.equal(state.agent, 'calculator');
    assert.equal(state.threadId, 'th_1');
    assert.equal(state.thinking, 'The user wants a sum.');
    assert.equal(state.text, '2 + 3 = 5');
    assert.deepEqual(state.result, { value: 5 });
    assert.equal(state.durationMs, 40);
    assert.equal(state.events, 11);
    assert.deepEqual(
      state.toolCalls.map((c) => [c.tool, c.status, c.durationMs, c.args, c.result, c.error]),
      [
        ['calculate', 'completed', 12, { expression: '2+3' }, 5, undefined],
        ['lookup', 'failed', 3, { q: 'x' }, undefined, 'not found'],
      ],
    );
    assert.deepEqual(
      state.steps.map((s) => s.kind),
      ['thinking', 'tool', 'tool', 'custom'],
    );
    // Every change is a new object: UIs can compare by reference.
    assert.equal(changes.length, 11);
    assert.equal(new Set(changes).size, 11);
    assert.equal(changes[1]?.toolCalls.length, 0);
  } finally {
    alice.client.close();
    await gw.close();
  }
});

test('foldRun: errors, cancellation and completion text', () => {
  const base = { runId: 'r', id: 'e', ts: '2026-01-01T00:00:00.000Z' };
  let s = foldRun(undefined, { ...base, type: 'agent_started', data: { agent: 'a' } });
  s = foldRun(s, { ...base, type: 'agent_message', data: { messageId: 'm', delta: 'partial' } });
  const failed = foldRun(s, { ...base, type: 'agent_error', data: { message: 'boom', code: 'x' } });
  assert.equal(failed.status, 'failed');
  assert.deepEqual(failed.error, { message: 'boom', code: 'x' });
  const cancelled = foldRun(s, { ...base, type: 'run_cancelled', data: { reason: 'user' } });
  assert.equal(cancelled.status, 'cancelled');
  assert.equal(cancelled.cancelReason, 'user');
  const done = foldRun(s, { ...base, type: 'agent_completed', data: { text: 'full answer' } });
  assert.equal(done.text, 'full answer');
  assert.equal(s.text, 'partial', 'the previous state is unchanged');
});
