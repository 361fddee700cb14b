import {
  type AgentEvent,
  BEARER_PROTOCOL_PREFIX,
  type ClientFrame,
  CloseCode,
  type ErrorCode,
  type EventType,
  FINAL_CLOSE_CODES,
  type ResyncFrame,
  type ServerFrame,
  SUBPROTOCOL,
  UpgradeQuery,
  type WelcomeFrame,
  writeResumeQuery,
} from '@agentwire/protocol';
import { createNanoEvents, type Emitter } from 'nanoevents';
import { Backoff, type BackoffOptions } from './backoff.js';
import { AgentwireError, ClientErrorCode } from './errors.js';
import { isStreamPosition, type PositionStore, type StreamPosition } from './position.js';
import { RequestQueue } from './queue.js';
import { tokenExpiry } from './token.js';
import type { Transport, TransportSocket } from './transport/types.js';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectOptions {
  /**
   * The gateway's WebSocket endpoint: `ws(s)://host/ws`; `http(s)://` is turned into `ws(s)://`,
   * and in a browser a path such as `/ws` is resolved against the page.
   */
  url: string;
  /**
   * Returns a currently valid JWT for the signed-in user. Called for the first connection, before
   * the token expires (proactive `refresh`) and after the gateway rejected one. Sent as the
   * `bearer.<JWT>` subprotocol entry, never in the URL.
   */
  token?: () => string | Promise<string>;
  /**
   * Returns a fresh single-use ticket (from `POST /v1/tickets`) for each connection attempt; used
   * instead of the token to connect. Give `token` too for proactive refresh.
   */
  ticket?: () => string | Promise<string>;
  /**
   * Required: the gateway could not replay what this client missed (history gap or a new epoch).
   * Refetch your state from the application; delivery continues from `info.seq`.
   */
  onResync: (info: ResyncFrame) => void;
  /** Keeps the stream position (e.g. `sessionStoragePosition()`) so that a reload resumes too. */
  persist?: PositionStore;
  reconnect?: Partial<BackoffOptions> & {
    /** A connection open this long resets the backoff and the credential-failure count. */
    stableAfterMs?: number;
  };
  /**
   * Application-level ping (browsers cannot see protocol pings): when nothing arrived for
   * `intervalMs`, send a ping; no frame within `timeoutMs` after it means the connection is dead.
   */
  ping?: { intervalMs?: number; timeoutMs?: number } | false;
  /** A connection attempt that has not received `welcome` after this long is abandoned. */
  connectTimeoutMs?: number;
  /** Refresh the token this long before its `exp` (at most a third of its lifetime before). */
  refreshBeforeMs?: number;
  /** Messages kept while offline; `send` rejects with `queue_full` beyond this. */
  maxQueuedMessages?: number;
  /** How long `send` waits for the `ack` or `error` once the message is on the wire. */
  messageTimeoutMs?: number;
  /** How sockets are opened; the default is the global WebSocket (or `ws` under Node). */
  transport?: Transport;
  /** Start connecting at once (default) or on `connect()`. */
  autoConnect?: boolean;
}

/** An event with its position in the user's stream. */
export interface DeliveredEvent<T extends EventType = EventType> {
  seq: number;
  event: AgentEvent<T>;
}

interface ClientEvents {
  event: (value: DeliveredEvent) => void;
  state: (value: ConnectionState) => void;
  welcome: (value: WelcomeFrame) => void;
  error: (value: AgentwireError) => void;
  [type: `type:${string}`]: (value: DeliveredEvent) => void;
}

export interface ClientStats {
  /** Sockets opened. */
  connects: number;
  /** Events handed to the application. */
  delivered: number;
  /** Events dropped because their seq was already delivered. */
  duplicatesDropped: number;
  /** Gaps detected (each one triggers a resume). */
  gaps: number;
  resyncs: number;
  refreshes: number;
}

const DEFAULTS = {
  stableAfterMs: 5_000,
  pingIntervalMs: 20_000,
  pingTimeoutMs: 10_000,
  connectTimeoutMs: 15_000,
  refreshBeforeMs: 60_000,
  maxQueuedMessages: 100,
  messageTimeoutMs: 30_000,
};

/** Close code the client uses when it drops a socket itself (application range). */
const CLIENT_DROP = 4000;

