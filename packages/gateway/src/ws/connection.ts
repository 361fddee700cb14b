import type { Socket } from 'node:net';
import type { CloseCode, ErrorCode, ResyncReason, ServerFrame } from '@agentwire/protocol';
import type { WebSocket } from 'ws';
import type { StoredEvent } from '../engine/engine.js';
import { underlyingSocket, writeEventFrame } from './wire.js';
import { type Flushable, flushLater } from './write-batch.js';

/** The empty lists every connection starts with: never written, replaced on the first add. */
const NO_EVENTS: StoredEvent[] = [];
const NO_FRAMES: (Buffer | StoredEvent | undefined)[] = [];
/**
 * A connection's queued frames are written at once when they reach this size, without waiting for
 * the end of the job: one long publishing job then neither holds much memory per socket nor counts
 * against the slow-consumer limit for bytes the kernel would have taken.
 */
const FLUSH_AT_BYTES = 64 * 1024;
/** How often a lagging connection looks whether its socket has drained. */
const DRAIN_POLL_MS = 10;
/**
 * Event frames are handed to the socket only while it buffers less than this: the rest wait in
 * the connection's own queue, where a slow consumer's frames can still be dropped (4008 then
 * reaches the client behind at most this much, not behind its whole backlog).
 */
const SOCKET_HIGH_WATER_BYTES = 128 * 1024;
/** How long a closing peer has to complete the handshake: one that does not read is not waited for. */
const CLOSE_GRACE_MS = 2000;

/** State of one authenticated socket. Created only after credentials were verified. */
export class Connection implements Flushable {
  /** Seq of the last event frame written to this socket (or the position a resync set). */
  lastSent = 0;
  epoch = '';
  /** False while replaying or catching up; live events wait (`defer`) meanwhile. */
  live = false;
  /**
   * The socket holds more than the limit: the connection gets no live frames (nor keeps them) and
   * catches up from history once the socket has sent what it holds (`waitForDrain`).
   */
  lagging = false;
  /**
   * Set when fan-out may have skipped events or changed epoch: going live must read history
   * first (which compares epochs and sends `resync` when the stream restarted).
   */
  mustRead = false;
  private drainTimer: NodeJS.Timeout | undefined;
  private deferred = NO_EVENTS;
  /** Event frames for the end of this job's write batch (ws/write-batch.ts): frame, event, … */
  private outgoing = NO_FRAMES;
  private outgoingBytes = 0;
  /** Events whose frames the socket buffered, retained until it has sent them. */
  private unflushed = NO_EVENTS;
  closed = false;
  /** Heartbeat: set by pong, cleared by each ping. */
  alive = true;
  protocolErrors = 0;
  private tokens: number;
  private refilledAt = Date.now();
  private expiryTimer: NodeJS.Timeout | undefined;
  private onExpired: ((conn: Connection) => void) | undefined;
  private readonly tcp: Socket | undefined;

  constructor(
    readonly id: string,
    readonly userId: string,
    readonly socket: WebSocket,
    public expiresAt: number,
    private readonly rateBurst: number,
    private readonly ratePerSecond: number,
    /** Where whole frames are written; without it they go through `socket.send` (wire.ts). */
    tcp: Socket | undefined = underlyingSocket(socket),
  ) {
    this.tokens = rateBurst;
    this.tcp = tcp;
  }

  /** Bytes queued for this connection and not yet taken by the kernel. */
  get bufferedBytes(): number {
    return this.outgoingBytes + this.socketBytes();
  }

  private socketBytes(): number {
    return this.tcp ? this.tcp.writableLength : this.socket.bufferedAmount;
  }

  /**
   * Queues a whole event frame, built once for all of the user's connections (codec/event-frame.ts), for the
   * end of the current job's write batch. The frame may be a view of history's memory
   * (`StoredEvent.retain`): the event stays retained until the socket has sent it, which a later
   * flush or the end of the connection notices.
   */
  writeEventFrame(frame: Buffer, event: StoredEvent | undefined): void {
    event?.retain?.();
    if (this.outgoing === NO_FRAMES) {
      this.outgoing = [frame, event];
      flushLater(this);
    } else {
      this.outgoing.push(frame, event);
    }
    this.outgoingBytes += frame.length;
    if (this.outgoingBytes >= FLUSH_AT_BYTES) this.flush();
  }

