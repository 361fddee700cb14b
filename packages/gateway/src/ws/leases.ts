import type { Logger } from 'pino';
import type { SharedState } from '../engine/engine.js';
import type { Connection } from './connection.js';

/** How long a connection's lease lasts without renewal: a node that died frees its slots so late. */
export const DEFAULT_CONNECTION_LEASE_MS = 30_000;

/** What admission decided for a connection about to be upgraded (`ConnectionLeases.admit`). */
export interface Admission {
  connectionId: string;
  /** False when its user is at the cap: the connection is closed with 4009 once upgraded. */
  admitted: boolean;
}

/**
 * The per-user connection cap, counted through the engine's shared state so that it holds over
 * every gateway process (Redis: a sorted set of leases per user). Each connection takes a lease
 * before its upgrade, renewed every third of its length while the connection lives and given back
 * when it closes; the leases of a process that died expire by themselves.
 */
export class ConnectionLeases {
  /** Ids of the connections holding a lease taken here. */
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shared: SharedState,
    private readonly log: Logger,
    private readonly max: number,
    private readonly leaseMs: number,
    private readonly open: () => Iterable<Connection>,
  ) {}

  /**
   * Takes a lease for connection `connectionId` of `userId`; false when the user is at the cap.
   * Rejects (EngineUnavailableError) when the engine does not answer in time.
   */
  async admit(userId: string, connectionId: string): Promise<boolean> {
    let admitted: boolean;
    try {
      admitted = await this.shared.admitConnection(userId, connectionId, this.max, this.leaseMs);
    } catch (error) {
      // A stalled store may still take the lease once it resumes: give it back after that, so
      // a client retrying through an outage does not find itself at the cap afterwards.
      this.shared.releaseConnection(userId, connectionId).catch(() => {});
      throw error;
    }
    if (admitted) this.held.add(connectionId);
    return admitted;
  }

  /** Gives back the lease of connection `connectionId`, if it holds one (once). */
  release(userId: string, connectionId: string): void {
    if (!this.held.delete(connectionId)) return;
    this.shared.releaseConnection(userId, connectionId).catch((error: unknown) => {
      // It expires by itself within the lease.
      this.log.warn({ err: error, connectionId }, 'connection lease not released');
    });
  }

  /** Starts renewing the leases of open connections, when the engine's leases expire. */
  start(): void {
    const renew = this.shared.renewLeases?.bind(this.shared);
    if (!renew || this.timer) return;
    this.timer = setInterval(() => this.renew(renew), Math.max(100, this.leaseMs / 3));
    this.timer.unref();
  }

  /** Whether leases are being renewed (not for an engine whose leases cannot expire). */
  get renewing(): boolean {
    return this.timer !== undefined;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private renew(renewLeases: NonNullable<SharedState['renewLeases']>): void {
    const leases = [];
    for (const conn of this.open())
      if (this.held.has(conn.id)) leases.push({ userId: conn.userId, connectionId: conn.id });
    renewLeases(leases, this.leaseMs).catch((error: unknown) => {
      this.log.warn({ err: error }, 'connection leases not renewed');
    });
  }
}