/** A refused upgrade that retrying cannot fix (403 origin, 404 path, 400 request); 401, 408 and 429 can be retried. */
function isFinalHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

function reportHandlerError(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (report) report(error);
  else console.error('agentwire: an event handler threw', error);
}

export function toWebSocketUrl(url: string): URL {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const parsed = new URL(url, base);
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new Error(`agentwire: url must be ws(s):// or http(s):// (got ${parsed.protocol})`);
  }
  return parsed;
}

/**
 * One logical connection to the gateway for one signed-in user, across any number of sockets:
 * reconnects with backoff, resumes from `(epoch, seq)` with no gap and no duplicate, refreshes
 * the token before it expires, and delivers the user's events in order exactly once.
 */
export class AgentwireClient {
  private readonly bus: Emitter<ClientEvents> = createNanoEvents<ClientEvents>();
  private readonly url: URL;
  private readonly backoff: Backoff;
  private readonly requests: RequestQueue;
  private readonly options: ConnectOptions;
  private readonly transport: Transport;
  private currentState: ConnectionState = 'idle';
  private socket: TransportSocket | undefined;
  /** Increments for every socket; callbacks of older sockets are ignored. */
  private generation = 0;
  private welcomed = false;
  private pos: StreamPosition | undefined;
  /** The position the current socket asked to resume from. */
  private resumedFrom: StreamPosition | undefined;
  private token: string | undefined;
  private tokenExp: number | undefined;
  private tokenRejected = false;
  private authFailures = 0;
  private lastFrameAt = 0;
  private messageSeq = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private identity: { userId: string; connectionId: string } | undefined;
  readonly stats: ClientStats = {
    connects: 0,
    delivered: 0,
    duplicatesDropped: 0,
    gaps: 0,
    resyncs: 0,
    refreshes: 0,
  };

