import { createHash, randomBytes } from 'node:crypto';
import type { SharedState } from '../engine/engine.js';
import { AuthError, TooManyTicketsError } from '../errors.js';
import type { VerifiedToken } from './jwt.js';

/**
 * Single-use, short-lived tickets for clients that cannot set headers on a WebSocket (browsers):
 * the long-lived JWT goes in an Authorization header to POST /v1/tickets, and only the ticket
 * appears in the /ws URL. The connection inherits the JWT's expiry, not the ticket's.
 *
 * Tickets are kept through the engine's shared state, so a ticket issued by one gateway process
 * is redeemed on any (no sticky sessions) and only once over all of them. The store holds a hash
 * of the ticket, never the ticket itself.
 */
export class TicketStore {
  constructor(
    private readonly shared: SharedState,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(token: VerifiedToken): Promise<{ ticket: string; expiresAt: number }> {
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = Math.min(this.now() + this.ttlMs, token.expiresAt);
    const value = JSON.stringify({ userId: token.userId, expiresAt: token.expiresAt });
    try {
      await this.shared.putTicket(keyOf(ticket), value, Math.max(1, expiresAt - this.now()));
    } catch (error) {
      if (error instanceof TooManyTicketsError) throw new AuthError('too many outstanding tickets');
      throw error;
    }
    return { ticket, expiresAt };
  }

  /** Consumes a ticket: valid once, before its expiry. */
  async redeem(ticket: string): Promise<VerifiedToken> {
    const value = await this.shared.takeTicket(keyOf(ticket));
    if (value === undefined) throw new AuthError('ticket is unknown or already used, or expired');
    const entry = JSON.parse(value) as VerifiedToken;
    if (entry.expiresAt <= this.now()) throw new AuthError('ticket expired');
    return { userId: entry.userId, expiresAt: entry.expiresAt };
  }
}

function keyOf(ticket: string): string {
  return createHash('sha256').update(ticket).digest('base64url');
}
