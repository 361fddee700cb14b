import { TooManyTicketsError } from '../errors.js';
import type { SharedState } from './engine.js';

/**
 * The shared state of a deployment of one process (the memory engine): tickets in a map with
 * expiry, connection counts per user. A lease cannot outlive this process, so it needs no expiry
 * and no renewal (no `renewLeases`).
 */
export class LocalSharedState implements SharedState {
  private readonly tickets = new Map<string, { value: string; expiresAt: number }>();
  private readonly connections = new Map<string, Set<string>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly maxTickets = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), 10_000);
    this.timer.unref();
  }

  async putTicket(key: string, value: string, ttlMs: number): Promise<void> {
    if (this.tickets.size >= this.maxTickets) this.sweep();
    if (this.tickets.size >= this.maxTickets) throw new TooManyTicketsError('too many tickets');
    this.tickets.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  async takeTicket(key: string): Promise<string | undefined> {
    const entry = this.tickets.get(key);
    if (!entry) return undefined;
    this.tickets.delete(key);
    return entry.expiresAt > this.now() ? entry.value : undefined;
  }

  async admitConnection(userId: string, connectionId: string, max: number): Promise<boolean> {
    let held = this.connections.get(userId);
    if (held && held.size >= max) return false;
    if (!held) {
      held = new Set();
      this.connections.set(userId, held);
    }
    held.add(connectionId);
    return true;
  }

  async releaseConnection(userId: string, connectionId: string): Promise<void> {
    const held = this.connections.get(userId);
    if (!held) return;
    held.delete(connectionId);
    if (held.size === 0) this.connections.delete(userId);
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.tickets) if (entry.expiresAt <= now) this.tickets.delete(key);
  }

  close(): void {
    clearInterval(this.timer);
    this.tickets.clear();
    this.connections.clear();
  }
}
