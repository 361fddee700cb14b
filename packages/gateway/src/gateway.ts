import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CloseCode, ErrorCode, type StreamPosition } from '@agentwire/protocol';
import { type Logger, pino } from 'pino';
import type { WebSocket } from 'ws';
import { ApiKeys } from './auth/api-keys.js';
import { createTokenVerifier, type TokenVerifier, type VerifiedToken } from './auth/jwt.js';
import { TicketStore } from './auth/tickets.js';
import { UserEmitter } from './emitter.js';
import { boundedEngine, DEFAULT_ENGINE_TIMEOUT_MS } from './engine/bounded.js';
import type { Engine } from './engine/engine.js';
import { MemoryEngine } from './engine/memory.js';
import { EngineUnavailableError } from './errors.js';
import { type DispatchContext, handleGatewayRoute, handleRequest } from './http/dispatch.js';
import { InFlightRequests } from './http/in-flight.js';
import { MetricsEndpoint } from './http/metrics-endpoint.js';
import { sendError } from './http/respond.js';
import { GatewayMetrics } from './metrics.js';
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_HISTORY,
  DEFAULT_LIMITS,
  DEFAULT_SSE_RETRY_MS,
  DEFAULT_TICKET_TTL_MS,
  type GatewayOptions,
  type Limits,
} from './options.js';
import { Publisher } from './publisher.js';
import { RunCancels } from './runs/cancel.js';
import { DEFAULT_DRAIN, drainConnections } from './shutdown.js';
import type { SseSocket } from './sse/socket.js';
import { WebhookUpstream } from './upstream/webhook.js';
import { Connection } from './ws/connection.js';
import { type FrameContext, handleFrame } from './ws/frames.js';
import { Heartbeat } from './ws/heartbeat.js';
import type { Admission } from './ws/leases.js';
import { ConnectionManager } from './ws/manager.js';
import { listen, socketListeners } from './ws/socket-listeners.js';
import { isGatewayUpgrade, Upgrades } from './ws/upgrade.js';

export interface GatewayStats {
  connections: number;
  users: number;
}

/**
 * The composition root: builds the engine, publisher, connection manager, upgrade handling,
 * heartbeat and HTTP server from the options and wires them together. The work itself is in the
 * modules it composes.
 */
export class Gateway {
  readonly metrics = new GatewayMetrics();
  readonly engine: Engine;
  /** `engine` with every call bounded in time (engine/bounded.ts): what the gateway uses. */
  private readonly bounded: Engine;
  private readonly log: Logger;
  private readonly limits: Limits;
  private readonly manager: ConnectionManager;
  private readonly publisher: Publisher;
  /** Cancels of runs: asking the application, `run_cancelled` to every tab, in-process signals. */
  readonly cancels: RunCancels;
  private readonly tickets: TicketStore;
  private readonly verifier: Promise<TokenVerifier>;
  private readonly server: Server;
  private readonly upgrades: Upgrades;
  private readonly heartbeat: Heartbeat;
  private readonly ownsEngine: boolean;
  private readonly frameContext: FrameContext;
  private readonly httpContext: DispatchContext;
  private readonly inFlight = new InFlightRequests();
  private readonly metricsEndpoint: MetricsEndpoint;
  /** The separate metrics port's address once listening (`GatewayOptions.metrics.port`). */
  metricsAddress: AddressInfo | undefined;
  private draining = false;
  /** listen() ran: the gateway's own server is the one to close. */
  private listening = false;
  private started = false;
  private closing: Promise<void> | undefined;
  private connectionSeq = 0;

