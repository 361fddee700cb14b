import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode } from '@agentwire/protocol';
import { mintToken, startGateway, waitFor } from '@agentwire/testkit';
import { ClientErrorCode } from '../src/errors.js';
import { ReconnectPolicy, type SocketEnd } from '../src/reconnect.js';
import { FaultyProxy, record } from './helpers.js';

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

describe('ReconnectPolicy after 1012 (resume elsewhere now)', () => {
  const slow = { initialDelayMs: 5_000, minDelayMs: 5_000, maxDelayMs: 30_000 };

  it('retries after a jittered delay within restartJitterMs, without advancing the backoff', () => {
    const policy = new ReconnectPolicy({ ...slow, restartJitterMs: 400 }, () => 0.5);
    const decision = policy.afterEnd(end(CloseCode.ServiceRestart));
    assert.deepEqual(decision, { retry: true, delayMs: 200, freshCredentials: false });
    assert.equal(policy.nextDelay(), 5_000 + 0.5 * 5_000, 'the backoff is still at its start');
  });

  it('a second 1012 before the connection proved stable gets the backoff; reset() restores it', () => {
    const policy = new ReconnectPolicy({ ...slow, restartJitterMs: 400 }, () => 0);
    policy.afterEnd(end(CloseCode.ServiceRestart));
    const again = policy.afterEnd(end(CloseCode.ServiceRestart));
    assert.deepEqual(again.retry && again.delayMs, 5_000);
    policy.reset();
    const later = policy.afterEnd(end(CloseCode.ServiceRestart));
    assert.deepEqual(later.retry && later.delayMs, 0);
  });

  it('a 1012 on a socket that was never welcomed gets the backoff', () => {
    const policy = new ReconnectPolicy({ ...slow, restartJitterMs: 400 }, () => 0);
    const decision = policy.afterEnd(end(CloseCode.ServiceRestart, { welcomed: false }));
    assert.deepEqual(decision.retry && decision.delayMs, 5_000);
  });

  it('spreads the clients of a draining node over the whole jitter window', () => {
    const delays = Array.from({ length: 200 }, () => {
      const decision = new ReconnectPolicy({ restartJitterMs: 1_000 }).afterEnd(
        end(CloseCode.ServiceRestart),
      );
      return decision.retry ? decision.delayMs : -1;
    });
    assert.ok(delays.every((d) => d >= 0 && d < 1_000));
    assert.ok(Math.min(...delays) < 250 && Math.max(...delays) > 750, 'not all at one instant');
  });
});

describe('against a real gateway', () => {
  // A backoff floor of 5 s: a reconnect well before that can only come from the 1012 path.
  const reconnect = { initialDelayMs: 5_000, minDelayMs: 5_000, restartJitterMs: 300 };

  it('1012 resumes within the jitter window, not the backoff, with nothing lost', async () => {
    const gw = await startGateway();
    const proxy = await new FaultyProxy(gw.port).listen();
    const alice = record({ url: proxy.wsUrl, token: () => mintToken('alice'), reconnect });
    try {
      await waitFor(() => alice.client.state === 'open', 'open');
      const first = alice.client.connectionId;
      const user = gw.gateway.forUser('alice');
      const before = await user.publish({ type: 'x-note', data: { n: 1 } });
      await waitFor(() => alice.events.length === 1, 'the first event');
      proxy.closeWith(CloseCode.ServiceRestart);
      await waitFor(() => alice.client.state === 'reconnecting', 'reconnecting');
      const during = await user.publish({ type: 'x-note', data: { n: 2 } });
      await waitFor(
        () => alice.client.state === 'open' && alice.client.connectionId !== first,
        'resumed on a new connection',
        2_500,
      );
      await waitFor(() => alice.events.length === 2, 'the event published meanwhile');
      assert.deepEqual(
        alice.events.map((e) => e.event.id),
        [before.id, during.id],
      );
      assert.deepEqual(alice.errors, []);
    } finally {
      alice.client.close();
      await proxy.close();
      await gw.close();
    }
  });

  it('1001 (going away) keeps the normal backoff', async () => {
    const gw = await startGateway();
    const proxy = await new FaultyProxy(gw.port).listen();
    const bob = record({ url: proxy.wsUrl, token: () => mintToken('bob'), reconnect });
    try {
      await waitFor(() => bob.client.state === 'open', 'open');
      proxy.closeWith(CloseCode.GoingAway);
      await waitFor(() => bob.client.state === 'reconnecting', 'reconnecting');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(bob.client.state, 'reconnecting');
      assert.equal(bob.client.stats.connects, 1, 'no second attempt before the backoff floor');
    } finally {
      bob.client.close();
      await proxy.close();
      await gw.close();
    }
  });
});
