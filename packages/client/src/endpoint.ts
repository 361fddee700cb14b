import {
  BEARER_PROTOCOL_PREFIX,
  type StreamPosition,
  SUBPROTOCOL,
  UpgradeQuery,
  writeResumeQuery,
} from '@agentwire/protocol';
import type { AttemptCredentials } from './credentials.js';

/** `http(s)://` → `ws(s)://`; a path such as `/ws` is resolved against the page in a browser. */
export function toWebSocketUrl(url: string): URL {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const parsed = new URL(url, base);
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new Error(`agentwire: url must be ws(s):// or http(s):// (got ${parsed.protocol})`);
  }
  return parsed;
}

/**
 * The upgrade request of one attempt: a ticket goes in the query, a JWT in the
 * `bearer.<JWT>` subprotocol entry (never in the URL), and the resume position in the query.
 */
export function upgradeRequest(
  endpoint: URL,
  credentials: AttemptCredentials,
  resumeFrom: StreamPosition | undefined,
): { url: string; protocols: string[] } {
  const url = new URL(endpoint);
  const protocols = [SUBPROTOCOL];
  if (credentials.ticket !== undefined) {
    url.searchParams.set(UpgradeQuery.ticket, credentials.ticket);
  } else {
    protocols.push(`${BEARER_PROTOCOL_PREFIX}${credentials.token}`);
  }
  if (resumeFrom) writeResumeQuery(url.searchParams, resumeFrom);
  return { url: url.href, protocols };
}