  /**
   * Writes the queued event frames: one `write`, or one `writev` for several — as many as the
   * socket takes below its high-water mark; the rest wait for its `drain`. `all` writes every
   * one (before a frame that must follow them, or a close).
   */
  flush(all = false): void {
    const outgoing = this.outgoing;
    if (outgoing === NO_FRAMES) return;
    const buffered = this.socketBytes();
    if (this.unflushed !== NO_EVENTS && buffered === 0) this.releaseUnflushed();
    const tcp = this.tcp;
    // Without the TCP socket there is no drain to wait for: everything goes to ws.send.
    const room = all || !tcp ? Number.POSITIVE_INFINITY : SOCKET_HIGH_WATER_BYTES - buffered;
    let end = 0;
    for (let taken = 0; end < outgoing.length && taken < room; end += 2)
      taken += (outgoing[end] as Buffer).length;
    if (end === 0) {
      this.waitForSocketDrain();
      return;
    }
    if (end >= outgoing.length) {
      this.outgoing = NO_FRAMES;
      this.outgoingBytes = 0;
    } else {
      this.outgoing = outgoing.slice(end);
      for (let i = 0; i < end; i += 2) this.outgoingBytes -= (outgoing[i] as Buffer).length;
      this.waitForSocketDrain();
    }
    const several = tcp !== undefined && end > 2;
    if (several) tcp.cork();
    for (let i = 0; i < end; i += 2) {
      writeEventFrame(this.socket, tcp, outgoing[i] as Buffer);
    }
    if (several) tcp.uncork();
    const sending = this.socketBytes() !== 0;
    for (let i = 1; i < end; i += 2) {
      const event = outgoing[i] as StoredEvent | undefined;
      if (event === undefined) continue;
      if (!sending) event.release?.();
      else if (this.unflushed === NO_EVENTS) this.unflushed = [event];
      else this.unflushed.push(event);
    }
  }

  private awaitingDrain = false;

  /** Flushes again once the socket has sent what it buffered. */
  private waitForSocketDrain(): void {
    if (this.awaitingDrain || !this.tcp) return;
    this.awaitingDrain = true;
    this.tcp.once('drain', () => {
      this.awaitingDrain = false;
      if (!this.closed) this.flush();
    });
  }

  /** Keeps a live event for later, while the connection is not live (retained till then). */
  defer(event: StoredEvent): void {
    event.retain?.();
    if (this.deferred === NO_EVENTS) this.deferred = [event];
    else this.deferred.push(event);
  }

  /** The events deferred so far, in order; the caller releases each. */
  takeDeferred(): readonly StoredEvent[] {
    const deferred = this.deferred;
    this.deferred = NO_EVENTS;
    return deferred;
  }

  /** Releases every event the connection still holds; for when its socket has closed. */
  releaseHeld(): void {
    for (const event of this.takeDeferred()) event.release?.();
    const outgoing = this.outgoing;
    this.outgoing = NO_FRAMES;
    this.outgoingBytes = 0;
    for (let i = 1; i < outgoing.length; i += 2)
      (outgoing[i] as StoredEvent | undefined)?.release?.();
    this.releaseUnflushed();
    this.stopWaiting();
  }

  /**
   * Marks the connection as lagging and checks every few milliseconds until its socket has sent
   * everything it holds (`onDrained`, lagging no more) or `stuckMs` passed first (`onStuck`).
   */
  waitForDrain(onDrained: () => void, onStuck: () => void, stuckMs: number): void {
    this.lagging = true;
    this.stopWaiting();
    const until = Date.now() + stuckMs;
    const check = () => {
      this.drainTimer = undefined;
      if (this.closed) return;
      if (this.bufferedBytes === 0) {
        this.lagging = false;
        onDrained();
      } else if (Date.now() >= until) {
        onStuck();
      } else {
        this.drainTimer = setTimeout(check, DRAIN_POLL_MS).unref();
      }
    };
    this.drainTimer = setTimeout(check, DRAIN_POLL_MS).unref();
  }

