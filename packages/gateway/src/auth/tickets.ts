import { randomBytes } from 'node:crypto';
import { AuthError } from '../errors.js';
import type { VerifiedToken } from './jwt.js';

interface Ticket extends VerifiedToken {
  ticketExpiresAt: number;
}

/**
 * Single-use, short-lived tickets for clients that cannot set headers on a WebSocket (browsers):
 * the long-lived JWT goes in an Authorization header to POST /v1/tickets, and only the ticket
 * appears in the /ws URL. The connection inherits the JWT's expiry, not the ticket's.
 */
export class TicketStore {
  private readonly tickets = new Map<string, Ticket>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ttlMs: number,
    private readonly maxOutstanding = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), Math.max(1000, ttlMs));
    this.timer.unref();
  }

  issue(token: VerifiedToken): { ticket: string; expiresAt: number } {
    if (this.tickets.size >= this.maxOutstanding) this.sweep();
    if (this.tickets.size >= this.maxOutstanding)
      throw new AuthError('too many outstanding tickets');
    const ticket = randomBytes(24).toString('base64url');
    const ticketExpiresAt = Math.min(this.now() + this.ttlMs, token.expiresAt);
    this.tickets.set(ticket, { ...token, ticketExpiresAt });
    return { ticket, expiresAt: ticketExpiresAt };
  }

  /** Consumes a ticket: valid once, before its expiry. */
  redeem(ticket: string): VerifiedToken {
    const entry = this.tickets.get(ticket);
    if (!entry) throw new AuthError('ticket is unknown or already used');
    this.tickets.delete(ticket);
    if (entry.ticketExpiresAt <= this.now()) throw new AuthError('ticket expired');
    return { userId: entry.userId, expiresAt: entry.expiresAt };
  }

  private sweep(): void {
    const now = this.now();
    for (const [ticket, entry] of this.tickets) {
      if (entry.ticketExpiresAt <= now) this.tickets.delete(ticket);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.tickets.clear();
  }
}
