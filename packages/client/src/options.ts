import type { AgentEvent, EventType, ResyncFrame, WelcomeFrame } from '@agentwire/protocol';
import type { AgentwireError } from './errors.js';
import type { PositionStore } from './position.js';
import type { ReconnectOptions } from './reconnect.js';
import type { Transport } from './transport/types.js';

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
  /** Backoff, stability and the jitter after 1012; see `ReconnectOptions`. */
  reconnect?: Partial<ReconnectOptions>;
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

export interface ClientEvents {
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

export const DEFAULTS = {
  pingIntervalMs: 20_000,
  pingTimeoutMs: 10_000,
  connectTimeoutMs: 15_000,
  refreshBeforeMs: 60_000,
  maxQueuedMessages: 100,
  messageTimeoutMs: 30_000,
};