  constructor(options: ConnectOptions, defaultTransport: () => Transport) {
    if (!options.token && !options.ticket) {
      throw new Error('agentwire: give a token provider or a ticket provider');
    }
    if (typeof options.onResync !== 'function') {
      throw new Error('agentwire: onResync is required: the application must handle a resync');
    }
    this.options = options;
    this.url = toWebSocketUrl(options.url);
    this.transport = options.transport ?? defaultTransport();
    this.backoff = new Backoff(options.reconnect);
    this.requests = new RequestQueue(
      options.maxQueuedMessages ?? DEFAULTS.maxQueuedMessages,
      options.messageTimeoutMs ?? DEFAULTS.messageTimeoutMs,
    );
    const stored = options.persist?.load();
    if (isStreamPosition(stored)) this.pos = { ...stored };
    if (options.autoConnect !== false) this.connect();
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** Where this client is in its user's stream: the seq of the last event delivered. */
  get position(): StreamPosition | undefined {
    return this.pos && { ...this.pos };
  }

  /** The verified user and the current connection, once welcomed. */
  get userId(): string | undefined {
    return this.identity?.userId;
  }

  get connectionId(): string | undefined {
    return this.welcomed ? this.identity?.connectionId : undefined;
  }

  get queuedMessages(): number {
    return this.requests.queuedCount;
  }

  /** Subscribes to client events; returns the unsubscribe function. Handlers may not break it. */
  on<K extends 'event' | 'state' | 'welcome' | 'error'>(
    type: K,
    handler: ClientEvents[K],
  ): () => void {
    const safe = ((value: never) => {
      try {
        (handler as (value: unknown) => void)(value);
      } catch (error) {
        reportHandlerError(error);
      }
    }) as ClientEvents[K];
    return this.bus.on(type, safe);
  }

  /** Subscribes to one event type, typed by the protocol: `onEvent('tool_completed', e => …)`. */
  onEvent<T extends EventType>(
    type: T,
    handler: (event: AgentEvent<T>, seq: number) => void,
  ): () => void {
    const key = `type:${type}` as const;
    const safe = (value: DeliveredEvent) => {
      try {
        handler(value.event as AgentEvent<T>, value.seq);
      } catch (error) {
        reportHandlerError(error);
      }
    };
    return this.bus.on(key, safe);
  }

  /** Starts connecting (only needed with `autoConnect: false` or after `close()`). */
  connect(): void {
    if (this.currentState !== 'idle' && this.currentState !== 'closed') return;
    this.authFailures = 0;
    this.backoff.reset();
    void this.open();
  }

  /**
   * Sends an upstream `message` to the application's handler. Resolves with the `ack`'s data,
   * rejects with an AgentwireError on `error`, timeout, a full offline queue or a lost connection.
   * While offline the message waits in a bounded queue and is sent once connected.
   */
  send(data: unknown, options: { id?: string } = {}): Promise<unknown> {
    if (this.currentState === 'closed') {
      return Promise.reject(new AgentwireError(ClientErrorCode.Closed, 'client is closed'));
    }
    const id = options.id ?? this.nextId('m');
    const frame: ClientFrame = { type: 'message', id, data };
    return this.requests.add(id, JSON.stringify(frame), this.sender());
  }

  /**
   * Drops the current socket as a network loss would, then reconnects and resumes. The demo's
   * "drop connection" button; also useful after the device wakes up.
   */
  reconnect(): void {
    if (this.currentState === 'closed' || this.currentState === 'idle') return;
    this.dropSocket('dropped by the application');
    this.scheduleRetry();
  }

  /** Closes for good (until `connect()`); queued and in-flight messages are rejected. */
  close(): void {
    this.stop();
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.bus.emit('state', state);
  }

  private emitError(code: ErrorCode | ClientErrorCode, message: string, closeCode?: number) {
    this.bus.emit('error', new AgentwireError(code, message, closeCode));
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    this.clearRetry();
    this.setState(this.stats.connects === 0 ? 'connecting' : 'reconnecting');
    let credentials: { token?: string; ticket?: string };
    try {
      credentials = await this.credentials();
    } catch (error) {
      if (generation !== this.generation || this.currentState === 'closed') return;
      this.emitError(
        ClientErrorCode.CredentialsUnavailable,
        `the credentials provider failed: ${(error as Error)?.message ?? String(error)}`,
      );
      this.scheduleRetry();
      return;
    }
    if (generation !== this.generation || this.currentState === 'closed') return;

    const url = new URL(this.url);
    if (credentials.ticket !== undefined) {
      url.searchParams.set(UpgradeQuery.ticket, credentials.ticket);
    }
    this.resumedFrom = this.pos && { ...this.pos };
    if (this.resumedFrom) writeResumeQuery(url.searchParams, this.resumedFrom);
    const protocols = [SUBPROTOCOL];
    if (credentials.ticket === undefined && credentials.token !== undefined) {
      protocols.push(`${BEARER_PROTOCOL_PREFIX}${credentials.token}`);
    }
    this.welcomed = false;
    this.stats.connects++;
    const current = () => generation === this.generation;
    try {
      this.socket = this.transport(url.href, protocols, {
        open: () => {
          if (current()) this.lastFrameAt = Date.now();
        },
        message: (text) => {
          if (current()) this.onText(text);
        },
        close: (code, reason, httpStatus) => {
          if (current()) this.onClosed(code, reason, httpStatus);
        },
      });
    } catch (error) {
      this.emitError(
        ClientErrorCode.Server,
        `could not open a socket: ${(error as Error).message}`,
      );
      this.scheduleRetry();
      return;
    }
    this.later(() => {
      if (current() && !this.welcomed) {
        this.dropSocket('no welcome in time');
        this.scheduleRetry();
      }
    }, this.options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs);
  }

  /** A token (cached while it has life left and was not rejected) or a fresh ticket. */
  private async credentials(): Promise<{ token?: string; ticket?: string }> {
    const { token: tokenProvider, ticket: ticketProvider } = this.options;
    if (tokenProvider) {
      const margin = this.options.refreshBeforeMs ?? DEFAULTS.refreshBeforeMs;
      const stale =
        this.token === undefined ||
        this.tokenRejected ||
        (this.tokenExp !== undefined && this.tokenExp - Date.now() < Math.min(margin, 5_000));
      if (stale) {
        const token = await tokenProvider();
        this.token = token;
        this.tokenExp = tokenExpiry(token);
        this.tokenRejected = false;
      }
    }
    if (ticketProvider) return { ticket: await ticketProvider() };
    return { token: this.token as string };
  }

  private onText(text: string): void {
    this.lastFrameAt = Date.now();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      this.emitError(ClientErrorCode.Server, 'the gateway sent a frame that is not JSON');
      return;
    }
    switch (frame.type) {
      case 'welcome':
        this.onWelcome(frame);
        return;
      case 'event':
        this.onEventFrame(frame.seq, frame.event);
        return;
      case 'resync':
        this.onResync(frame);
        return;
      case 'ack':
        this.requests.settle(frame.id, { ok: true, value: frame.data });
        return;
      case 'error': {
        const error = new AgentwireError(frame.code, frame.message);
        if (frame.id === undefined || !this.requests.settle(frame.id, { ok: false, error })) {
          this.bus.emit('error', error);
        }
        return;
      }
      case 'pong':
        return;
    }
  }

