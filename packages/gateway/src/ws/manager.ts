import { CloseCode, ResyncReason, type StreamPosition } from '@agentwire/protocol';
import type { Logger } from 'pino';
import { frameOf } from '../codec/event-frame.js';
import type { Engine, ReadResult, StoredEvent, StreamHead } from '../engine/engine.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Connection } from './connection.js';

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
    const channel = this.admit(conn);
    if (!channel) return;
    await channel.ready;
    if (conn.closed) return;
    if (resume ? await this.resume(conn, resume) : await this.welcome(conn)) {
      await this.goLive(conn);
    }
  }

  /** Enforces the per-user cap, then registers the connection in its user's channel. */
  private admit(conn: Connection): UserChannel | undefined {
    let channel = this.channels.get(conn.userId);
    if (channel && channel.connections.length >= this.maxConnectionsPerUser) {
      this.metrics.closes.inc({ code: CloseCode.TooManyConnections });
      conn.close(CloseCode.TooManyConnections, 'too many connections for this user');
      return undefined;
    }
    if (!channel) channel = this.openChannel(conn.userId);
    channel.connections = [...channel.connections, conn];
    this.connectionCount++;
    this.metrics.connections.set(this.connectionCount);
    return channel;
  }

  /** A fresh connection: `welcome` at the stream's head. False when it closed meanwhile. */
  private async welcome(conn: Connection): Promise<boolean> {
    const head = await this.engine.head(conn.userId);
    if (conn.closed) return false;
    conn.epoch = head.epoch;
    conn.lastSent = head.seq;
    this.sendWelcome(conn, head, false);
    return true;
  }

  /**
   * A connection that asks to resume from `from`: `welcome` says whether it resumed, then the
   * replay or the resync follows. False when it closed meanwhile.
   */
  private async resume(conn: Connection, from: StreamPosition): Promise<boolean> {
    const read = await this.engine.read(conn.userId, from.seq);
    if (conn.closed) {
      releaseAll(read.events);
      return false;
    }
    const reason = resyncReason(from, read);
    this.sendWelcome(conn, read, reason === undefined);
    if (reason === undefined) this.metrics.resumes.inc();
    this.replayOrResync(conn, from, read, reason);
    return true;
  }

  private sendWelcome(conn: Connection, head: StreamHead, resumed: boolean): void {
    conn.sendFrame({
      type: 'welcome',
      connectionId: conn.id,
      userId: conn.userId,
      epoch: head.epoch,
      seq: head.seq,
      resumed,
    });
  }

  /** Replays what `read` holds after `from`, or sends the resync `resyncReason` decided on. */
  private replayOrResync(
    conn: Connection,
    from: StreamPosition,
    read: ReadResult,
    reason: ResyncReason | undefined,
  ): void {
    conn.epoch = read.epoch;
    if (reason === undefined) {
      conn.lastSent = from.seq;
      this.replay(conn, read.events);
      return;
    }
    releaseAll(read.events);
    this.metrics.resyncs.inc({ reason });
    conn.sendResync(reason, read.seq);
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
      frame ??= frameOf(event);
      this.write(conn, target, event, frame);
    }
    event.release?.();
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
      this.write(conn, conn.userId, event, frameOf(event));
      event.release?.();
    }
  }

  /** Drains what arrived while the connection was not live; reads history to close any gap. */
  private async goLive(conn: Connection): Promise<void> {
    for (;;) {
      let gap = false;
      for (const event of conn.takeDeferred()) {
        if (!gap && event.seq > conn.lastSent) {
          if (event.seq === conn.lastSent + 1) this.write(conn, conn.userId, event, frameOf(event));
          else gap = true; // the history read below covers this event and the rest
        }
        event.release?.();
      }
      if (!gap) {
        conn.live = true;
        return;
      }
      const from = { epoch: conn.epoch, seq: conn.lastSent };
      const read = await this.engine.read(conn.userId, from.seq);
      if (conn.closed) {
        releaseAll(read.events);
        return;
      }
      this.replayOrResync(conn, from, read, resyncReason(from, read));
    }
  }
}

/**
 * The one resync decision: whether history can continue a stream from `from`, and if not, why.
 * It cannot after a new epoch, nor when it no longer holds every event after `from.seq` (or the
 * position is ahead of the stream's head).
 */
export function resyncReason(from: StreamPosition, read: ReadResult): ResyncReason | undefined {
  if (read.epoch !== from.epoch) return ResyncReason.EpochChanged;
  if (read.truncated || from.seq > read.seq) return ResyncReason.HistoryGap;
  return undefined;
}

function releaseAll(events: StoredEvent[]): void {
  for (const event of events) event.release?.();
}
