import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CloseCode, ErrorCode } from '@agentwire/protocol';
import { mintToken, startGateway, TEST_SECRET, type TestGateway } from '@agentwire/testkit';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { connectUser, openClient } from './helpers/harness.js';

/** Opens a socket expecting the upgrade to be refused; returns the HTTP status and JSON body. */
async function refused(gw: TestGateway, opts: Parameters<typeof openClient>[1], path = '') {
  const client = openClient(gw.wsUrl + path, opts);
  try {
    await client.opened;
  } catch (error) {
    const e = error as { status?: number; body?: string };
    return {
      status: e.status,
      body: e.body
        ? (JSON.parse(e.body) as { error: { code: string; message: string } })
        : undefined,
    };
  }
  client.ws.terminate();
  throw new Error('upgrade was accepted');
}

const unsigned = (payload: object) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

describe('authentication before the upgrade', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ allowedOrigins: ['https://app.example.com'] });
  });
  after(() => gw.close());

  it('accepts a valid bearer subprotocol and never echoes it', async () => {
    const c = await connectUser(gw, 'alice');
    assert.equal(c.ws.protocol, 'agentwire.v1');
    assert.equal(c.welcome().userId, 'alice');
    await c.close();
  });

  const negatives: [string, () => Promise<Parameters<typeof openClient>[1]>][] = [
    ['no credentials', async () => ({})],
    [
      'a bad signature',
      async () => ({
        token: await mintToken('alice', 3600, {
          key: new TextEncoder().encode('another-secret-that-is-long-enough-123'),
        }),
      }),
    ],
    [
      'alg none',
      async () => ({ token: unsigned({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 60 }) }),
    ],
    [
      'an expired token',
      async () => ({
        token: await mintToken('alice', -10),
      }),
    ],
    [
      'a token that is not yet valid',
      async () => ({
        token: await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .setNotBefore('10m')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(TEST_SECRET)),
      }),
    ],
    [
      'a token without exp',
      async () => ({
        token: await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .sign(new TextEncoder().encode(TEST_SECRET)),
      }),
    ],
    ['a token without sub', async () => ({ token: await mintToken('') })],
    [
      'a wrong algorithm (HS512 with the right secret)',
      async () => ({ token: await mintToken('alice', 3600, { alg: 'HS512' }) }),
    ],
    ['a garbage token', async () => ({ token: 'not.a.jwt' })],
    ['an unknown ticket', async () => ({ ticket: 'forged-ticket' })],
  ];
  for (const [what, make] of negatives) {
    it(`refuses ${what} with 401 and a JSON body`, async () => {
      const r = await refused(gw, await make());
      assert.equal(r.status, 401);
      assert.equal(r.body?.error.code, ErrorCode.Unauthorized);
      assert.ok(r.body?.error.message);
    });
  }

  it('ignores a JWT in the query string', async () => {
    const r = await refused(
      gw,
      { protocols: ['agentwire.v1'] },
      `?token=${await mintToken('alice')}&access_token=${await mintToken('alice')}`,
    );
    assert.equal(r.status, 401);
  });

  it('refuses a disallowed Origin with 403 and accepts an allowed one', async () => {
    const r = await refused(gw, {
      token: await mintToken('alice'),
      origin: 'https://evil.example.com',
    });
    assert.equal(r.status, 403);
    assert.equal(r.body?.error.code, ErrorCode.OriginNotAllowed);
    const ok = await connectUser(gw, 'alice', { origin: 'https://app.example.com' });
    await ok.close();
  });

  it('requires the agentwire.v1 subprotocol', async () => {
    const r = await refused(gw, { protocols: [`bearer.${await mintToken('alice')}`] });
    assert.equal(r.status, 400);
  });

  it('refuses a malformed resume position with 400', async () => {
    const r = await refused(gw, { token: await mintToken('alice') }, '?epoch=e&after=-1');
    assert.equal(r.status, 400);
  });

  it('names the resume parameter that is missing', async () => {
    const r = await refused(gw, { token: await mintToken('alice') }, '?after=3');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body?.error, {
      code: ErrorCode.InvalidField,
      message: 'resume needs both epoch and after',
      field: 'epoch',
    });
  });

  describe('tickets', () => {
    const ticketFor = async (jwt: string) => {
      const res = await fetch(`${gw.url}/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${jwt}` },
      });
      return {
        status: res.status,
        body: (await res.json()) as { ticket: string; expiresAt: string },
      };
    };

    it('issues single-use tickets that carry the token’s user', async () => {
      const { status, body } = await ticketFor(await mintToken('tina'));
      assert.equal(status, 200);
      assert.ok(Date.parse(body.expiresAt) - Date.now() <= 30_000);
      const c = openClient(gw.wsUrl, { ticket: body.ticket });
      await c.opened;
      await c.until((f) => f.length > 0);
      assert.equal(c.welcome().userId, 'tina');
      const reuse = await refused(gw, { ticket: body.ticket });
      assert.equal(reuse.status, 401);
      assert.match(reuse.body?.error.message ?? '', /unknown or already used/);
      await c.close();
    });

    it('refuses tickets without a valid JWT', async () => {
      assert.equal((await ticketFor('garbage')).status, 401);
      const res = await fetch(`${gw.url}/v1/tickets`, { method: 'POST' });
      assert.equal(res.status, 401);
    });

    it('refuses an expired ticket', async () => {
      const short = await startGateway({
        auth: { jwt: { secret: TEST_SECRET }, apiKeys: [], ticketTtlMs: 50 },
      });
      const res = await fetch(`${short.url}/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await mintToken('t')}` },
      });
      const { ticket } = (await res.json()) as { ticket: string };
      await new Promise((r) => setTimeout(r, 120));
      const r = await refused(short, { ticket });
      assert.equal(r.status, 401);
      assert.match(r.body?.error.message ?? '', /expired/);
      await short.close();
    });
  });

  describe('expiry for the life of the connection', () => {
    it('closes with 4001 when exp passes', async () => {
      const c = openClient(gw.wsUrl, {
        // 2 s, not 1: exp is whole seconds, so 1 can be milliseconds away and expire before the upgrade.
        token: await mintToken('exp', 2),
      });
      await c.opened;
      assert.equal(await c.closed, CloseCode.CredentialsExpired);
    });

    it('keeps the connection open after a refresh for the same sub', async () => {
      const c = openClient(gw.wsUrl, {
        token: await mintToken('fresh', 1),
      });
      await c.opened;
      c.send({ type: 'refresh', id: 'r1', token: await mintToken('fresh') });
      await c.until((f) => f.some((x) => x.type === 'ack' && x.id === 'r1'));
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(c.closeCode, undefined);
      await c.close();
    });

    it('refuses a refresh for another sub and still expires', async () => {
      const c = openClient(gw.wsUrl, {
        token: await mintToken('victim', 2),
      });
      await c.opened;
      c.send({ type: 'refresh', id: 'r2', token: await mintToken('attacker') });
      await c.until((f) => f.some((x) => x.type === 'error'));
      const err = c.frames.find((f) => f.type === 'error');
      assert.equal(err?.type === 'error' && err.code, ErrorCode.SubjectMismatch);
      assert.equal(await c.closed, CloseCode.CredentialsExpired);
    });

    it('refuses an invalid refresh token with an error frame', async () => {
      const c = await connectUser(gw, 'r');
      c.send({ type: 'refresh', id: 'r3', token: 'bogus' });
      await c.until((f) => f.some((x) => x.type === 'error'));
      const err = c.frames.find((f) => f.type === 'error');
      assert.equal(err?.type === 'error' && err.code, ErrorCode.Unauthorized);
      await c.close();
    });
  });
});

