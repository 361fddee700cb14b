import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK } from '@agentwire/protocol';
import { WebhookSignatureError } from '../errors.js';

/** Smallest accepted webhook secret, as for HS256 JWT secrets. */
export const MIN_WEBHOOK_SECRET_BYTES = 32;

function mac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The `agentwire-signature` header value for `body`: `t=<unix s>,v1=<hex HMAC-SHA256>`. */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},${WEBHOOK.signatureVersion}=${mac(secret, timestamp, body)}`;
}

/**
 * Verifies a webhook for a Node application (the Python SDK has `verify_webhook`): the header's
 * signature over `<t>.<raw body>` and `t` within the replay window. Throws WebhookSignatureError.
 */
export function verifyWebhook(
  header: string | undefined,
  body: string,
  secret: string,
  { toleranceSeconds = WEBHOOK.toleranceSeconds, now = Date.now() } = {},
): void {
  if (header === undefined) throw new WebhookSignatureError(`no ${WEBHOOK.signatureHeader} header`);
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === WEBHOOK.signatureVersion) signatures.push(value);
  }
  if (timestamp === undefined) throw new WebhookSignatureError('no t=<unix seconds>');
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) {
    throw new WebhookSignatureError(`timestamp is outside the ${toleranceSeconds} s replay window`);
  }
  const expected = Buffer.from(mac(secret, timestamp, body));
  const matches = signatures.some((s) => {
    const given = Buffer.from(s);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookSignatureError('signature does not match');
}
