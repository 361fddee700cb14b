import { CloseCode, ResyncReason, type StreamPosition } from '@agentwire/protocol';
import type { Logger } from 'pino';
import type { Engine, StoredEvent } from '../engine/engine.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Connection } from './connection.js';
import { eventFrame } from './wire.js';

/**
 * The user-scoped channel: the one object per connected user per process. It holds the user's
 * connections and the engine subscription; it exists from the user's first connection to the last.
 */
class UserChannel {
  /**
   * Copy-on-write (a new array on every change), so a loop over it is never disturbed by a
   * connection coming or going meanwhile; an array of a few entries is also smaller than a Set.
   */
  connections: readonly Connection[] = [];
  unsubscribe: (() => Promise<void>) | undefined;
  ready!: Promise<void>;

  constructor(readonly userId: string) {}
}

/**
 * The connection manager: the only place connections are registered, grouped by user, and the
 * only path by which events reach sockets. There is no API to send to a connection or to all.
 */
export class ConnectionManager {
  private readonly channels = new Map<string, UserChannel>();
  private connectionCount = 0;

  constructor(
    private readonly engine: Engine,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
    private readonly maxConnectionsPerUser: number,
    private readonly maxBufferedBytes: number,
  ) {}

  get users(): number {
    return this.channels.size;
  }

  get connections(): number {
    return this.connectionCount;
  }

  /** Whether the user has a channel here (for tests of the one-channel-per-user rule). */
  hasChannel(userId: string): boolean {
    return this.channels.has(userId);
  }

  *allConnections(): Iterable<Connection> {
    for (const channel of this.channels.values()) yield* channel.connections;
  }

  /**
   * Registers a connection, sends `welcome`, replays from `resume` when history covers it (or
   * sends `resync`), then switches it to live delivery with no gap and no duplicate at the seam.
   */
  async attach(conn: Connection, resume: StreamPosition | undefined): Promise<void> {
    let channel = this.channels.get(conn.userId);
    if (channel && channel.connections.length >= this.maxConnectionsPerUser) {
      this.metrics.closes.inc({ code: CloseCode.TooManyConnections });
      conn.close(CloseCode.TooManyConnections, 'too many connections for this user');
      return;
    }
    if (!channel) channel = this.openChannel(conn.userId);
    channel.connections = [...channel.connections, conn];
    this.connectionCount++;
    this.metrics.connections.set(this.connectionCount);

    await channel.ready;
    if (conn.closed) return;
    const userId = conn.userId;
    if (resume) {
      const read = await this.engine.read(userId, resume.seq);
      if (conn.closed) {
        releaseAll(read.events);
        return;
      }
      conn.epoch = read.epoch;
      const usable = read.epoch === resume.epoch && resume.seq <= read.seq && !read.truncated;
      conn.sendFrame({
        type: 'welcome',
        connectionId: conn.id,
        userId,
        epoch: read.epoch,
        seq: read.seq,
        resumed: usable,
      });
      if (usable) {
        this.metrics.resumes.inc();
        conn.lastSent = resume.seq;
        this.replay(conn, read.events);
      } else {
        releaseAll(read.events);
        const reason =
          read.epoch !== resume.epoch ? ResyncReason.EpochChanged : ResyncReason.HistoryGap;
        this.metrics.resyncs.inc({ reason });
        conn.sendResync(reason, read.seq);
      }
    } else {
      const head = await this.engine.head(userId);
      if (conn.closed) return;
      conn.epoch = head.epoch;
      conn.lastSent = head.seq;
      conn.sendFrame({
        type: 'welcome',
        connectionId: conn.id,
        userId,
        epoch: head.epoch,
        seq: head.seq,
        resumed: false,
      });
    }
    await this.goLive(conn);
  }

  detach(conn: Connection): void {
    conn.releaseHeld();
    const channel = this.channels.get(conn.userId);
    if (!channel?.connections.includes(conn)) return;
    channel.connections = channel.connections.filter((c) => c !== conn);
    this.connectionCount--;
    this.metrics.connections.set(this.connectionCount);
    if (channel.connections.length > 0) return;
    this.channels.delete(conn.userId);
    this.metrics.users.set(this.channels.size);
    channel.ready
      .then(() => channel.unsubscribe?.())
      .catch((error: unknown) => this.log.error({ err: error }, 'engine unsubscribe failed'));
  }