  constructor(private readonly options: GatewayOptions) {
    this.log = options.logger ?? pino({ name: 'agentwire' });
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.ownsEngine = options.engine === undefined;
    this.engine =
      options.engine ?? new MemoryEngine({ history: { ...DEFAULT_HISTORY, ...options.history } });
    const engine = this.engine;
    this.bounded = boundedEngine(engine, options.engineTimeoutMs ?? DEFAULT_ENGINE_TIMEOUT_MS);
    if (engine.historyMemory) {
      const read = engine.historyMemory.bind(engine);
      this.metrics.watchHistoryMemory(read);
    }
    this.tickets = new TicketStore(
      this.bounded.shared,
      options.auth.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS,
    );
    this.verifier = createTokenVerifier(options.auth.jwt);
    // Surfaced by listen(); keep an early failure from being an unhandled rejection meanwhile.
    this.verifier.catch(() => {});
    const tokens = () => this.verifier;
    const isDraining = () => this.draining;
    this.publisher = new Publisher(
      this.bounded,
      this.metrics,
      this.limits.maxEventBytes,
      this.limits.maxJsonDepth,
    );
    if (options.upstream && (options.onMessage || options.onCancel)) {
      throw new TypeError(
        'set either onMessage or upstream (webhooks), not both (onCancel counts as onMessage)',
      );
    }
    const upstream =
      options.upstream && new WebhookUpstream(options.upstream, this.metrics.registry, this.log);
    this.cancels = new RunCancels(
      this.bounded,
      this.publisher,
      options.onCancel ?? upstream?.onCancel,
      this.log,
    );
    this.manager = new ConnectionManager(
      this.bounded,
      this.metrics,
      this.log,
      this.limits.maxConnectionsPerUser,
      this.limits.maxBufferedBytes,
      this.limits.slowConsumerTimeoutMs,
      this.limits.coalesceWindowMs,
      this.limits.slowConsumerGraceMs,
      options.connectionLeaseMs,
    );
    this.heartbeat = new Heartbeat(() => this.manager.allConnections(), this.log);
    this.frameContext = {
      metrics: this.metrics,
      log: this.log,
      tokens,
      onMessage: options.onMessage ?? upstream?.onMessage,
      cancels: this.cancels,
      maxProtocolErrors: this.limits.maxProtocolErrors,
      maxJsonDepth: this.limits.maxJsonDepth,
      onExpired: (conn) => this.expire(conn),
    };
    this.metricsEndpoint = new MetricsEndpoint(this.metrics, options.metrics);
    this.httpContext = {
      metricsEndpoint: this.metricsEndpoint,
      apiKeys: new ApiKeys(options.auth.apiKeys),
      tokens,
      tickets: this.tickets,
      publisher: this.publisher,
      metrics: this.metrics,
      maxBodyBytes: this.limits.maxBodyBytes,
      maxBatchSize: this.limits.maxBatchSize,
      maxJsonDepth: this.limits.maxJsonDepth,
      isReady: async () => !this.draining && (await this.bounded.ready()),
      log: this.log,
      isDraining,
      fallback: options.fallbackHttpHandler,
      sse: {
        engine: this.bounded,
        metrics: this.metrics,
        log: this.log,
        allowedOrigins: options.allowedOrigins,
        isDraining,
        verifyToken: async (token) => (await this.verifier).verify(token),
        redeemTicket: (ticket) => this.tickets.redeem(ticket),
        // The manager treats an SSE stream as a socket: same admission, resume, fan-out and limits.
        connect: async (socket: SseSocket, verified, resume) => {
          const connectionId = this.newConnectionId();
          const admitted = await this.manager.leases.admit(verified.userId, connectionId);
          this.connected(socket as unknown as WebSocket, verified, resume, {
            connectionId,
            admitted,
          });
        },
        forUser: (userId) => this.forUser(userId),
        cancels: this.cancels,
        onAgUiRun: options.onAgUiRun,
        maxBodyBytes: this.limits.maxBodyBytes,
        maxJsonDepth: this.limits.maxJsonDepth,
        retryMs: options.sseRetryMs ?? DEFAULT_SSE_RETRY_MS,
      },
    };
    this.upgrades = new Upgrades({
      metrics: this.metrics,
      log: this.log,
      allowedOrigins: options.allowedOrigins,
      maxFrameBytes: this.limits.maxFrameBytes,
      tickets: this.tickets,
      tokens,
      isDraining,
      admit: async (userId) => {
        const connectionId = this.newConnectionId();
        return { connectionId, admitted: await this.manager.leases.admit(userId, connectionId) };
      },
      release: (userId, admission) => this.manager.leases.release(userId, admission.connectionId),
      onConnection: (ws, verified, resume, admission) =>
        this.connected(ws, verified, resume, admission),
    });
    this.server = createServer(
      {
        headersTimeout: this.limits.headersTimeoutMs,
        requestTimeout: this.limits.requestTimeoutMs,
        // Node checks those timeouts only this often (30 s by default).
        connectionsCheckingInterval: Math.max(
          50,
          Math.min(this.limits.headersTimeoutMs, this.limits.requestTimeoutMs) / 4,
        ),
      },
      (req, res) => {
        this.inFlight.track(req, res);
        // While draining, a keep-alive client is told to take its next request elsewhere.
        if (this.draining) res.setHeader('connection', 'close');
        void handleRequest(req, res, this.httpContext);
      },
    );
    this.server.on('upgrade', (req, socket, head) => void this.upgrades.handle(req, socket, head));
  }

  /** The user-scoped emitter: the only way to address delivery. */
  forUser(userId: string): UserEmitter {
    return new UserEmitter(userId, this.publisher, this.cancels);
  }

  stats(): GatewayStats {
    return { connections: this.manager.connections, users: this.manager.users };
  }

  async listen(port = 8080, host = '127.0.0.1'): Promise<AddressInfo> {
    await this.verifier;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.metricsAddress = await this.metricsEndpoint.listen(host);
    this.listening = true;
    this.start();
    const address = this.server.address() as AddressInfo;
    this.log.info(
      {
        port: address.port,
        host: address.address,
        engine: this.engine.name,
        ...(this.metricsAddress && { metricsPort: this.metricsAddress.port }),
      },
      'listening',
    );
    return address;
  }

