import type { Socket } from 'node:net';
import type { CloseCode, ErrorCode, ResyncReason, ServerFrame } from '@agentwire/protocol';
import type { WebSocket } from 'ws';
import type { StoredEvent } from '../engine/engine.js';
import { underlyingSocket, writeEventFrame } from './wire.js';

/** The empty event list every connection starts with: never written, replaced on the first add. */
const NO_EVENTS: StoredEvent[] = [];

/** State of one authenticated socket. Created only after credentials were verified. */
export class Connection {
  /** Seq of the last event frame written to this socket (or the position a resync set). */
  lastSent = 0;
  epoch = '';
  /** False while replaying or catching up; live events wait (`queue`) meanwhile. */
  live = false;
  private pending = NO_EVENTS;
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
  ) {
    this.tokens = rateBurst;
    this.tcp = underlyingSocket(socket);
  }

  /** Bytes written to this connection and not yet taken by the kernel. */
  get bufferedBytes(): number {
    return this.tcp ? this.tcp.writableLength : this.socket.bufferedAmount;
  }

  /**
   * Writes a whole event frame built once for all of the user's connections (wire.ts). The frame
   * may be a view of history's memory (`StoredEvent.retain`): when the socket buffers it, the
   * event is retained until the socket has sent everything, which the next write or the end of
   * the connection notices.
   */
  writeEventFrame(frame: Buffer, event: StoredEvent): void {
    if (this.unflushed.length !== 0 && this.bufferedBytes === 0) this.releaseUnflushed();
    writeEventFrame(this.socket, this.tcp, frame);
    if (event.retain !== undefined && this.bufferedBytes !== 0) {
      event.retain();
      if (this.unflushed === NO_EVENTS) this.unflushed = [event];
      else this.unflushed.push(event);
    }
  }

  /** Keeps a live event for later, while the connection is not live (retained till then). */
  queue(event: StoredEvent): void {
    event.retain?.();
    if (this.pending === NO_EVENTS) this.pending = [event];
    else this.pending.push(event);
  }

  /** The events queued so far, in order; the caller releases each. */
  takeQueued(): readonly StoredEvent[] {
    const pending = this.pending;
    this.pending = NO_EVENTS;
    return pending;
  }

  /** Releases every event the connection still holds; for when its socket has closed. */
  releaseHeld(): void {
    for (const event of this.takeQueued()) event.release?.();
    this.releaseUnflushed();
  }

  private releaseUnflushed(): void {
    const unflushed = this.unflushed;
    this.unflushed = NO_EVENTS;
    for (const event of unflushed) event.release?.();
  }

  sendFrame(frame: ServerFrame): void {
    if (!this.closed) this.socket.send(JSON.stringify(frame));
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

  close(code: CloseCode, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.clearExpiry();
    this.socket.close(code, reason);
    // A peer that does not read never completes the closing handshake; do not wait 30 s for it.
    setTimeout(() => this.socket.terminate(), 2000).unref();
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