  private onWelcome(frame: WelcomeFrame): void {
    const from = this.resumedFrom;
    if (from && from.userId !== frame.userId) {
      // The saved position belongs to another user (sign-out and in): start over without it.
      this.pos = undefined;
      this.options.persist?.clear();
      this.dropSocket('position of another user');
      void this.open();
      return;
    }
    this.welcomed = true;
    this.identity = { userId: frame.userId, connectionId: frame.connectionId };
    if (!from) this.setPosition({ userId: frame.userId, epoch: frame.epoch, seq: frame.seq });
    // Resumed: the replay follows. Not resumable: a resync frame follows.
    const generation = this.generation;
    this.later(() => {
      if (generation !== this.generation) return;
      this.backoff.reset();
      this.authFailures = 0;
    }, this.options.reconnect?.stableAfterMs ?? DEFAULTS.stableAfterMs);
    this.startPing();
    this.scheduleRefresh();
    this.setState('open');
    this.bus.emit('welcome', frame);
    this.requests.flush(this.sender() as (text: string) => void);
  }

  private onEventFrame(seq: number, event: AgentEvent): void {
    const pos = this.pos;
    if (!pos || !this.welcomed) return;
    if (seq <= pos.seq) {
      this.stats.duplicatesDropped++;
      return;
    }
    if (seq !== pos.seq + 1) {
      // Never expected from the gateway; resuming from the last delivered event closes the gap.
      this.stats.gaps++;
      this.dropSocket('gap in seq');
      this.scheduleRetry();
      return;
    }
    pos.seq = seq;
    this.stats.delivered++;
    const delivered: DeliveredEvent = { seq, event };
    this.bus.emit('event', delivered);
    this.bus.emit(`type:${event.type}`, delivered);
    this.options.persist?.save(pos);
  }

  private onResync(frame: ResyncFrame): void {
    const userId = this.identity?.userId ?? this.pos?.userId;
    if (userId === undefined) return;
    this.stats.resyncs++;
    this.setPosition({ userId, epoch: frame.epoch, seq: frame.seq });
    try {
      this.options.onResync(frame);
    } catch (error) {
      reportHandlerError(error);
    }
  }

  private setPosition(position: StreamPosition): void {
    this.pos = position;
    this.options.persist?.save(position);
  }

