import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  CloseCode,
  ErrorCode,
  readResumeQuery,
  type StreamPosition,
  SUBPROTOCOL,
} from '@agentwire/protocol';
import { type Logger, pino } from 'pino';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { ApiKeys } from './auth/api-keys.js';
import { offersSubprotocol, upgradeCredentials } from './auth/credentials.js';
import { AuthError } from './auth/errors.js';
import { createTokenVerifier, type TokenVerifier, type VerifiedToken } from './auth/jwt.js';
import { TicketStore } from './auth/tickets.js';
import { UserEmitter } from './emitter.js';
import type { Engine } from './engine/engine.js';
import { MemoryEngine } from './engine/memory.js';
import { errorBody, sendError } from './http/respond.js';
import { type HttpContext, handleRoute } from './http/routes.js';
import { GatewayMetrics } from './metrics.js';
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_HISTORY,
  DEFAULT_LIMITS,
  DEFAULT_TICKET_TTL_MS,
  type GatewayOptions,
  type Limits,
} from './options.js';
import { Publisher } from './publisher.js';
import { WebhookUpstream } from './upstream/webhook.js';
import { Connection } from './ws/connection.js';
import { type FrameContext, handleFrame } from './ws/frames.js';
import { ConnectionManager } from './ws/manager.js';

export interface GatewayStats {
  connections: number;
  users: number;
}

export class Gateway {
  readonly metrics = new GatewayMetrics();
  readonly engine: Engine;
  private readonly log: Logger;
  private readonly limits: Limits;
  private readonly manager: ConnectionManager;
  private readonly publisher: Publisher;
  private readonly tickets: TicketStore;
  private readonly apiKeys: ApiKeys;
  private readonly verifier: Promise<TokenVerifier>;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly ownsEngine: boolean;
  private readonly frameContext: FrameContext;
  private readonly httpContext: HttpContext;
  private heartbeat: NodeJS.Timeout | undefined;
  private draining = false;
  private closing: Promise<void> | undefined;
  private connectionSeq = 0;