  private stopWaiting(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }

  private releaseUnflushed(): void {
    const unflushed = this.unflushed;
    this.unflushed = NO_EVENTS;
    for (const event of unflushed) event.release?.();
  }

  /** Sends a frame other than an event now, after the event frames queued before it. */
  sendFrame(frame: ServerFrame): void {
    if (this.closed) return;
    this.flush(true);
    this.socket.send(JSON.stringify(frame));
  }

  sendError(code: ErrorCode, message: string, id?: string, field?: string): void {
    this.sendFrame({
      type: 'error',
      code,
      message,
      ...(id !== undefined && { id }),
      ...(field !== undefined && { field }),
    });
  }

  sendResync(reason: ResyncReason, seq: number): void {
    this.sendFrame({ type: 'resync', epoch: this.epoch, seq, reason });
    this.lastSent = seq;
  }

  /**
   * Starts the closing handshake after the queued event frames; false when the connection was
   * closing already (count once). A peer that does not answer within `graceMs` is terminated.
   */
  close(code: CloseCode, reason: string, graceMs = CLOSE_GRACE_MS): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.clearExpiry();
    this.stopWaiting();
    this.flush(true);
    this.socket.close(code, reason);
    setTimeout(() => this.socket.terminate(), graceMs).unref();
    return true;
  }

  /**
   * Closes a slow consumer (4008): the event frames not yet handed to the socket are dropped
   * (their memory goes back at once), so the close frame follows at most the socket's high-water
   * mark of data; a peer that has not read up to it within `graceMs` is terminated.
   */
  closeSlow(code: CloseCode, reason: string, graceMs: number): boolean {
    if (this.closed) return false;
    const outgoing = this.outgoing;
    this.outgoing = NO_FRAMES;
    this.outgoingBytes = 0;
    for (let i = 1; i < outgoing.length; i += 2)
      (outgoing[i] as StoredEvent | undefined)?.release?.();
    return this.close(code, reason, graceMs);
  }

  /** Token bucket over inbound frames. */
  takeToken(now: number): boolean {
    this.tokens = Math.min(
      this.rateBurst,
      this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Runs `onExpired` when `expiresAt` passes (re-armed by refresh). An expiry further away than
   * the horizon gets no timer yet: the connection waits in a shared set that one interval sweeps,
   * so idle connections with long-lived tokens hold no timer each.
   */
  armExpiry(onExpired: (conn: Connection) => void): void {
    this.clearExpiry();
    this.onExpired = onExpired;
    if (this.expiresAt - Date.now() > EXPIRY_HORIZON_MS) {
      distantExpiries.add(this);
      if (!distantSweep) {
        distantSweep = setInterval(sweepDistantExpiries, EXPIRY_HORIZON_MS / 2);
        distantSweep.unref();
      }
      return;
    }
    const delay = Math.min(Math.max(0, this.expiresAt - Date.now()), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(fireExpiry, delay, this);
    this.expiryTimer.unref();
  }

  /** @internal For the expiry timer: fires `onExpired`, or re-arms when `expiresAt` moved. */
  expiryDue(): void {
    const onExpired = this.onExpired;
    if (!onExpired) return;
    if (Date.now() >= this.expiresAt) onExpired(this);
    else this.armExpiry(onExpired);
  }

  clearExpiry(): void {
    distantExpiries.delete(this);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }
}

/** Expiries further away than this wait in `distantExpiries` instead of holding a timer. */
const EXPIRY_HORIZON_MS = 60_000;
const distantExpiries = new Set<Connection>();
let distantSweep: NodeJS.Timeout | undefined;

function fireExpiry(conn: Connection): void {
  conn.expiryDue();
}

/** Every half horizon: gives the connections whose expiry came within the horizon a timer. */
function sweepDistantExpiries(): void {
  const soon = Date.now() + EXPIRY_HORIZON_MS;
  for (const conn of distantExpiries) if (conn.expiresAt <= soon) conn.expiryDue();
  if (distantExpiries.size === 0 && distantSweep) {
    clearInterval(distantSweep);
    distantSweep = undefined;
  }
}
