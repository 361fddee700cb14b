import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ErrorCode,
  readResumeQuery,
  type StreamPosition,
  SUBPROTOCOL,
  UpgradeQuery,
} from '@agentwire/protocol';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { offersSubprotocol, upgradeCredentials } from '../auth/credentials.js';
import type { TokenVerifier, VerifiedToken } from '../auth/jwt.js';
import type { TicketStore } from '../auth/tickets.js';
import { AuthError, EngineUnavailableError } from '../errors.js';
import { rejectUpgrade } from '../http/respond.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Admission } from './leases.js';

export interface UpgradeContext {
  metrics: GatewayMetrics;
  log: Logger;
  /** Exact Origin values allowed; undefined allows any. */
  allowedOrigins: readonly string[] | undefined;
  maxFrameBytes: number;
  tickets: TicketStore;
  tokens: () => Promise<TokenVerifier>;
  isDraining: () => boolean;
  /**
   * Admission under the per-user cap through the engine, before the upgrade: an engine that does
   * not answer within its bound rejects (EngineUnavailableError), and the upgrade gets 503.
   */
  admit: (userId: string) => Promise<Admission>;
  /** Gives back the lease of an admission whose upgrade did not happen. */
  release: (userId: string, admission: Admission) => void;
  /** Receives each socket that passed every check, with its credentials and admission. */
  onConnection: (
    ws: WebSocket,
    verified: VerifiedToken,
    resume: StreamPosition | undefined,
    admission: Admission,
  ) => void;
}

/**
 * The WebSocket upgrade: path, drain state, Origin, subprotocol, resume position, credentials and
 * admission through the engine are checked before any WebSocket exists; a refusal is a plain
 * HTTP response with a JSON body.
 */
export class Upgrades {
  private readonly wss: WebSocketServer;

  constructor(private readonly ctx: UpgradeContext) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: ctx.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // Select agentwire.v1 only: the bearer.<JWT> entry is never echoed back.
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  private readonly upgradeError = (error: Error) =>
    this.ctx.log.debug({ err: error }, 'upgrade socket error');

  async handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const ctx = this.ctx;
    socket.on('error', this.upgradeError);
    try {
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (url.pathname !== '/ws')
        return this.reject(socket, 404, ErrorCode.NotFound, 'no WebSocket endpoint here; use /ws');
      if (ctx.isDraining())
        return this.reject(socket, 503, ErrorCode.Unavailable, 'gateway is draining');
      const origin = req.headers.origin;
      const allowed = ctx.allowedOrigins;
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
        return this.reject(socket, 401, error.code, error.message);
      }
      if (ctx.isDraining())
        return this.reject(socket, 503, ErrorCode.Unavailable, 'gateway is draining');
      const admission = await ctx.admit(verified.userId);
      if (ctx.isDraining()) {
        ctx.release(verified.userId, admission);
        return this.reject(socket, 503, ErrorCode.Unavailable, 'gateway is draining');
      }
      if (!socket.readable || !socket.writable) {
        // The client left while it was being admitted; ws would drop the socket without a call.
        ctx.release(verified.userId, admission);
        return void socket.destroy();
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        // From here on ws listens for the socket's errors itself.
        socket.off('error', this.upgradeError);
        ctx.onConnection(ws, verified, resume.value, admission);
      });
    } catch (error) {
      if (error instanceof EngineUnavailableError)
        return this.reject(socket, 503, ErrorCode.Unavailable, error.message);
      ctx.log.error({ err: error }, 'upgrade failed');
      this.reject(socket, 500, ErrorCode.Internal, 'internal error');
    }
  }

  private async authenticate(req: IncomingMessage, url: URL): Promise<VerifiedToken> {
    const credentials = upgradeCredentials(req, url);
    if (!credentials) {
      throw new AuthError(
        `no credentials: offer a bearer.<JWT> subprotocol entry or a ?${UpgradeQuery.ticket}=`,
      );
    }
    if (credentials.kind === 'ticket') return this.ctx.tickets.redeem(credentials.ticket);
    return (await this.ctx.tokens()).verify(credentials.token);
  }

  private reject(
    socket: Duplex,
    status: number,
    code: ErrorCode,
    message: string,
    field?: string,
  ): void {
    this.ctx.metrics.errors.inc({ code });
    this.ctx.log.info({ status, code }, `upgrade refused: ${message}`);
    rejectUpgrade(socket, status, code, message, field);
  }
}