  /**
   * Mounts the gateway on an existing `node:http` or `node:https` server (an Express, Fastify or
   * Hono app's): its `/ws` upgrades and the gateway's routes go to the gateway, every other
   * request and upgrade to the listeners the server had when this was called. Call it after the
   * app is on the server and before it listens.
   */
  attach(server: Server | HttpsServer): this {
    const requests = server.listeners('request') as ((...args: unknown[]) => void)[];
    const upgrades = server.listeners('upgrade') as ((...args: unknown[]) => void)[];
    server.removeAllListeners('request');
    server.removeAllListeners('upgrade');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.handleRequest(req, res).then((handled) => {
        if (handled) return;
        if (requests.length === 0) {
          sendError(res, 404, ErrorCode.NotFound, `no route for ${req.method} ${req.url}`);
        }
        for (const listener of requests) listener.call(server, req, res);
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.handleUpgrade(req, socket, head)) return;
      if (upgrades.length === 0) socket.destroy();
      for (const listener of upgrades) listener.call(server, req, socket, head);
    });
    return this;
  }

  /**
   * Answers the request when it is one of the gateway's routes (`/v1/publish`, `/v1/tickets`,
   * `/v1/stream`, `/v1/ag-ui`, `/healthz`, `/readyz`, `/metrics`) and resolves true; resolves
   * false, having touched nothing, for any other — the framework's middleware goes on. Mount it
   * before body parsers: the gateway reads the bodies of its routes itself.
   */
  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    this.start();
    const handled = await handleGatewayRoute(req, res, this.httpContext);
    if (handled) this.inFlight.track(req, res);
    return handled;
  }

  /**
   * Takes an upgrade for `/ws` (every check, then the WebSocket) and returns true; returns false
   * for any other path, leaving the socket to the caller (e.g. the framework's own WebSockets).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!isGatewayUpgrade(req)) return false;
    this.start();
    void this.upgrades.handle(req, socket, head);
    return true;
  }

  /** The heartbeat and leases run once the gateway serves, whether by listen() or mounted. */
  private start(): void {
    if (this.started || this.draining) return;
    this.started = true;
    this.heartbeat.start(this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    this.manager.leases.start();
  }

  /**
   * Drains (SPEC §8): /readyz answers 503 at once and new upgrades and publishes get 503 while
   * the listener stays open (a load balancer moves traffic; a reconnecting client is refused, not
   * reset); connections are closed with 1012 in batches over the drain window; publishes in
   * flight finish; then the listener closes and everything is released.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.draining = true;
    this.log.info({ connections: this.manager.connections }, 'draining');
    this.heartbeat.stop();
    const timeoutMs = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.manager.sendAllHeld();
    await drainConnections(this.manager.allConnections(), this.metrics, {
      windowMs: this.options.drainWindowMs ?? DEFAULT_DRAIN.windowMs,
      batchIntervalMs: this.options.drainBatchIntervalMs ?? DEFAULT_DRAIN.batchIntervalMs,
      timeoutMs,
    });
    await this.inFlight.idle(timeoutMs);
    this.manager.leases.stop();
    // A mounted gateway leaves the application's server to the application.
    if (this.listening) {
      const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await serverClosed;
    }
    await this.metricsEndpoint.close();
    await this.cancels.close();
    if (this.ownsEngine) await this.engine.close();
    this.log.info('closed');
  }

  private newConnectionId(): string {
    return `c_${(++this.connectionSeq).toString(36)}_${randomBytes(4).toString('hex')}`;
  }

  /** A socket that passed the upgrade: its Connection, listeners and expiry, then the manager. */
  private connected(
    ws: WebSocket,
    verified: VerifiedToken,
    resume: StreamPosition | undefined,
    admission: Admission,
  ) {
    const id = admission.connectionId;
    const conn = new Connection(
      id,
      verified.userId,
      ws,
      verified.expiresAt,
      this.limits.rateBurst,
      this.limits.ratePerSecond,
    );
    listen(conn, this.socketListeners);
    conn.armExpiry(this.frameContext.onExpired);
    this.manager.attach(conn, resume, admission.admitted).catch((error: unknown) => {
      // The engine could not be reached: the client reconnects (with backoff) and resumes.
      const unavailable = error instanceof EngineUnavailableError;
      this.log[unavailable ? 'warn' : 'error']({ err: error, connectionId: id }, 'attach failed');
      conn.close(CloseCode.InternalError, unavailable ? 'engine unavailable' : 'internal error');
    });
  }

  private readonly socketListeners = socketListeners({
    message: (conn, data, isBinary) => {
      handleFrame(conn, data, isBinary, this.frameContext).catch((error: unknown) => {
        this.log.error({ err: error, connectionId: conn.id }, 'frame handling failed');
      });
    },
    error: (conn, error) => {
      this.log.info({ err: error, connectionId: conn.id }, 'socket error');
      const code = (error as { code?: string }).code;
      if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' && !conn.closed) {
        // ws closes the connection itself.
        conn.closed = true;
        this.metrics.closes.inc({ code: CloseCode.MessageTooBig });
      }
    },
    close: (conn) => {
      conn.closed = true;
      conn.clearExpiry();
      this.manager.detach(conn);
    },
  });

  private expire(conn: Connection): void {
    if (conn.close(CloseCode.CredentialsExpired, 'credentials expired'))
      this.metrics.closes.inc({ code: CloseCode.CredentialsExpired });
  }
}

export function createGateway(options: GatewayOptions): Gateway {
  return new Gateway(options);
}
