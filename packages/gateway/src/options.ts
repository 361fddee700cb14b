import { DEFAULT_MAX_JSON_DEPTH } from '@agentwire/protocol';
import type { Logger } from 'pino';
import type { JwtOptions } from './auth/jwt.js';
import type { Engine, HistoryLimits } from './engine/engine.js';
import type { MetricsOptions } from './http/metrics-endpoint.js';
import type { CancelHandler } from './runs/cancel.js';
import type { AgUiRunHandler } from './sse/routes.js';
import type { WebhookOptions } from './upstream/webhook.js';

/** What an upstream `message` frame handler receives. */
export interface UpstreamMessage {
  userId: string;
  connectionId: string;
  /** The frame's id; the client's promise settles with the matching ack or error. */
  id: string;
  data: unknown;
}
/** Returns the `data` of the ack (optional); throw MessageError to send its message to the client. */
export type MessageHandler = (message: UpstreamMessage) => unknown;

export interface Limits {
  /**
   * Connections one user may hold over every gateway process of the deployment (counted through
   * the engine: Redis with leases); a further one is closed with 4009.
   */
  maxConnectionsPerUser: number;
  /** Largest inbound WebSocket message; larger ones close the connection with 1009. */
  maxFrameBytes: number;
  /** Largest POST body. */
  maxBodyBytes: number;
  /** Largest serialized event. */
  maxEventBytes: number;
  /** Largest batch in one publish request. */
  maxBatchSize: number;
  /**
   * Bytes queued to one socket before it falls behind: it gets no more live frames and catches
   * up from history once its socket has sent them (or gets `resync` when history moved past it).
   */
  maxBufferedBytes: number;
  /**
   * How long a slow consumer has, after its 4008, to read up to the close frame (what the kernel
   * already holds comes first) before it is terminated, ms.
   */
  slowConsumerGraceMs: number;
  /** How long a connection may stay behind with a socket that does not drain before 4008, ms. */
  slowConsumerTimeoutMs: number;
  /**
   * How long `agent_message` deltas wait to be sent together (one `deltas` frame per message,
   * docs/protocol.md), ms; 0 sends each delta as its own `event` frame at once.
   */
  coalesceWindowMs: number;
  /** Inbound frames per connection: burst size and refill per second (token bucket). */
  rateBurst: number;
  ratePerSecond: number;
  /** Protocol errors a connection may make before it is closed with 4400. */
  maxProtocolErrors: number;
  /** Deepest nesting of objects/arrays in a publish body or client frame; deeper is a 400. */
  maxJsonDepth: number;
  /** Longest time to receive a request's headers, ms (Node's `headersTimeout`). */
  headersTimeoutMs: number;
  /** Longest time to receive a whole request, body included, ms; slower ones get 408. */
  requestTimeoutMs: number;
}

export interface GatewayOptions {
  auth: {
    jwt: JwtOptions;
    /** Keys accepted on POST /v1/publish. */
    apiKeys: readonly string[];
    /** Lifetime of a /v1/tickets ticket, ms. */
    ticketTtlMs?: number;
  };
  /** Exact Origin values allowed to open /ws; undefined allows any (non-browser clients). */
  allowedOrigins?: readonly string[];
  /** Defaults to the in-process memory engine with `history`. */
  engine?: Engine;
  history?: Partial<HistoryLimits>;
  limits?: Partial<Limits>;
  /** Protocol ping interval; a peer that misses one ping is terminated at the next. */
  heartbeatMs?: number;
  /**
   * Bound on every engine call, ms: an engine that has not answered by then (stalled or
   * unreachable Redis) makes publishes answer 503 `unavailable` and /readyz 503.
   */
  engineTimeoutMs?: number;
  /**
   * Lease of a connection in the cluster-wide per-user count, ms, renewed every third of it:
   * after a node dies, its connections stop counting within this time.
   */
  connectionLeaseMs?: number;
  /**
   * close() (and SIGTERM) closes connections with 1012 in batches spread over this window, ms
   * (default 5000; 0 closes them all at once).
   */
  drainWindowMs?: number;
  /** Time between two drain batches, ms (default 250); each batch is jittered within it. */
  drainBatchIntervalMs?: number;
  /**
   * After the last drain batch: how long close() waits for closing handshakes and for publishes
   * in flight before terminating them.
   */
  drainTimeoutMs?: number;
  /** Where `/metrics` is served (its own port?) and whether it needs a bearer token. */
  metrics?: MetricsOptions;
  logger?: Logger;
  onMessage?: MessageHandler;
  /**
   * Hears every cancel of a run (a `cancel` frame, an AG-UI client going away) on the node it
   * arrived at; the gateway then ends the run with `run_cancelled` in every tab, and the run's
   * `RunEmitter.signal` aborts on whichever node runs it. Throw MessageError to refuse.
   */
  onCancel?: CancelHandler;
  /** The AG-UI agent behind `POST /v1/ag-ui`; without it that endpoint answers 501. */
  onAgUiRun?: AgUiRunHandler;
  /** `retry:` of `GET /v1/stream`: how long EventSource waits before reconnecting (ms). */
  sseRetryMs?: number;
  /** Deliver upstream messages to the application over signed webhooks (instead of onMessage). */
  upstream?: WebhookOptions;
  /** Serves HTTP requests no gateway route matched (e.g. the demo page); return false for 404. */
  fallbackHttpHandler?: (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ) => boolean;
}

export const DEFAULT_HISTORY: HistoryLimits = { maxEvents: 1000, maxAgeMs: 15 * 60_000 };

export const DEFAULT_LIMITS: Limits = {
  maxConnectionsPerUser: 16,
  maxFrameBytes: 64 * 1024,
  maxBodyBytes: 1024 * 1024,
  maxEventBytes: 64 * 1024,
  maxBatchSize: 500,
  maxBufferedBytes: 4 * 1024 * 1024,
  slowConsumerGraceMs: 5000,
  slowConsumerTimeoutMs: 30_000,
  coalesceWindowMs: 16,
  rateBurst: 100,
  ratePerSecond: 50,
  maxProtocolErrors: 10,
  maxJsonDepth: DEFAULT_MAX_JSON_DEPTH,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

export const DEFAULT_HEARTBEAT_MS = 30_000;
export const DEFAULT_SSE_RETRY_MS = 1000;
export const DEFAULT_TICKET_TTL_MS = 30_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
