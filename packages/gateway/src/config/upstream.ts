import { readFileSync } from 'node:fs';
import { MIN_WEBHOOK_SECRET_BYTES } from '../upstream/signature.js';
import {
  DEFAULT_WEBHOOK_RETRIES,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  type WebhookOptions,
} from '../upstream/webhook.js';
import type { Setting } from './load.js';

/** The upstream webhook settings; the secret from AGENTWIRE_UPSTREAM_SECRET or a secret file. */
export function upstreamConfig(
  str: (name: Setting) => string | undefined,
  int: (name: Setting, min: number, max: number, fallback: number) => number,
  raw: (name: Setting) => { from: string } | undefined,
  problems: string[],
): WebhookOptions | undefined {
  const url = str('upstreamUrl');
  let secret = str('upstreamSecret');
  const secretFile = str('upstreamSecretFile');
  if (secret !== undefined && secretFile !== undefined) {
    problems.push('set AGENTWIRE_UPSTREAM_SECRET or AGENTWIRE_UPSTREAM_SECRET_FILE, not both');
  } else if (secretFile !== undefined) {
    try {
      secret = readFileSync(secretFile, 'utf8').trim();
    } catch (error) {
      problems.push(
        `${raw('upstreamSecretFile')?.from}: cannot read ${secretFile}: ${(error as Error).message}`,
      );
    }
  }
  const timeoutMs = int('upstreamTimeoutMs', 100, 120_000, DEFAULT_WEBHOOK_TIMEOUT_MS);
  const retries = int('upstreamRetries', 0, 10, DEFAULT_WEBHOOK_RETRIES);
  if (url === undefined) {
    if (secret !== undefined)
      problems.push('an upstream secret is set but AGENTWIRE_UPSTREAM_URL is not');
    return undefined;
  }
  if (!/^https?:\/\/[^/]/.test(url)) {
    problems.push(`${raw('upstreamUrl')?.from}: must be an http:// or https:// URL`);
  }
  if (secret === undefined) {
    problems.push(
      'AGENTWIRE_UPSTREAM_URL needs a signing secret: set AGENTWIRE_UPSTREAM_SECRET or AGENTWIRE_UPSTREAM_SECRET_FILE',
    );
  } else if (Buffer.byteLength(secret) < MIN_WEBHOOK_SECRET_BYTES) {
    problems.push(`the upstream secret must be at least ${MIN_WEBHOOK_SECRET_BYTES} bytes`);
  }
  return { url, secret: secret ?? '', timeoutMs, retries };
}
