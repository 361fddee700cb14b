import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BUILTIN_EVENT_TYPES,
  ErrorCode,
  parseClientFrame,
  validateClientFrame,
  validateEvent,
} from '@agentwire/protocol';
import fc from 'fast-check';

const valid = {
  agent_started: { agent: 'planner' },
  agent_thinking: { text: 'looking at costs' },
  tool_executing: { tool: 'cost_query', callId: 'c1', args: { month: '2026-10' } },
  tool_completed: { tool: 'cost_query', callId: 'c1', result: { rows: 12 }, durationMs: 840 },
  agent_completed: { text: 'done', durationMs: 1200 },
  agent_message: { messageId: 'm1', delta: 'Hel' },
  agent_error: { message: 'model timed out', code: 'timeout' },
  run_cancelled: { reason: 'user' },
} as const;

// For every built-in type: one required field removed or mistyped, and the path it must name.
const broken: Record<string, { data: unknown; field: string }[]> = {
  agent_started: [{ data: {}, field: 'event.data.agent' }],
  agent_thinking: [{ data: { text: 3 }, field: 'event.data.text' }],
  tool_executing: [
    { data: { callId: 'c1' }, field: 'event.data.tool' },
    { data: { tool: 't' }, field: 'event.data.callId' },
  ],
  tool_completed: [
    { data: { tool: 't', callId: 'c' }, field: 'event.data.durationMs' },
    { data: { tool: 't', callId: 'c', durationMs: -1 }, field: 'event.data.durationMs' },
    { data: { tool: 't', callId: 'c', durationMs: 1, result: 1, error: 'x' }, field: 'event.data' },
  ],
  agent_completed: [{ data: { durationMs: 'slow' }, field: 'event.data.durationMs' }],
  agent_message: [
    { data: { delta: 'x' }, field: 'event.data.messageId' },
    { data: { messageId: 'm', delta: 5 }, field: 'event.data.delta' },
  ],
  agent_error: [{ data: {}, field: 'event.data.message' }],
  run_cancelled: [{ data: { reason: 7 }, field: 'event.data.reason' }],
};

