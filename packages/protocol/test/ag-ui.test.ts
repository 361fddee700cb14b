import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { verifyEvents } from '@ag-ui/client';
import { RunAgentInputSchema as AgUiRunAgentInput, EventSchemas } from '@ag-ui/core/schemas';
import {
  AG_UI_MAPPING,
  AgUiDecoder,
  AgUiEncoder,
  type AgUiEvent,
  type EventInput,
  validateEvent,
  validateRunAgentInput,
} from '@agentwire/protocol';
import { from, lastValueFrom, toArray } from 'rxjs';

const run = (type: string, data: Record<string, unknown>): EventInput =>
  ({ type, runId: 'run_1', threadId: 'th_1', data }) as EventInput;

/** A full run: every built-in event type, a step and a custom event. */
const FULL_RUN: EventInput[] = [
  run('agent_started', { agent: 'planner' }),
  run('x-step_started', { stepName: 'plan' }),
  run('agent_thinking', { text: 'Let me ' }),
  run('agent_thinking', { text: 'look that up.' }),
  run('tool_executing', { tool: 'calc', callId: 'c1', args: { expr: '17*23' } }),
  run('tool_completed', { tool: 'calc', callId: 'c1', result: { value: 391 }, durationMs: 3 }),
  run('tool_executing', { tool: 'search', callId: 'c2', args: { q: 'moons' } }),
  run('tool_completed', { tool: 'search', callId: 'c2', error: 'offline', durationMs: 1 }),
  run('x-step_finished', { stepName: 'plan' }),
  run('agent_message', { messageId: 'm1', delta: '17 × 23 ' }),
  run('x-citation', { url: 'https://example.com' }),
  run('agent_message', { messageId: 'm1', delta: 'is 391.' }),
  run('agent_completed', { text: '17 × 23 is 391.', durationMs: 12 }),
];

function encodeAll(events: EventInput[], encoder = new AgUiEncoder()): AgUiEvent[] {
  return events.flatMap((e) => encoder.encode(e));
}

/** Runs AG-UI's own verifier over the events; rejects with its error when they break a rule. */
function verify(events: AgUiEvent[]): Promise<unknown[]> {
  return lastValueFrom(from(events as never[]).pipe(verifyEvents(false), toArray()));
}