  private onClosed(code: number, reason: string, httpStatus: number | undefined): void {
    const wasWelcomed = this.welcomed;
    this.releaseSocket();
    this.requests.failInflight(
      new AgentwireError(ClientErrorCode.ConnectionLost, `connection closed (${code})`, code),
    );
    if (this.currentState === 'closed') return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.stop(
        new AgentwireError(
          ClientErrorCode.FinalClose,
          `the gateway closed the connection with ${code}${reason ? ` (${reason})` : ''}; not reconnecting`,
          code,
        ),
      );
      return;
    }
    if (httpStatus !== undefined && isFinalHttpStatus(httpStatus)) {
      this.stop(
        new AgentwireError(
          ClientErrorCode.FinalClose,
          `the gateway refused the connection with HTTP ${httpStatus}; not reconnecting`,
        ),
      );
      return;
    }
    if (code === CloseCode.CredentialsExpired || httpStatus === 401) {
      this.tokenRejected = true;
      this.authFailures++;
      if (this.authFailures >= 2) {
        this.stop(
          new AgentwireError(
            ClientErrorCode.AuthFailed,
            'the gateway rejected the credentials again after a fresh token; sign in again',
            code,
          ),
        );
        return;
      }
    } else if (!wasWelcomed) {
      // A browser cannot tell a refused upgrade (401) from a network error: ask for a fresh
      // token next time, and let the backoff keep the pace slow.
      this.tokenRejected = true;
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.currentState === 'closed') return;
    this.clearRetry();
    this.setState(this.stats.connects === 0 ? 'connecting' : 'reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.open();
    }, this.backoff.next());
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Abandons the current socket without waiting for its close (it may be dead). */
  private dropSocket(reason: string): void {
    const socket = this.socket;
    this.releaseSocket();
    this.requests.failInflight(
      new AgentwireError(ClientErrorCode.ConnectionLost, `connection dropped: ${reason}`),
    );
    try {
      socket?.close(CLIENT_DROP, reason.slice(0, 100));
    } catch {}
  }

  /** Forgets the current socket and everything tied to it. */
  private releaseSocket(): void {
    this.generation++;
    this.socket = undefined;
    this.welcomed = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  private stop(error?: AgentwireError): void {
    if (this.currentState === 'closed') return;
    const socket = this.socket;
    this.releaseSocket();
    this.clearRetry();
    this.setState('closed');
    try {
      socket?.close(CloseCode.Normal, 'client closed');
    } catch {}
    this.requests.failAll(error ?? new AgentwireError(ClientErrorCode.Closed, 'client is closed'));
    if (error) this.bus.emit('error', error);
  }

  private sender(): ((text: string) => void) | undefined {
    const socket = this.socket;
    if (!socket || !this.welcomed) return undefined;
    return (text) => socket.send(text);
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private nextId(prefix: string): string {
    return `${prefix}_${(++this.messageSeq).toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  }

  // ---- liveness and refresh -------------------------------------------------------------------

  private startPing(): void {
    const ping = this.options.ping;
    if (ping === false) return;
    const intervalMs = ping?.intervalMs ?? DEFAULTS.pingIntervalMs;
    const timeoutMs = ping?.timeoutMs ?? DEFAULTS.pingTimeoutMs;
    const generation = this.generation;
    this.pingTimer = setInterval(() => {
      const sentAt = Date.now();
      if (sentAt - this.lastFrameAt < intervalMs) return;
      this.socket?.send(JSON.stringify({ type: 'ping', id: this.nextId('p') } as ClientFrame));
      this.later(() => {
        if (generation !== this.generation || this.lastFrameAt >= sentAt) return;
        this.dropSocket('no answer to ping');
        this.scheduleRetry();
      }, timeoutMs);
    }, intervalMs);
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    const exp = this.tokenExp;
    if (!this.options.token || exp === undefined) return;
    const lifetime = exp - Date.now();
    const margin = Math.min(this.options.refreshBeforeMs ?? DEFAULTS.refreshBeforeMs, lifetime / 3);
    const delay = Math.min(Math.max(0, lifetime - margin), 2 ** 31 - 1);
    this.refreshTimer = setTimeout(() => void this.refresh(), delay);
  }

  private async refresh(): Promise<void> {
    const generation = this.generation;
    const provider = this.options.token;
    if (!provider) return;
    let token: string;
    try {
      token = await provider();
    } catch (error) {
      this.emitError(ClientErrorCode.RefreshFailed, `token provider failed: ${String(error)}`);
      return;
    }
    if (generation !== this.generation) return;
    const exp = tokenExpiry(token);
    if (exp !== undefined && this.tokenExp !== undefined && exp <= this.tokenExp) {
      // The provider handed back the same (cached) token; ask again halfway to expiry.
      const left = this.tokenExp - Date.now();
      if (left > 1_000) {
        this.refreshTimer = setTimeout(() => void this.refresh(), left / 2);
      }
      return;
    }
    const send = this.sender();
    if (!send) return;
    const id = this.nextId('r');
    const frame: ClientFrame = { type: 'refresh', token, id };
    try {
      await this.requests.add(id, JSON.stringify(frame), send);
    } catch (error) {
      if (generation === this.generation) {
        this.emitError(
          ClientErrorCode.RefreshFailed,
          `token refresh refused: ${(error as Error).message}`,
        );
      }
      return;
    }
    this.token = token;
    this.tokenExp = exp;
    this.stats.refreshes++;
    if (generation === this.generation) this.scheduleRefresh();
  }
}
