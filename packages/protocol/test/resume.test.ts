import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ErrorCode,
  isStreamPosition,
  readResumeQuery,
  UpgradeQuery,
  writeResumeQuery,
} from '@agentwire/protocol';

describe('the resume query', () => {
  it('reads back what was written, under the names docs/protocol.md gives', () => {
    const query = new URLSearchParams();
    writeResumeQuery(query, { epoch: 'egpFPQAV', seq: 41 });
    assert.equal(query.toString(), 'epoch=egpFPQAV&after=41');
    assert.deepEqual(readResumeQuery(query), { ok: true, value: { epoch: 'egpFPQAV', seq: 41 } });
  });

  it('asks for no position when neither parameter is there (a ticket is not one)', () => {
    const query = new URLSearchParams({ [UpgradeQuery.ticket]: 't1' });
    assert.deepEqual(readResumeQuery(query), { ok: true, value: undefined });
  });

  const invalid: [string, string, string][] = [
    ['after=3', 'epoch', 'resume needs both epoch and after'],
    ['epoch=&after=3', 'epoch', 'resume needs both epoch and after'],
    ['epoch=e', 'after', 'resume needs both epoch and after'],
    ['epoch=e&after=-1', 'after', 'after: must be a non-negative integer'],
    ['epoch=e&after=1.5', 'after', 'after: must be a non-negative integer'],
    ['epoch=e&after=1e3', 'after', 'after: must be a non-negative integer'],
    ['epoch=e&after=', 'after', 'after: must be a non-negative integer'],
    ['epoch=e&after=1234567890123456', 'after', 'after: must be a non-negative integer'],
  ];
  for (const [search, field, message] of invalid) {
    it(`refuses ?${search}, naming ${field}`, () => {
      assert.deepEqual(readResumeQuery(new URLSearchParams(search)), {
        ok: false,
        error: { code: ErrorCode.InvalidField, field, message },
      });
    });
  }
});

describe('isStreamPosition', () => {
  it('accepts an epoch and a non-negative safe integer seq', () => {
    assert.equal(isStreamPosition({ epoch: 'e', seq: 0 }), true);
    assert.equal(isStreamPosition({ epoch: 'e', seq: 12, userId: 'alice' }), true);
  });

  for (const value of [
    null,
    'e:1',
    { epoch: 'e' },
    { epoch: '', seq: 1 },
    { epoch: 1, seq: 1 },
    { epoch: 'e', seq: -1 },
    { epoch: 'e', seq: 1.5 },
    { epoch: 'e', seq: Number.MAX_SAFE_INTEGER + 1 },
  ]) {
    it(`refuses ${JSON.stringify(value)}`, () => assert.equal(isStreamPosition(value), false));
  }
});