describe('asymmetric keys', () => {
  it('verifies ES256 tokens with a PEM public key and rejects HS256 ones', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const gw = await startGateway({
      auth: {
        jwt: {
          publicKey: await exportSPKI(publicKey),
          algorithm: 'ES256',
          issuer: 'https://issuer.test',
          audience: 'agentwire',
        },
        apiKeys: [],
      },
    });
    const sign = (claims: { iss?: string; aud?: string }) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject('pk')
        .setExpirationTime('1h')
        .sign(privateKey);
    const c = openClient(gw.wsUrl, {
      token: await sign({ iss: 'https://issuer.test', aud: 'agentwire' }),
    });
    await c.opened;
    await c.close();
    for (const bad of [
      await sign({ iss: 'https://other.test', aud: 'agentwire' }),
      await sign({ iss: 'https://issuer.test', aud: 'someone-else' }),
      await mintToken('pk'),
    ]) {
      const r = await refused(gw, { token: bad });
      assert.equal(r.status, 401);
    }
    await gw.close();
  });

  it('verifies RS256 tokens against a JWKS URL', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const { port } = jwks.address() as AddressInfo;
    const gw = await startGateway({
      auth: {
        jwt: { jwksUrl: `http://127.0.0.1:${port}/jwks.json`, algorithm: 'RS256' },
        apiKeys: [],
      },
    });
    const good = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('jw')
      .setExpirationTime('1h')
      .sign(privateKey);
    const c = openClient(gw.wsUrl, { token: good });
    await c.opened;
    await c.until((f) => f.length > 0);
    assert.equal(c.welcome().userId, 'jw');
    await c.close();
    const other = await generateKeyPair('RS256');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('jw')
      .setExpirationTime('1h')
      .sign(other.privateKey);
    assert.equal((await refused(gw, { token: forged })).status, 401);
    await gw.close();
    jwks.close();
  });
});
