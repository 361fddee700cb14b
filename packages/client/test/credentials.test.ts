import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintToken } from '@agentwire/testkit';
import { Credentials } from '../src/credentials.js';

/** A provider that hands out the tokens given, in turn, and counts its calls. */
function provider(tokens: string[]) {
  const p = {
    calls: 0,
    next: async () => {
      const token = tokens[Math.min(p.calls, tokens.length - 1)] as string;
      p.calls++;
      return token;
    },
  };
  return p;
}

describe('Credentials', () => {
  it('needs a token or a ticket provider', () => {
    assert.throws(() => new Credentials({ refreshBeforeMs: 1 }), /token provider or a ticket/);
  });

  it('reuses a token with life left across attempts, fetches again once rejected', async () => {
    const tokens = provider([await mintToken('alice'), await mintToken('alice', 7200)]);
    const credentials = new Credentials({ token: tokens.next, refreshBeforeMs: 60_000 });
    const first = await credentials.forAttempt();
    assert.deepEqual(await credentials.forAttempt(), first);
    assert.equal(tokens.calls, 1);
    credentials.reject();
    const second = await credentials.forAttempt();
    assert.equal(tokens.calls, 2);
    assert.notDeepEqual(second, first);
  });

  it('does not reuse a token that is about to expire', async () => {
    const tokens = provider([await mintToken('alice', 3)]);
    const credentials = new Credentials({ token: tokens.next, refreshBeforeMs: 60_000 });
    await credentials.forAttempt();
    await credentials.forAttempt();
    assert.equal(tokens.calls, 2);
  });

  it('fetches a ticket for every attempt, and the token too when refresh is possible', async () => {
    const tickets = provider(['t1', 't2']);
    const tokens = provider([await mintToken('alice')]);
    const credentials = new Credentials({
      ticket: tickets.next,
      token: tokens.next,
      refreshBeforeMs: 60_000,
    });
    assert.deepEqual(await credentials.forAttempt(), { ticket: 't1' });
    assert.deepEqual(await credentials.forAttempt(), { ticket: 't2' });
    assert.equal(tokens.calls, 1);
    assert.equal(credentials.refreshable, true);
    const ticketOnly = new Credentials({ ticket: tickets.next, refreshBeforeMs: 60_000 });
    assert.equal(ticketOnly.refreshable, false);
    assert.equal(ticketOnly.refreshDelay(), undefined);
  });

  it('plans the refresh refreshBeforeMs before exp, at most a third of the lifetime before', async () => {
    const now = Date.now();
    const long = new Credentials({ token: async () => '', refreshBeforeMs: 60_000 });
    long.accepted(await mintToken('alice', 3600));
    const longDelay = long.refreshDelay(now) as number;
    assert.ok(Math.abs(longDelay - (3600_000 - 60_000)) < 2_000, `${longDelay}`);
    const short = new Credentials({ token: async () => '', refreshBeforeMs: 60_000 });
    short.accepted(await mintToken('alice', 30));
    const shortDelay = short.refreshDelay(now) as number;
    assert.ok(Math.abs(shortDelay - 20_000) < 2_000, `${shortDelay}`);
    const opaque = new Credentials({ token: async () => '', refreshBeforeMs: 60_000 });
    opaque.accepted('not-a-jwt');
    assert.equal(opaque.refreshDelay(), undefined);
  });

  it('a refresh that gets the token in use back asks again halfway to expiry', async () => {
    const token = await mintToken('alice', 100);
    const credentials = new Credentials({ token: async () => token, refreshBeforeMs: 60_000 });
    await credentials.forAttempt();
    const next = await credentials.nextToken();
    assert.ok('retryInMs' in next && next.retryInMs !== undefined);
    assert.ok(Math.abs(next.retryInMs - 50_000) < 2_000, `${next.retryInMs}`);
    const fresher = await mintToken('alice', 200);
    const renewing = new Credentials({ token: async () => fresher, refreshBeforeMs: 60_000 });
    renewing.accepted(token);
    assert.deepEqual(await renewing.nextToken(), { token: fresher });
  });
});
