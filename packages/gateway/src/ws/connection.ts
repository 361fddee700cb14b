import type { Socket } from 'node:net';
import type { CloseCode, ErrorCode, ResyncReason, ServerFrame } from '@agentwire/protocol';
import type { WebSocket } from 'ws';
import type { StoredEvent } from '../engine/engine.js';
import { underlyingSocket, writeEventFrame } from './wire.js';

/** State of one authenticated socket. Created only after credentials were verified. */
export class Connection {
  /** Seq of the last event frame written to this socket (or the position a resync set). */
  lastSent = 0;
  epoch = '';
  /** False while replaying or catching up; live events wait in `pending` meanwhile. */
  live = false;
  pending: StoredEvent[] = [];
  closed = false;
  /** Heartbeat: set by pong, cleared by each ping. */
  alive = true;
  protocolErrors = 0;
  private tokens: number;
  private refilledAt = Date.now();
  private expiryTimer: NodeJS.Timeout | undefined;
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

  /** Writes a whole event frame built once for all of the user's connections (wire.ts). */
  writeEventFrame(frame: Buffer): void {
    writeEventFrame(this.socket, this.tcp, frame);
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

  /** Runs `onExpired` when `expiresAt` passes (re-armed by refresh). */
  armExpiry(onExpired: () => void): void {
    this.clearExpiry();
    const delay = Math.min(Math.max(0, this.expiresAt - Date.now()), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => {
      if (Date.now() >= this.expiresAt) onExpired();
      else this.armExpiry(onExpired);
    }, delay);
    this.expiryTimer.unref();
  }

  clearExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }
}
