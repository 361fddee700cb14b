import { CloseCode, ResyncReason, type StreamPosition } from '@agentwire/protocol';
import type { Logger } from 'pino';
import type { Delta } from '../codec/deltas-frame.js';
import { frameOf } from '../codec/event-frame.js';
import type { Engine, ReadResult, StoredEvent, StreamHead } from '../engine/engine.js';
import type { GatewayMetrics } from '../metrics.js';
import { deltaOf, type PlannedFrame, planFrames } from './coalesce.js';
import { CoalescingWindow } from './coalescing-window.js';
import type { Connection } from './connection.js';
import { ConnectionLeases, DEFAULT_CONNECTION_LEASE_MS } from './leases.js';

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
  /** Deltas waiting for the coalescing window (consecutive seqs, retained), with their fields. */
  held: StoredEvent[] = NO_EVENTS;
  heldDeltas: Delta[] = NO_DELTAS;
  heldChars = 0;

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
    maxConnectionsPerUser: number,
    private readonly maxBufferedBytes: number,
    private readonly slowConsumerTimeoutMs: number,
    private readonly coalesceWindowMs: number,
    private readonly slowConsumerGraceMs: number,
    leaseMs = DEFAULT_CONNECTION_LEASE_MS,
  ) {
    this.window = new CoalescingWindow(coalesceWindowMs, (channel) => this.sendHeld(channel));
    this.leases = new ConnectionLeases(engine.shared, log, maxConnectionsPerUser, leaseMs, () =>
      this.allConnections(),
    );
  }

  /** The per-user connection cap over every process (engine/engine.ts `SharedState`). */
  readonly leases: ConnectionLeases;

  private readonly window: CoalescingWindow<UserChannel>;

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
  async attach(
    conn: Connection,
    resume: StreamPosition | undefined,
    admitted: boolean,
  ): Promise<void> {
    const channel = this.register(conn, admitted);
    if (!channel) return;
    await channel.ready;
    if (conn.closed) return;
    if (resume ? await this.resume(conn, resume) : await this.welcome(conn)) {
      await this.goLive(conn);
    }
  }

  /**
   * Registers the connection in its user's channel when it was admitted under the per-user cap
   * (a lease taken through the engine before the upgrade, `leases.admit`); closes it otherwise.
   */
  private register(conn: Connection, admitted: boolean): UserChannel | undefined {
    if (!admitted) {
      if (conn.close(CloseCode.TooManyConnections, 'too many connections for this user'))
        this.metrics.closes.inc({ code: CloseCode.TooManyConnections });
      return undefined;
    }
    if (conn.closed) {
      this.leases.release(conn.userId, conn.id);
      return undefined;
    }
    let channel = this.channels.get(conn.userId);
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
    this.leases.release(conn.userId, conn.id);
    const channel = this.channels.get(conn.userId);
    if (!channel?.connections.includes(conn)) return;
    channel.connections = channel.connections.filter((c) => c !== conn);
    this.connectionCount--;
    this.metrics.connections.set(this.connectionCount);
    if (channel.connections.length > 0) return;
    this.channels.delete(conn.userId);
    this.metrics.users.set(this.channels.size);
    releaseAll(channel.held);
    channel.held = NO_EVENTS;
    channel.heldDeltas = NO_DELTAS;
    channel.ready
      .then(() => channel.unsubscribe?.())
      .catch((error: unknown) => this.log.error({ err: error }, 'engine unsubscribe failed'));
  }

  private openChannel(userId: string): UserChannel {
    const channel = new UserChannel(userId);
    this.channels.set(userId, channel);
    this.metrics.users.set(this.channels.size);
    channel.ready = this.engine
      .subscribe(
        userId,
        (target, event, epoch) => this.deliver(channel, target, event, epoch),
        () => this.interrupted(channel),
      )
      .then(
        (unsubscribe) => {
          channel.unsubscribe = unsubscribe;
        },
        (error: unknown) => {
          // No subscription, no channel: the next connection of this user tries afresh.
          if (this.channels.get(userId) === channel) {
            this.channels.delete(userId);
            this.metrics.users.set(this.channels.size);
          }
          throw error;
        },
      );
    return channel;
  }

  /**
   * Engine fan-out: one frame serialized per event per user, queued on each live connection for
   * the end of the job's write batch. `agent_message` deltas wait in the channel up to the
   * coalescing window (`hold`); any other event first sends the deltas waiting before it. A
   * connection that defers the event (not live yet) or queues its frame retains it; the receipt
   * itself is released here (`StoredEvent.release`).
   */
  private deliver(channel: UserChannel, target: string, event: StoredEvent, epoch: string): void {
    const delta = this.coalesceWindowMs > 0 ? deltaOf(event) : undefined;
    if (channel.held.length > 0) {
      const last = channel.held[channel.held.length - 1] as StoredEvent;
      if (!delta || event.seq !== last.seq + 1) this.sendHeld(channel);
    }
    let frame: Buffer | undefined;
    for (const conn of channel.connections) {
      if (conn.lagging) continue; // it catches up from history
      // Another epoch: the stream restarted (e.g. Redis lost its data), and a seq of the new one
      // says nothing about the old. The catch-up read decides the resync.
      const restarted = epoch !== conn.epoch && conn.epoch !== '';
      if (!conn.live) {
        if (restarted) conn.mustRead = true;
        conn.defer(event);
        continue;
      }
      if (restarted) {
        conn.live = false;
        this.catchUp(conn, true);
        continue;
      }
      if (delta || event.seq <= conn.lastSent) continue;
      if (event.seq !== conn.lastSent + 1) {
        this.fillGap(conn, event);
        continue;
      }
      frame ??= frameOf(event);
      this.write(conn, target, frame, event, event.seq, event.seq);
    }
    if (delta) this.hold(channel, event, delta);
    event.release?.();
  }

  /**
   * A gap in fan-out (possible with a networked engine): the connection fetches the missing range
   * from history, keeping `event` for after it.
   */
  private fillGap(conn: Connection, event: StoredEvent): void {
    conn.live = false;
    conn.defer(event);
    this.catchUp(conn, false);
  }

  /** Keeps a delta in the channel until the window ends or another event comes. */
  private hold(channel: UserChannel, event: StoredEvent, delta: Delta): void {
    event.retain?.();
    if (channel.held.length === 0) {
      channel.held = [event];
      channel.heldDeltas = [delta];
      channel.heldChars = delta.delta.length;
      this.window.add(channel);
    } else {
      channel.held.push(event);
      channel.heldDeltas.push(delta);
      channel.heldChars += delta.delta.length;
      if (channel.held.length >= MAX_HELD_DELTAS || channel.heldChars >= MAX_HELD_CHARS) {
        this.sendHeld(channel);
      }
    }
  }

  /** Sends the deltas a channel holds to its live connections, coalesced, and lets them go. */
  private sendHeld(channel: UserChannel): void {
    const events = channel.held;
    const deltas = channel.heldDeltas;
    if (events.length === 0) return;
    channel.held = NO_EVENTS;
    channel.heldDeltas = NO_DELTAS;
    const first = (events[0] as StoredEvent).seq;
    const last = (events[events.length - 1] as StoredEvent).seq;
    let shared: PlannedFrame[] | undefined;
    for (const conn of channel.connections) {
      if (!conn.live || conn.lagging || last <= conn.lastSent) continue;
      if (conn.lastSent + 1 < first) {
        this.fillGap(conn, events[0] as StoredEvent);
        for (let i = 1; i < events.length; i++) conn.defer(events[i] as StoredEvent);
        continue;
      }
      const start = conn.lastSent + 1 - first;
      if (start === 0) {
        shared ??= planFrames(events, deltas);
        this.writePlan(conn, channel.userId, shared);
      } else {
        this.writePlan(conn, channel.userId, planFrames(events, deltas, start));
      }
    }
    releaseAll(events);
  }

  /** Sends every delta held back, e.g. before the gateway closes its connections. */
  sendAllHeld(): void {
    for (const channel of this.channels.values()) this.sendHeld(channel);
  }

  /** Writes planned frames after the connection's position, until one does not fit. */
  private writePlan(conn: Connection, target: string, plan: readonly PlannedFrame[]): void {
    for (const p of plan) {
      if (p.last <= conn.lastSent) continue;
      if (!this.write(conn, target, p.frame, p.held, p.first, p.last)) return;
    }
  }

  /**
   * The point of sending, with an isolation check independent of how the channel was found. A
   * connection whose socket holds more than the limit gets nothing more: it falls behind and
   * catches up from history later (`fallBehind`). False when the frame was not written.
   */
  private write(
    conn: Connection,
    target: string,
    frame: Buffer,
    held: StoredEvent | undefined,
    first: number,
    last: number,
  ): boolean {
    if (conn.userId !== target) {
      this.metrics.crossUserDeliveries.inc();
      this.log.error({ connectionId: conn.id, seq: first }, 'cross-user delivery blocked');
      return false;
    }
    if (conn.closed || conn.lagging) return false;
    if (conn.bufferedBytes > this.maxBufferedBytes) {
      this.fallBehind(conn);
      return false;
    }
    conn.writeEventFrame(frame, held);
    conn.lastSent = last;
    this.metrics.delivered += last - first + 1;
    return true;
  }

  /**
   * Stops live delivery to a connection whose socket holds more than the limit; it catches up
   * from history (coalesced) once the socket has sent what it holds, or gets `resync` if history
   * moved past it meanwhile. One that stays stuck for the slow-consumer timeout is closed with
   * 4008.
   */
  private fallBehind(conn: Connection): void {
    conn.live = false;
    releaseAll(conn.takeDeferred());
    this.log.info({ connectionId: conn.id, userId: conn.userId }, 'connection fell behind');
    conn.waitForDrain(
      () => this.catchUp(conn, true),
      () => {
        if (conn.closeSlow(CloseCode.SlowConsumer, 'slow consumer', this.slowConsumerGraceMs)) {
          this.metrics.closes.inc({ code: CloseCode.SlowConsumer });
          this.log.warn({ connectionId: conn.id, userId: conn.userId }, 'slow consumer closed');
        }
      },
      this.slowConsumerTimeoutMs,
    );
  }

  /** Queues events read from history (coalesced) on the connection, releasing the read's hold. */
  private replay(conn: Connection, events: StoredEvent[]): void {
    this.writeCoalesced(conn, events);
    releaseAll(events);
  }

  /** Writes `events` (consecutive seqs) after the connection's position, deltas coalesced. */
  private writeCoalesced(conn: Connection, events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    const deltas = events.map((e) => (this.coalesceWindowMs > 0 ? deltaOf(e) : undefined));
    this.writePlan(conn, conn.userId, planFrames(events, deltas));
  }

  /** Fan-out may have missed events (engine resubscribed): every live connection reads history. */
  private interrupted(channel: UserChannel): void {
    for (const conn of channel.connections) {
      if (conn.lagging) continue; // it reads history anyway
      if (!conn.live) {
        conn.mustRead = true;
        continue;
      }
      conn.live = false;
      this.catchUp(conn, true);
    }
  }

  private catchUp(conn: Connection, fromHistory: boolean): void {
    this.goLive(conn, fromHistory).catch((error: unknown) => {
      this.log.warn({ err: error, connectionId: conn.id }, 'catch-up read failed');
      // The client reconnects and resumes from what it has; nothing is skipped silently.
      conn.close(CloseCode.InternalError, 'catch-up failed');
    });
  }

  /**
   * Drains what arrived while the connection was not live; reads history to close any gap (first
   * of all with `fromHistory`), until it is live or falls behind again.
   */
  private async goLive(conn: Connection, fromHistory = false): Promise<void> {
    for (;;) {
      // A read is due (another epoch, an interrupted feed): it covers every deferred event.
      if (conn.mustRead) {
        conn.mustRead = false;
        fromHistory = true;
      }
      if (!fromHistory) {
        const deferred = conn.takeDeferred();
        const next = continuing(deferred, conn.lastSent);
        if (!conn.lagging) this.writeCoalesced(conn, next.events);
        releaseAll(deferred);
        if (conn.lagging || conn.closed) return;
        if (!next.gap) {
          conn.live = true;
          return;
        }
      }
      fromHistory = false;
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

/** Deltas (and their characters) a channel holds at most before it sends them at once. */
const MAX_HELD_DELTAS = 256;
const MAX_HELD_CHARS = 64 * 1024;
const NO_EVENTS: StoredEvent[] = [];
const NO_DELTAS: Delta[] = [];

/**
 * The events of `deferred` that continue a stream at `lastSent` without a gap; `gap` when some
 * after them are missing (the history read covers them and the rest).
 */
function continuing(
  deferred: readonly StoredEvent[],
  lastSent: number,
): { events: readonly StoredEvent[]; gap: boolean } {
  let start = 0;
  while (start < deferred.length && (deferred[start] as StoredEvent).seq <= lastSent) start++;
  let end = start;
  while (end < deferred.length && (deferred[end] as StoredEvent).seq === lastSent + 1 + end - start)
    end++;
  return {
    events: start === 0 && end === deferred.length ? deferred : deferred.slice(start, end),
    gap: end < deferred.length,
  };
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

function releaseAll(events: readonly StoredEvent[]): void {
  for (const event of events) event.release?.();
}
