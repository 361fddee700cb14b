import {
  type AgentEvent,
  type ClientFrame,
  CloseCode,
  type ErrorCode,
  type EventType,
  expandDeltas,
  type ResyncFrame,
  type ServerFrame,
  type WelcomeFrame,
} from '@agentwire/protocol';
import { createNanoEvents, type Emitter } from 'nanoevents';
import { Credentials } from './credentials.js';
import { toWebSocketUrl, upgradeRequest } from './endpoint.js';
import { AgentwireError, ClientErrorCode } from './errors.js';
import { Liveness } from './liveness.js';
import {
  type ClientEvents,
  type ClientStats,
  type ConnectionState,
  type ConnectOptions,
  DEFAULTS,
  type DeliveredEvent,
} from './options.js';
import type { StreamPosition } from './position.js';
import { RequestQueue } from './queue.js';
import { ReconnectPolicy } from './reconnect.js';
import { StreamTracker } from './stream.js';
import type { Transport, TransportSocket } from './transport/types.js';

/** Close code the client uses when it drops a socket itself (application range). */
const CLIENT_DROP = 4000;

function reportHandlerError(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (report) report(error);
  else console.error('agentwire: an event handler threw', error);
}

/**
 * One logical connection to the gateway for one signed-in user, across any number of sockets:
 * reconnects with backoff, resumes from `(epoch, seq)` with no gap and no duplicate, refreshes
 * the token before it expires, and delivers the user's events in order exactly once. The parts
 * are their own modules: credentials, the reconnect policy, the stream position and dedupe,
 * liveness and the request queue; this class runs the sockets and dispatches frames.
 */
export class AgentwireClient {
  private readonly bus: Emitter<ClientEvents> = createNanoEvents<ClientEvents>();
  private readonly endpoint: URL;
  private readonly credentials: Credentials;
  private readonly policy: ReconnectPolicy;
  private readonly stream: StreamTracker;
  private readonly liveness: Liveness;
  private readonly requests: RequestQueue;
  private readonly options: ConnectOptions;
  private readonly transport: Transport;
  private currentState: ConnectionState = 'idle';
  private socket: TransportSocket | undefined;
  /** Increments for every socket; callbacks of older sockets are ignored. */
  private generation = 0;
  private welcomed = false;
  private messageSeq = 0;
  /** Timers tied to the current socket, cleared with it. */
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
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
    this.credentials = new Credentials({
      ...(options.token && { token: options.token }),
      ...(options.ticket && { ticket: options.ticket }),
      refreshBeforeMs: options.refreshBeforeMs ?? DEFAULTS.refreshBeforeMs,
    });
    if (typeof options.onResync !== 'function') {
      throw new Error('agentwire: onResync is required: the application must handle a resync');
    }
    this.options = options;
    this.endpoint = toWebSocketUrl(options.url);
    this.transport = options.transport ?? defaultTransport();
    this.policy = new ReconnectPolicy(options.reconnect);
    this.stream = new StreamTracker(options.persist);
    this.liveness = new Liveness(
      options.ping === false
        ? false
        : {
            intervalMs: options.ping?.intervalMs ?? DEFAULTS.pingIntervalMs,
            timeoutMs: options.ping?.timeoutMs ?? DEFAULTS.pingTimeoutMs,
          },
    );
    this.requests = new RequestQueue(
      options.maxQueuedMessages ?? DEFAULTS.maxQueuedMessages,
      options.messageTimeoutMs ?? DEFAULTS.messageTimeoutMs,
    );
    if (options.autoConnect !== false) this.connect();
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** Where this client is in its user's stream: the seq of the last event delivered. */
  get position(): StreamPosition | undefined {
    return this.stream.position;
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
    this.policy.reset();
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

  // ---- sockets --------------------------------------------------------------------------------

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.bus.emit('state', state);
  }