  constructor(private readonly options: GatewayOptions) {
    this.log = options.logger ?? pino({ name: 'agentwire' });
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.ownsEngine = options.engine === undefined;
    this.engine =
      options.engine ?? new MemoryEngine({ history: { ...DEFAULT_HISTORY, ...options.history } });
    const engine = this.engine;
    if (engine instanceof MemoryEngine) this.metrics.watchHistoryMemory(() => engine.memory);
    this.apiKeys = new ApiKeys(options.auth.apiKeys);
    this.tickets = new TicketStore(options.auth.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS);
    this.verifier = createTokenVerifier(options.auth.jwt);
    // Surfaced by listen(); keep an early failure from being an unhandled rejection meanwhile.
    this.verifier.catch(() => {});
    this.publisher = new Publisher(this.engine, this.metrics, this.limits.maxEventBytes);
    this.manager = new ConnectionManager(
      this.engine,
      this.metrics,
      this.log,
      this.limits.maxConnectionsPerUser,
      this.limits.maxBufferedBytes,
    );
    const tokens = () => this.verifier;
    if (options.upstream && options.onMessage) {
      throw new TypeError('set either onMessage or upstream (webhooks), not both');
    }
    const upstream =
      options.upstream && new WebhookUpstream(options.upstream, this.metrics.registry, this.log);
    this.frameContext = {
      metrics: this.metrics,
      log: this.log,
      tokens,
      onMessage: options.onMessage ?? upstream?.onMessage,
      maxProtocolErrors: this.limits.maxProtocolErrors,
      onExpired: (conn) => this.expire(conn),
    };
    this.httpContext = {
      apiKeys: this.apiKeys,
      tokens,
      tickets: this.tickets,
      publisher: this.publisher,
      metrics: this.metrics,
      maxBodyBytes: this.limits.maxBodyBytes,
      maxBatchSize: this.limits.maxBatchSize,
      isReady: async () => !this.draining && (await this.engine.ready().catch(() => false)),
    };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // Select agentwire.v1 only: the bearer.<JWT> entry is never echoed back.
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => void this.onUpgrade(req, socket, head));
  }

  /** The user-scoped emitter: the only way to address delivery. */
  forUser(userId: string): UserEmitter {
    return new UserEmitter(userId, this.publisher);
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
    const every = this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.heartbeat = setInterval(() => this.beat(), every);
    this.heartbeat.unref();
    const address = this.server.address() as AddressInfo;
    this.log.info(
      { port: address.port, host: address.address, engine: this.engine.name },
      'listening',
    );
    return address;
  }

  /**
   * Stops accepting (new upgrades and publishes get 503), closes every connection with 1001 so
   * clients resume elsewhere, waits for them up to the drain timeout, then releases everything.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.draining = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const sockets = [...this.manager.allConnections()].map((conn) => conn.socket);
    const socketsClosed = Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) resolve();
            else ws.once('close', () => resolve());
          }),
      ),
    );
    for (const conn of this.manager.allConnections()) {
      this.metrics.closes.inc({ code: CloseCode.GoingAway });
      conn.close(CloseCode.GoingAway, 'server shutting down');
    }
    const timeout = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      socketsClosed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout);
      }),
    ]);
    clearTimeout(timer);
    for (const ws of sockets) ws.terminate();
    this.server.closeAllConnections();
    await serverClosed;
    this.tickets.close();
    if (this.ownsEngine) await this.engine.close();
    this.log.info('closed');
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', 'http://gateway').pathname;
      if (path === '/ws') {
        sendError(res, 426, ErrorCode.InvalidField, 'GET /ws needs a WebSocket upgrade');
        return;
      }
      if (this.draining && path === '/v1/publish') {
        this.metrics.errors.inc({ code: ErrorCode.Unavailable });
        sendError(res, 503, ErrorCode.Unavailable, 'gateway is draining');
        return;
      }
      if (await handleRoute(req, res, path, this.httpContext)) return;
      if (this.options.fallbackHttpHandler?.(req, res)) return;
      this.metrics.errors.inc({ code: ErrorCode.NotFound });
      sendError(res, 404, ErrorCode.NotFound, `no route for ${req.method} ${path}`);
    } catch (error) {
      this.log.error({ err: error, method: req.method }, 'request failed');
      this.metrics.errors.inc({ code: ErrorCode.Internal });
      if (!res.headersSent) sendError(res, 500, ErrorCode.Internal, 'internal error');
      else res.destroy();
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', this.socketListeners.upgradeError);
    try {
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (url.pathname !== '/ws')
        return this.reject(socket, 404, ErrorCode.NotFound, 'no WebSocket endpoint here; use /ws');
      if (this.draining)
        return this.reject(socket, 503, ErrorCode.Unavailable, 'gateway is draining');
      const origin = req.headers.origin;
      const allowed = this.options.allowedOrigins;
      if (allowed && origin !== undefined && !allowed.includes(origin)) {
        return this.reject(socket, 403, ErrorCode.OriginNotAllowed, 'origin is not allowed');
      }
      if (!offersSubprotocol(req)) {
        return this.reject(
          socket,
          400,
          ErrorCode.InvalidField,
          `offer the ${SUBPROTOCOL} subprotocol`,
          'Sec-WebSocket-Protocol',
        );
      }
      const resume = readResumeQuery(url.searchParams);
      if (!resume.ok) {
        const { code, message, field } = resume.error;
        return this.reject(socket, 400, code, message, field);
      }
      let verified: VerifiedToken;
      try {
        verified = await this.authenticate(req, url);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        return this.reject(socket, 401, ErrorCode.Unauthorized, error.message);
      }
      if (this.draining)
        return this.reject(socket, 503, ErrorCode.Unavailable, 'gateway is draining');
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        // From here on ws listens for the socket's errors itself.
        socket.off('error', this.socketListeners.upgradeError);
        this.onConnection(ws, verified, resume.value);
      });
    } catch (error) {
      this.log.error({ err: error }, 'upgrade failed');
      this.reject(socket, 500, ErrorCode.Internal, 'internal error');
    }
  }

  private async authenticate(req: IncomingMessage, url: URL): Promise<VerifiedToken> {
    const credentials = upgradeCredentials(req, url);
    if (!credentials) {
      throw new AuthError('no credentials: offer a bearer.<JWT> subprotocol entry or a ?ticket=');
    }
    if (credentials.kind === 'ticket') return this.tickets.redeem(credentials.ticket);
    return (await this.verifier).verify(credentials.token);
  }

  /** Refuses an upgrade with a plain HTTP response and a JSON body; no WebSocket is opened. */
  private reject(
    socket: Duplex,
    status: number,
    code: ErrorCode,
    message: string,
    field?: string,
  ): void {
    this.metrics.errors.inc({ code });
    this.log.info({ status, code }, `upgrade refused: ${message}`);
    if (!socket.writable) return void socket.destroy();
    const body = JSON.stringify(errorBody(code, message, field));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  private onConnection(ws: WebSocket, verified: VerifiedToken, resume: StreamPosition | undefined) {
    const id = `c_${(++this.connectionSeq).toString(36)}_${randomBytes(4).toString('hex')}`;
    const conn = new Connection(
      id,
      verified.userId,
      ws,
      verified.expiresAt,
      this.limits.rateBurst,
      this.limits.ratePerSecond,
    );
    (ws as TaggedSocket)[CONNECTION] = conn;
    const listeners = this.socketListeners;
    ws.on('message', listeners.message);
    ws.on('pong', listeners.pong);
    ws.on('error', listeners.error);
    ws.on('close', listeners.close);
    conn.armExpiry(this.frameContext.onExpired);
    this.manager.attach(conn, resume).catch((error: unknown) => {
      this.log.error({ err: error, connectionId: id }, 'attach failed');
      conn.close(CloseCode.InternalError, 'internal error');
    });
  }

  /**
   * Socket listeners shared by every connection of this gateway (`this` is the socket, which
   * carries its Connection): an idle connection holds no closures of its own.
   */
  private readonly socketListeners = socketListeners({
    message: (conn, data, isBinary) => {
      handleFrame(conn, data, isBinary, this.frameContext).catch((error: unknown) => {
        this.log.error({ err: error, connectionId: conn.id }, 'frame handling failed');
      });
    },
    error: (conn, error) => {
      this.log.info({ err: error, connectionId: conn.id }, 'socket error');
      const code = (error as { code?: string }).code;
      if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        this.metrics.closes.inc({ code: CloseCode.MessageTooBig });
    },
    close: (conn) => {
      conn.closed = true;
      conn.clearExpiry();
      this.manager.detach(conn);
    },
    upgradeError: (error) => this.log.debug({ err: error }, 'upgrade socket error'),
  });

  private expire(conn: Connection): void {
    this.metrics.closes.inc({ code: CloseCode.CredentialsExpired });
    conn.close(CloseCode.CredentialsExpired, 'credentials expired');
  }

  /** Protocol-level heartbeat: a peer that did not answer the previous ping is terminated. */
  private beat(): void {
    // In slices, yielding to I/O between them: pinging thousands of sockets in one go would hold
    // every delivery back for tens of milliseconds.
    const connections = [...this.manager.allConnections()];
    let next = 0;
    const slice = () => {
      const end = Math.min(next + HEARTBEAT_SLICE, connections.length);
      for (; next < end; next++) {
        const conn = connections[next] as Connection;
        if (conn.closed) continue;
        if (!conn.alive) {
          this.log.info({ connectionId: conn.id }, 'dead peer terminated');
          conn.closed = true;
          conn.socket.terminate();
          continue;
        }
        conn.alive = false;
        conn.socket.ping();
      }
      if (next < connections.length && !this.draining) setImmediate(slice);
    };
    slice();
  }
}

