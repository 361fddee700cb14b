import { createGateway, type Gateway, type GatewayOptions } from '@agentwire/gateway';
import { SignJWT } from 'jose';
import { pino } from 'pino';

import { TEST_API_KEY, TEST_SECRET } from './credentials.js';

export { TEST_API_KEY, TEST_SECRET };

const secretKey = new TextEncoder().encode(TEST_SECRET);

export interface TestGateway {
  gateway: Gateway;
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** ws://127.0.0.1:port/ws */
  wsUrl: string;
  close(): Promise<void>;
}

/** A real gateway on 127.0.0.1 with an ephemeral port; logs only with TEST_LOG_LEVEL set. */
export async function startGateway(overrides: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const gateway = createGateway({
    auth: { jwt: { secret: TEST_SECRET }, apiKeys: [TEST_API_KEY] },
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    drainTimeoutMs: 500,
    // Close every connection at once: a test's gateway has no herd to spread.
    drainWindowMs: 0,
    ...overrides,
  });
  const { port } = await gateway.listen(0, '127.0.0.1');
  return {
    gateway,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    close: () => gateway.close(),
  };
}

export interface MintOptions {
  /** Signing key; the test secret by default. */
  key?: Uint8Array;
  /** Header algorithm; HS256 by default. */
  alg?: string;
  /** Extra claims. */
  claims?: Record<string, unknown>;
}

/** A JWT for `sub` (omitted when empty) expiring `expSeconds` from now (negative: expired). */
export function mintToken(
  sub: string,
  expSeconds = 3600,
  options: MintOptions = {},
): Promise<string> {
  const jwt = new SignJWT({ ...options.claims }).setProtectedHeader({
    alg: options.alg ?? 'HS256',
  });
  if (sub !== '') jwt.setSubject(sub);
  return jwt
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds)
    .sign(options.key ?? secretKey);
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. Tests never sleep blind. */
export async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 10_000,
  everyMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export { ensureDebian } from './debian.js';
export { type GatewayProcess, startGatewayProcess } from './process.js';
export { REDIS_SERVER, startRedis, type TestRedis } from './redis.js';