  private openChannel(userId: string): UserChannel {
    const channel = new UserChannel(userId);
    this.channels.set(userId, channel);
    this.metrics.users.set(this.channels.size);
    channel.ready = this.engine
      .subscribe(userId, (target, event) => this.deliver(channel, target, event))
      .then((unsubscribe) => {
        channel.unsubscribe = unsubscribe;
      });
    return channel;
  }

  /**
   * Engine fan-out: one frame serialized per event per user, queued on each live connection for
   * the end of the job's write batch. A connection that defers the event (not live yet) or queues
   * its frame retains it; the receipt itself is released here (`StoredEvent.release`).
   */
  private deliver(channel: UserChannel, target: string, event: StoredEvent): void {
    let frame: Buffer | undefined;
    for (const conn of channel.connections) {
      if (!conn.live) {
        conn.defer(event);
        continue;
      }
      if (event.seq <= conn.lastSent) continue;
      if (event.seq !== conn.lastSent + 1) {
        // A gap in fan-out (possible with a networked engine): fetch the missing range from history.
        conn.live = false;
        conn.defer(event);
        this.goLive(conn).catch((error: unknown) => {
          this.log.error({ err: error, connectionId: conn.id }, 'catch-up read failed');
          conn.close(CloseCode.InternalError, 'internal error');
        });
        continue;
      }
      frame ??= this.frame(event);
      this.write(conn, target, event, frame);
    }
    event.release?.();
  }

  /** The engine's frame when it keeps one (memory engine), else built from `seq` and `json`. */
  private frame(event: StoredEvent): Buffer {
    return event.frame ?? eventFrame(event.seq, event.json);
  }

  /** The point of sending, with an isolation check independent of how the channel was found. */
  private write(conn: Connection, target: string, event: StoredEvent, frame: Buffer): void {
    if (conn.userId !== target) {
      this.metrics.crossUserDeliveries.inc();
      this.log.error({ connectionId: conn.id, seq: event.seq }, 'cross-user delivery blocked');
      return;
    }
    if (conn.closed) return;
    if (conn.bufferedBytes > this.maxBufferedBytes) {
      this.metrics.closes.inc({ code: CloseCode.SlowConsumer });
      this.log.warn({ connectionId: conn.id, userId: conn.userId }, 'slow consumer closed');
      conn.close(CloseCode.SlowConsumer, 'slow consumer');
      return;
    }
    conn.writeEventFrame(frame, event);
    conn.lastSent = event.seq;
    this.metrics.delivered++;
  }

  /** Queues events read from history on the connection (which retains them), releasing the read's hold. */
  private replay(conn: Connection, events: StoredEvent[]): void {
    for (const event of events) {
      this.write(conn, conn.userId, event, this.frame(event));
      event.release?.();
    }
  }

  /** Drains what arrived while the connection was not live; reads history to close any gap. */
  private async goLive(conn: Connection): Promise<void> {
    for (;;) {
      let gap = false;
      for (const event of conn.takeDeferred()) {
        if (!gap && event.seq > conn.lastSent) {
          if (event.seq === conn.lastSent + 1)
            this.write(conn, conn.userId, event, this.frame(event));
          else gap = true; // the history read below covers this event and the rest
        }
        event.release?.();
      }
      if (!gap) {
        conn.live = true;
        return;
      }
      const read = await this.engine.read(conn.userId, conn.lastSent);
      if (conn.closed) {
        releaseAll(read.events);
        return;
      }
      if (read.epoch !== conn.epoch || read.truncated) {
        releaseAll(read.events);
        const reason =
          read.epoch !== conn.epoch ? ResyncReason.EpochChanged : ResyncReason.HistoryGap;
        conn.epoch = read.epoch;
        this.metrics.resyncs.inc({ reason });
        conn.sendResync(reason, read.seq);
      } else {
        this.replay(conn, read.events);
      }
    }
  }
}

function releaseAll(events: StoredEvent[]): void {
  for (const event of events) event.release?.();
}