describe('validateEvent', () => {
  it('covers every built-in event type in these cases', () => {
    assert.deepEqual(Object.keys(valid).sort(), [...BUILTIN_EVENT_TYPES].sort());
    assert.deepEqual(Object.keys(broken).sort(), [...BUILTIN_EVENT_TYPES].sort());
  });

  for (const [type, data] of Object.entries(valid)) {
    it(`accepts a valid ${type}`, () => {
      const result = validateEvent({ type, runId: 'run_1', data });
      assert.equal(result.ok, true, JSON.stringify(result));
    });
    for (const bad of broken[type] ?? []) {
      it(`rejects ${type} with a bad ${bad.field}`, () => {
        const result = validateEvent({ type, runId: 'run_1', data: bad.data });
        assert.equal(result.ok, false);
        if (!result.ok) {
          assert.equal(result.error.code, ErrorCode.InvalidField);
          assert.equal(result.error.field, bad.field);
          assert.match(result.error.message, new RegExp(`^${bad.field.replace(/\./g, '\\.')}`));
        }
      });
    }
  }

  it('requires runId on built-in events but not on custom x- events', () => {
    const r = validateEvent({ type: 'agent_started', data: { agent: 'a' } });
    assert.equal(r.ok || r.error.field, 'event.runId');
    assert.equal(validateEvent({ type: 'x-progress', data: [1, 2] }).ok, true);
  });

  it('rejects unknown types, unknown envelope fields and bad envelope values', () => {
    const cases: [unknown, string][] = [
      [{ type: 'agent_exploded', runId: 'r', data: {} }, 'event.type'],
      [{ type: 'x-', runId: 'r' }, 'event.type'],
      [{ type: 'agent_started', run_id: 'r', data: { agent: 'a' } }, 'event.run_id'],
      [{ type: 'agent_started', runId: '', data: { agent: 'a' } }, 'event.runId'],
      [{ type: 'agent_started', runId: 'r', data: { agent: 'a' }, id: 5 }, 'event.id'],
      [{ type: 'agent_started', runId: 'r', data: { agent: 'a' }, ts: 'yesterday' }, 'event.ts'],
      [{ type: 'agent_started', runId: 'r', data: 'a' }, 'event.data'],
      [[], 'event'],
      [null, 'event'],
    ];
    for (const [input, field] of cases) {
      const r = validateEvent(input);
      assert.equal(r.ok ? 'accepted' : r.error.field, field, JSON.stringify(input));
    }
  });

  it('accepts caller timestamps in RFC 3339 and names the field for bad ones', () => {
    const event = (ts: unknown) => ({
      type: 'agent_started',
      runId: 'r',
      data: { agent: 'a' },
      ts,
    });
    for (const ts of [
      '2026-11-22T10:00:00Z',
      '2026-11-22T10:00:00.123Z',
      '2026-11-22T10:00:00.123456789+05:30',
      '2026-11-22T10:00:00-08:00',
    ]) {
      const r = validateEvent(event(ts));
      assert.equal(r.ok || r.error.message, true, ts);
    }
    for (const ts of ['2026-11-22', '2026-11-22 10:00:00Z', 'yesterday', 1764000000000, '']) {
      const r = validateEvent(event(ts));
      assert.equal(
        r.ok ? 'accepted' : r.error.message,
        `event.ts: must be an RFC 3339 timestamp such as 2026-11-22T10:00:00.123Z`,
        String(ts),
      );
    }
  });

  it('names the path inside a batch', () => {
    const r = validateEvent({ type: 'agent_thinking', runId: 'r', data: {} }, 'batch[3].event');
    assert.equal(r.ok ? '' : r.error.field, 'batch[3].event.data.text');
  });

  it('never throws on arbitrary JSON input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = validateEvent(value);
        assert.equal(typeof r.ok, 'boolean');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseClientFrame', () => {
  it('parses ping, refresh and message', () => {
    assert.deepEqual(parseClientFrame('{"type":"ping","id":"1"}'), {
      ok: true,
      value: { type: 'ping', id: '1' },
    });
    assert.equal(parseClientFrame('{"type":"refresh","token":"abc"}').ok, true);
    assert.equal(parseClientFrame('{"type":"message","id":"m1","data":{"text":"hi"}}').ok, true);
  });

  it('parses cancel with a runId and names a missing or oversized one', () => {
    assert.deepEqual(parseClientFrame('{"type":"cancel","runId":"run_1","reason":"stop"}'), {
      ok: true,
      value: { type: 'cancel', runId: 'run_1', reason: 'stop' },
    });
    const missing = parseClientFrame('{"type":"cancel"}');
    assert.equal(!missing.ok && missing.error.field, 'runId');
    const long = parseClientFrame(JSON.stringify({ type: 'cancel', runId: 'r'.repeat(129) }));
    assert.equal(!long.ok && long.error.field, 'runId');
    const unknown = parseClientFrame('{"type":"stop"}');
    assert.match(
      !unknown.ok ? unknown.error.message : '',
      /expected ping, refresh, message, cancel/,
    );
  });

  it('reports invalid JSON, unknown types and bad fields with distinct codes', () => {
    const json = parseClientFrame('{nope');
    assert.equal(json.ok ? '' : json.error.code, ErrorCode.InvalidJson);
    const unknown = parseClientFrame('{"type":"subscribe"}');
    assert.equal(unknown.ok ? '' : unknown.error.code, ErrorCode.UnknownType);
    const missing = parseClientFrame('{"type":"message","data":1}');
    assert.equal(missing.ok ? '' : missing.error.field, 'id');
    const refresh = validateClientFrame({ type: 'refresh', token: '' });
    assert.equal(refresh.ok ? '' : refresh.error.field, 'token');
    const notObject = parseClientFrame('[1,2]');
    assert.equal(notObject.ok ? '' : notObject.error.field, 'frame');
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        assert.equal(typeof parseClientFrame(text).ok, 'boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
