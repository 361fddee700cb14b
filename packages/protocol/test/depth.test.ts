import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_JSON_DEPTH, ErrorCode, isRfc3339, nestingError } from '@agentwire/protocol';

describe('nestingError', () => {
  it('accepts values up to the limit and names the first field past it', () => {
    assert.equal(nestingError({ a: { b: [1, { c: 2 }] } }, 4, 'event'), undefined);
    const error = nestingError({ a: { b: [1, { c: {} }] } }, 4, 'event');
    assert.deepEqual(error, {
      code: ErrorCode.InvalidField,
      field: 'event.a.b[1].c',
      message: 'event.a.b[1].c: nested deeper than 4 levels',
    });
    assert.equal(nestingError('text', 1, 'x'), undefined);
    assert.equal(DEFAULT_MAX_JSON_DEPTH, 64);
  });

  it('walks 100,000 levels without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const error = nestingError(deep, DEFAULT_MAX_JSON_DEPTH, '');
    assert.equal(error?.field, '[0]'.repeat(DEFAULT_MAX_JSON_DEPTH));
  });
});

describe('isRfc3339', () => {
  it('accepts real date-times, with fractions, offsets and a leap second', () => {
    for (const ts of [
      '2026-11-22T10:00:00Z',
      '2026-11-22T10:00:00.123456789+05:30',
      '2028-02-29T23:59:60Z',
      '2026-12-31T23:59:59-23:59',
    ])
      assert.equal(isRfc3339(ts), true, ts);
  });

  it('refuses parts out of range and other formats', () => {
    for (const ts of [
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T99:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T00:00:61Z',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01 00:00:00Z',
      '2026-01-01T00:00:00',
    ])
      assert.equal(isRfc3339(ts), false, ts);
  });
});
