import type { Logger } from 'pino';
import type { SharedState } from '../engine/engine.js';
import type { Connection } from './connection.js';

/** How long a connection's lease lasts without renewal: a node that died frees its slots so late. */
export const DEFAULT_CONNECTION_LEASE_MS = 30_000;

/**
 * The per-user connection cap, counted through the engine's shared state so that it holds over
 * every gateway process (Redis: a sorted set of leases per user). Each open connection holds a
 * lease, renewed every third of its length while the connection lives and given back when it
 * closes; the leases of a process that died expire by themselves.
 */
export class ConnectionLeases {
  private readonly held = new WeakSet<Connection>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shared: SharedState,
    private readonly log: Logger,
    private readonly max: number,
    private readonly leaseMs: number,
    private readonly open: () => Iterable<Connection>,
  ) {}

  /** Takes a lease for `conn`; false when its user is at the cap. */
  async admit(conn: Connection): Promise<boolean> {
    const admitted = await this.shared.admitConnection(
      conn.userId,
      conn.id,
      this.max,
      this.leaseMs,
    );
    if (admitted) this.held.add(conn);
    return admitted;
  }

  /** Gives back `conn`'s lease, if it holds one (once). */
  release(conn: Connection): void {
    if (!this.held.delete(conn)) return;
    this.shared.releaseConnection(conn.userId, conn.id).catch((error: unknown) => {
      // It expires by itself within the lease.
      this.log.warn({ err: error, connectionId: conn.id }, 'connection lease not released');
    });
  }

  /** Starts renewing the leases of open connections. */
  start(): void {
    this.timer ??= setInterval(() => this.renew(), Math.max(100, this.leaseMs / 3));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private renew(): void {
    const leases = [];
    for (const conn of this.open())
      if (this.held.has(conn)) leases.push({ userId: conn.userId, connectionId: conn.id });
    this.shared.renewLeases(leases, this.leaseMs).catch((error: unknown) => {
      this.log.warn({ err: error }, 'connection leases not renewed');
    });
  }
}