/** Connections pinged per turn of the event loop by the heartbeat. */
const HEARTBEAT_SLICE = 256;

const CONNECTION = Symbol('agentwire.connection');
type TaggedSocket = WebSocket & { [CONNECTION]?: Connection };

interface SocketHandlers {
  message(conn: Connection, data: RawData, isBinary: boolean): void;
  error(conn: Connection, error: Error): void;
  close(conn: Connection): void;
  upgradeError(error: Error): void;
}

/** Wraps per-gateway handlers as listeners that find the Connection on the socket (`this`). */
function socketListeners(handlers: SocketHandlers) {
  return {
    message(this: WebSocket, data: RawData, isBinary: boolean) {
      const conn = (this as TaggedSocket)[CONNECTION];
      if (conn) handlers.message(conn, data, isBinary);
    },
    pong(this: WebSocket) {
      const conn = (this as TaggedSocket)[CONNECTION];
      if (conn) conn.alive = true;
    },
    error(this: WebSocket, error: Error) {
      const conn = (this as TaggedSocket)[CONNECTION];
      if (conn) handlers.error(conn, error);
    },
    close(this: WebSocket) {
      const conn = (this as TaggedSocket)[CONNECTION];
      if (conn) handlers.close(conn);
    },
    upgradeError: handlers.upgradeError,
  };
}

export function createGateway(options: GatewayOptions): Gateway {
  return new Gateway(options);
}
