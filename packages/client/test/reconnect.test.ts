import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode } from '@agentwire/protocol';
import { ClientErrorCode } from '../src/errors.js';
import { ReconnectPolicy, type SocketEnd } from '../src/reconnect.js';

const end = (code: number, extra: Partial<SocketEnd> = {}): SocketEnd => ({
  code,
  reason: '',
  httpStatus: undefined,
  welcomed: true,
  ...extra,
});

describe('ReconnectPolicy', () => {
  it('stops for good on 4009 and 4400, naming the code', () => {
    for (const code of [CloseCode.TooManyConnections, CloseCode.ProtocolViolation]) {
      const decision = new ReconnectPolicy().afterEnd(end(code, { reason: 'why' }));
      assert.equal(decision.retry, false);
      if (decision.retry) continue;
      assert.equal(decision.error.code, ClientErrorCode.FinalClose);
      assert.equal(decision.error.closeCode, code);
      assert.match(decision.error.message, new RegExp(`${code} \\(why\\)`));
    }
  });

  it('stops on an HTTP refusal that retrying cannot fix; retries 401, 408 and 429', () => {
    for (const httpStatus of [400, 403, 404]) {
      const decision = new ReconnectPolicy().afterEnd(end(1006, { httpStatus, welcomed: false }));
      assert.equal(decision.retry, false, `HTTP ${httpStatus}`);
    }
    for (const httpStatus of [401, 408, 429, 500, 503]) {
      const decision = new ReconnectPolicy().afterEnd(end(1006, { httpStatus, welcomed: false }));
      assert.equal(decision.retry, true, `HTTP ${httpStatus}`);
    }
  });

  it('4001: one retry with fresh credentials, then auth_failed; reset() forgives', () => {
    const policy = new ReconnectPolicy();
    const first = policy.afterEnd(end(CloseCode.CredentialsExpired));
    assert.deepEqual(first.retry && first.freshCredentials, true);
    const second = policy.afterEnd(end(1006, { httpStatus: 401, welcomed: false }));
    assert.equal(second.retry, false);
    if (!second.retry) assert.equal(second.error.code, ClientErrorCode.AuthFailed);
    policy.reset();
    assert.equal(policy.afterEnd(end(CloseCode.CredentialsExpired)).retry, true);
  });

  it('asks for fresh credentials after a socket that never got welcome, not after one that did', () => {
    const policy = new ReconnectPolicy();
    const lost = policy.afterEnd(end(1006));
    assert.deepEqual(lost.retry && lost.freshCredentials, false);
    const refused = policy.afterEnd(end(1006, { welcomed: false }));
    assert.deepEqual(refused.retry && refused.freshCredentials, true);
  });

  it('retries after 1001, 1011, 1012 and 4008 (resume on this or another node)', () => {
    for (const code of [
      CloseCode.GoingAway,
      CloseCode.InternalError,
      CloseCode.ServiceRestart,
      CloseCode.SlowConsumer,
    ]) {
      assert.equal(new ReconnectPolicy().afterEnd(end(code)).retry, true, String(code));
    }
  });

  it('paces retries with the backoff: the window doubles, reset() starts over', () => {
    const policy = new ReconnectPolicy(
      { initialDelayMs: 100, minDelayMs: 10, maxDelayMs: 1_000 },
      () => 1,
    );
    const delays = [1, 2, 3, 4, 5].map(() => {
      const decision = policy.afterEnd(end(1006));
      return decision.retry ? decision.delayMs : -1;
    });
    assert.deepEqual(delays, [110, 210, 410, 810, 1_000]);
    assert.equal(policy.nextDelay(), 1_000);
    policy.reset();
    assert.equal(policy.nextDelay(), 110);
  });
});
