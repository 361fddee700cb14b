import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT } from 'jose';

/** The demo's users. Signing in as one needs no password: this exists only in the demo profile. */
export const DEMO_USERS = ['alice', 'bob'] as const;
export type DemoUser = (typeof DEMO_USERS)[number];

/** Demo tokens are short-lived; the client refreshes them through the same route. */
export const DEMO_TOKEN_TTL_SEC = 300;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readSmallBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `POST /demo/sign-in {"user":"alice"}` → `{token, userId, expiresAt}`: a short-lived HS256 JWT
 * signed with the demo profile's generated secret. Refused when NODE_ENV=production, whatever
 * else happened before (the demo profile itself also refuses to start there).
 */
export function createDemoSignIn(jwtSecret: string, env: NodeJS.ProcessEnv = process.env) {
  const key = new TextEncoder().encode(jwtSecret);
  return async function signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (env.NODE_ENV === 'production') {
      json(res, 403, {
        error: {
          code: 'unavailable',
          message: 'demo sign-in is disabled when NODE_ENV=production',
        },
      });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      json(res, 405, { error: { code: 'method_not_allowed', message: 'use POST' } });
      return;
    }
    const text = await readSmallBody(req, 1024);
    let user: unknown;
    try {
      user = text === undefined ? undefined : (JSON.parse(text) as { user?: unknown }).user;
    } catch {
      json(res, 400, { error: { code: 'invalid_json', message: 'body is not valid JSON' } });
      return;
    }
    if (!DEMO_USERS.includes(user as DemoUser)) {
      json(res, 400, {
        error: {
          code: 'invalid_field',
          field: 'user',
          message: `user: must be one of ${DEMO_USERS.join(', ')}`,
        },
      });
      return;
    }
    const exp = Math.floor(Date.now() / 1000) + DEMO_TOKEN_TTL_SEC;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user as string)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(key);
    json(res, 200, { token, userId: user, expiresAt: new Date(exp * 1000).toISOString() });
  };
}