  private emitError(code: ErrorCode | ClientErrorCode, message: string) {
    this.bus.emit('error', new AgentwireError(code, message));
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    this.clearRetry();
    this.setState(this.stats.connects === 0 ? 'connecting' : 'reconnecting');
    let credentials: Awaited<ReturnType<Credentials['forAttempt']>>;
    try {
      credentials = await this.credentials.forAttempt();
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

    const { url, protocols } = upgradeRequest(this.endpoint, credentials, this.stream.resumeFrom());
    this.welcomed = false;
    this.stats.connects++;
    const current = () => generation === this.generation;
    try {
      this.socket = this.transport(url, protocols, {
        open: () => {
          if (current()) this.liveness.seen();
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

  private onText(text: string): void {
    this.liveness.seen();
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
      case 'deltas':
        // Coalesced deltas of one message: handed on as the events they stand for, each with
        // its seq (so dedupe and the position work as for event frames).
        for (const { seq, event } of expandDeltas(frame)) this.onEventFrame(seq, event);
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
    if (!this.stream.welcome(frame)) {
      // The saved position belonged to another user: start over without it.
      this.dropSocket('position of another user');
      void this.open();
      return;
    }
    this.welcomed = true;
    this.identity = { userId: frame.userId, connectionId: frame.connectionId };
    const generation = this.generation;
    this.later(() => {
      if (generation === this.generation) this.policy.reset();
    }, this.policy.stableAfterMs);
    this.liveness.start(
      () =>
        this.socket?.send(JSON.stringify({ type: 'ping', id: this.nextId('p') } as ClientFrame)),
      () => {
        this.dropSocket('no answer to ping');
        this.scheduleRetry();
      },
    );
    this.scheduleRefresh();
    this.setState('open');
    this.bus.emit('welcome', frame);
    this.requests.flush(this.sender() as (text: string) => void);
  }

  private onEventFrame(seq: number, event: AgentEvent): void {
    if (!this.welcomed) return;
    const arrival = this.stream.receive(seq, () => {
      this.stats.delivered++;
      const delivered: DeliveredEvent = { seq, event };
      this.bus.emit('event', delivered);
      this.bus.emit(`type:${event.type}`, delivered);
    });
    if (arrival === 'duplicate') {
      this.stats.duplicatesDropped++;
    } else if (arrival === 'gap') {
      this.stats.gaps++;
      this.dropSocket('gap in seq');
      this.scheduleRetry();
    }
  }

  private onResync(frame: ResyncFrame): void {
    const userId = this.identity?.userId ?? this.stream.userId;
    if (userId === undefined) return;
    this.stats.resyncs++;
    this.stream.resync(frame, userId);
    try {
      this.options.onResync(frame);
    } catch (error) {
      reportHandlerError(error);
    }
  }

  private onClosed(code: number, reason: string, httpStatus: number | undefined): void {
    const welcomed = this.welcomed;
    this.releaseSocket();
    this.requests.failInflight(
      new AgentwireError(ClientErrorCode.ConnectionLost, `connection closed (${code})`, code),
    );
    if (this.currentState === 'closed') return;
    const decision = this.policy.afterEnd({ code, reason, httpStatus, welcomed });
    if (!decision.retry) {
      this.stop(decision.error);
      return;
    }
    if (decision.freshCredentials) this.credentials.reject();
    this.scheduleRetry(decision.delayMs);
  }

  private scheduleRetry(delayMs = this.policy.nextDelay()): void {
    if (this.currentState === 'closed') return;
    this.clearRetry();
    this.setState(this.stats.connects === 0 ? 'connecting' : 'reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.open();
    }, delayMs);
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
    this.liveness.stop();
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

  // ---- token refresh on the open connection ---------------------------------------------------

  private scheduleRefresh(): void {
    const delay = this.credentials.refreshDelay();
    if (delay !== undefined) this.refreshIn(delay);
  }

  /** A timer tied to the current socket: a new socket plans its own refresh at welcome. */
  private refreshIn(delayMs: number): void {
    this.later(() => void this.refresh(), delayMs);
  }

  private async refresh(): Promise<void> {
    const generation = this.generation;
    let next: Awaited<ReturnType<Credentials['nextToken']>>;
    try {
      next = await this.credentials.nextToken();
    } catch (error) {
      this.emitError(ClientErrorCode.RefreshFailed, `token provider failed: ${String(error)}`);
      return;
    }
    if (generation !== this.generation) return;
    if (!('token' in next)) {
      if (next.retryInMs !== undefined) this.refreshIn(next.retryInMs);
      return;
    }
    const send = this.sender();
    if (!send) return;
    const id = this.nextId('r');
    const frame: ClientFrame = { type: 'refresh', token: next.token, id };
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
    this.credentials.accepted(next.token);
    this.stats.refreshes++;
    if (generation === this.generation) this.scheduleRefresh();
  }
}
