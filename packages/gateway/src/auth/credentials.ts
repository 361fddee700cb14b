import type { IncomingMessage } from 'node:http';
import { BEARER_PROTOCOL_PREFIX, SUBPROTOCOL, UpgradeQuery } from '@agentwire/protocol';

/** Splits `Sec-WebSocket-Protocol` into its entries. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export type Credentials = { kind: 'bearer'; token: string } | { kind: 'ticket'; ticket: string };

/**
 * Finds the credentials of an upgrade request: a `bearer.<JWT>` subprotocol entry, or a
 * `ticket` query parameter. A JWT in the query string is never looked at.
 */
export function upgradeCredentials(req: IncomingMessage, url: URL): Credentials | undefined {
  for (const entry of offeredProtocols(req)) {
    if (entry.startsWith(BEARER_PROTOCOL_PREFIX)) {
      return { kind: 'bearer', token: entry.slice(BEARER_PROTOCOL_PREFIX.length) };
    }
  }
  const ticket = url.searchParams.get(UpgradeQuery.ticket);
  if (ticket) return { kind: 'ticket', ticket };
  return undefined;
}

export function offersSubprotocol(req: IncomingMessage): boolean {
  return offeredProtocols(req).includes(SUBPROTOCOL);
}

/** `Authorization: Bearer <x>` → x */
export function bearerHeader(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