describe('AG-UI mapping', () => {
  it('encodes a full run into events every one of which is valid AG-UI, and verifyEvents accepts the stream', async () => {
    const events = encodeAll(FULL_RUN);
    for (const event of events) {
      const parsed = EventSchemas.safeParse(event);
      assert.ok(parsed.success, `${event.type}: ${parsed.error?.message}`);
    }
    await verify(events);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'RUN_STARTED',
        'STEP_STARTED',
        'REASONING_START',
        'REASONING_MESSAGE_START',
        'REASONING_MESSAGE_CONTENT',
        'REASONING_MESSAGE_CONTENT',
        'REASONING_MESSAGE_END',
        'REASONING_END',
        'TOOL_CALL_START',
        'TOOL_CALL_ARGS',
        'TOOL_CALL_END',
        'TOOL_CALL_RESULT',
        'TOOL_CALL_START',
        'TOOL_CALL_ARGS',
        'TOOL_CALL_END',
        'TOOL_CALL_RESULT',
        'STEP_FINISHED',
        'TEXT_MESSAGE_START',
        'TEXT_MESSAGE_CONTENT',
        'CUSTOM',
        'TEXT_MESSAGE_CONTENT',
        'TEXT_MESSAGE_END',
        'RUN_FINISHED',
      ],
    );
  });

  it('AG-UI rejects a stream joined mid-run without the prelude, and accepts it with the prelude', async () => {
    const cut = 10; // after the first text delta: a run, a step-less text message open
    const late = new AgUiEncoder();
    encodeAll(FULL_RUN.slice(0, cut), late); // the late client's encoder folds what came before
    const prelude = late.prelude();
    const rest = encodeAll(FULL_RUN.slice(cut), late);
    await assert.rejects(verify(rest), /RUN_STARTED|first event|not started|no active/i);
    assert.deepEqual(
      prelude.map((e) => e.type),
      ['RUN_STARTED', 'TEXT_MESSAGE_START'],
    );
    await verify([...prelude, ...rest]);
  });

  it('the prelude holds an unanswered tool call with its args and an open reasoning message', async () => {
    const encoder = new AgUiEncoder();
    encodeAll(FULL_RUN.slice(0, 5), encoder); // thinking closed by the tool call; c1 pending
    const prelude = encoder.prelude();
    assert.deepEqual(
      prelude.map((e) => e.type),
      ['RUN_STARTED', 'STEP_STARTED', 'TOOL_CALL_START', 'TOOL_CALL_ARGS', 'TOOL_CALL_END'],
    );
    assert.equal(prelude[3]?.delta, '{"expr":"17*23"}');
    await verify([...prelude, ...encodeAll(FULL_RUN.slice(5), encoder)]);

    const thinking = new AgUiEncoder();
    encodeAll(FULL_RUN.slice(0, 3), thinking);
    assert.deepEqual(
      thinking.prelude().map((e) => e.type),
      ['RUN_STARTED', 'STEP_STARTED', 'REASONING_START', 'REASONING_MESSAGE_START'],
    );
  });

  it('decodes AG-UI back into agentwire events that validate and encode to the same AG-UI stream', async () => {
    const agUi = encodeAll(FULL_RUN);
    const decoder = new AgUiDecoder();
    const decoded = agUi.flatMap((e) => decoder.decode(e));
    for (const event of decoded) {
      const result = validateEvent({ ...event, runId: 'run_1' });
      assert.ok(result.ok, JSON.stringify(result));
    }
    const again = encodeAll(
      decoded.map((e) => ({ ...e, runId: 'run_1', threadId: 'th_1' }) as EventInput),
    );
    const strip = (events: AgUiEvent[]) =>
      events.map(({ timestamp: _t, ...rest }) => ({
        ...rest,
        // The decoder names the reasoning message after the AG-UI one; the result id is kept.
      }));
    assert.deepEqual(
      strip(again).map((e) => e.type),
      strip(agUi).map((e) => e.type),
    );
    assert.deepEqual(strip(again), strip(agUi));
  });

  it('passes AG-UI events agentwire has no type for through unchanged', () => {
    const snapshot = { type: 'STATE_SNAPSHOT', snapshot: { step: 2 } };
    const [decoded] = new AgUiDecoder().decode(snapshot);
    assert.equal(decoded?.type, 'x-ag-ui');
    const encoded = new AgUiEncoder().encode({ ...(decoded as EventInput), runId: 'r' });
    assert.deepEqual(encoded.at(-1), snapshot);
  });

  it('ends a cancelled run with RUN_ERROR code run_cancelled, which decodes back to run_cancelled', async () => {
    const encoder = new AgUiEncoder();
    const events = encodeAll(
      [
        run('agent_started', { agent: 'a' }),
        run('agent_message', { messageId: 'm', delta: 'x' }),
        run('run_cancelled', { reason: 'user pressed stop' }),
      ],
      encoder,
    );
    // A token that was in flight on another node when the cancel arrived is not a new run.
    assert.deepEqual(encoder.encode(run('agent_message', { messageId: 'm', delta: 'late' })), []);
    await verify(events);
    const last = events.at(-1);
    assert.deepEqual(
      { type: last?.type, code: last?.code, message: last?.message },
      { type: 'RUN_ERROR', code: 'run_cancelled', message: 'run cancelled: user pressed stop' },
    );
    assert.deepEqual(new AgUiDecoder().decode(last as AgUiEvent), [
      { type: 'run_cancelled', data: { reason: 'user pressed stop' } },
    ]);
  });
});

describe('validateRunAgentInput', () => {
  const input = {
    threadId: 't',
    runId: 'r',
    messages: [{ id: 'u1', role: 'user', content: 'hi' }],
    tools: [],
    context: [],
    state: {},
    forwardedProps: {},
  };

  it('accepts what @ag-ui/core accepts', () => {
    assert.ok(AgUiRunAgentInput.safeParse(input).success);
    assert.ok(validateRunAgentInput(input).ok);
  });

  it('names the wrong field', () => {
    for (const [bad, field] of [
      [{ ...input, runId: 7 }, 'runId'],
      [{ ...input, messages: undefined }, 'messages'],
      [{ ...input, messages: [{ id: 'x', role: 'robot' }] }, 'messages[0].role'],
      [[], 'body'],
    ] as const) {
      const result = validateRunAgentInput(bad);
      assert.ok(!result.ok);
      assert.equal(result.error.field, field);
      assert.equal(result.error.code, 'invalid_field');
    }
  });
});

describe('docs/protocol.md', () => {
  it('shows AG_UI_MAPPING row for row (one definition, one table)', () => {
    const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
    for (const row of AG_UI_MAPPING) {
      assert.ok(
        doc.includes(`| \`${row.agentwire}\` | ${row.agUi} | ${row.notes} |`),
        `docs/protocol.md lacks the row for ${row.agentwire}`,
      );
    }
  });
});
