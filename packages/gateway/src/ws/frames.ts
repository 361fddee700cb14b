import { CloseCode, ErrorCode, nestingError, parseClientFrame } from '@agentwire/protocol';
import type { Logger } from 'pino';
import type { RawData } from 'ws';
import type { TokenVerifier } from '../auth/jwt.js';
import { AuthError, MessageError } from '../errors.js';
import type { GatewayMetrics } from '../metrics.js';
import type { MessageHandler } from '../options.js';
import type { RunCancels } from '../runs/cancel.js';
import type { Connection } from './connection.js';

export interface FrameContext {
  metrics: GatewayMetrics;
  log: Logger;
  tokens: () => Promise<TokenVerifier>;
  onMessage: MessageHandler | undefined;
  cancels: RunCancels;
  maxProtocolErrors: number;
  maxJsonDepth: number;
  onExpired: (conn: Connection) => void;
}

/** Handles one inbound frame. Errors are answered on the connection; nothing here throws. */
export async function handleFrame(
  conn: Connection,
  data: RawData,
  isBinary: boolean,
  ctx: FrameContext,
): Promise<void> {
  // Frames that arrive after the server decided to close are not answered, nor counted again.
  if (conn.closed) return;
  if (!conn.takeToken(Date.now())) {
    violation(conn, ctx, ErrorCode.RateLimited, 'too many frames; slow down');
    return;
  }
  if (isBinary) {
    violation(conn, ctx, ErrorCode.InvalidField, 'binary frames are not part of agentwire.v1');
    return;
  }
  const parsed = parseClientFrame(data.toString());
  if (!parsed.ok) {
    violation(conn, ctx, parsed.error.code, parsed.error.message, undefined, parsed.error.field);
    return;
  }
  // The handler may serialize `data`: nothing recursive sees a frame nested too deep.
  const tooDeep = nestingError(parsed.value, ctx.maxJsonDepth, '');
  if (tooDeep) {
    violation(conn, ctx, tooDeep.code, tooDeep.message, undefined, tooDeep.field);
    return;
  }
  const frame = parsed.value;
  switch (frame.type) {
    case 'ping':
      conn.sendFrame(frame.id === undefined ? { type: 'pong' } : { type: 'pong', id: frame.id });
      return;
    case 'refresh': {
      const ackId = frame.id ?? 'refresh';
      try {
        const verified = await (await ctx.tokens()).verify(frame.token);
        if (verified.userId !== conn.userId) {
          violation(
            conn,
            ctx,
            ErrorCode.SubjectMismatch,
            'refresh token is for another user',
            ackId,
          );
          return;
        }
        conn.expiresAt = verified.expiresAt;
        conn.armExpiry(ctx.onExpired);
        conn.sendFrame({ type: 'ack', id: ackId });
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        reply(conn, ctx, ErrorCode.Unauthorized, error.message, ackId);
      }
      return;
    }
    case 'message': {
      if (!ctx.onMessage) {
        reply(
          conn,
          ctx,
          ErrorCode.NoHandler,
          'this gateway accepts no upstream messages',
          frame.id,
        );
        return;
      }
      try {
        const result = await ctx.onMessage({
          userId: conn.userId,
          connectionId: conn.id,
          id: frame.id,
          data: frame.data,
        });
        conn.sendFrame(
          result === undefined
            ? { type: 'ack', id: frame.id }
            : { type: 'ack', id: frame.id, data: result },
        );
      } catch (error) {
        handlerFailed(conn, ctx, error, frame.id, 'message');
      }
      return;
    }
    case 'cancel': {
      const ackId = frame.id ?? 'cancel';
      try {
        const { result } = await ctx.cancels.request({
          userId: conn.userId,
          runId: frame.runId,
          via: 'frame',
          connectionId: conn.id,
          ...(frame.reason !== undefined && { reason: frame.reason }),
        });
        conn.sendFrame(
          result === undefined
            ? { type: 'ack', id: ackId }
            : { type: 'ack', id: ackId, data: result },
        );
      } catch (error) {
        handlerFailed(conn, ctx, error, ackId, 'cancel');
      }
      return;
    }
  }
}

/** A handler's failure: MessageError's message goes to the client, anything else is logged. */
function handlerFailed(
  conn: Connection,
  ctx: FrameContext,
  error: unknown,
  id: string,
  handler: 'message' | 'cancel',
) {
  const refused = error instanceof MessageError;
  if (!refused) ctx.log.error({ err: error, connectionId: conn.id }, `${handler} handler threw`);
  const message = refused ? error.message : `the ${handler} handler failed`;
  reply(conn, ctx, refused ? error.code : ErrorCode.HandlerFailed, message, id);
}

function reply(conn: Connection, ctx: FrameContext, code: ErrorCode, message: string, id?: string) {
  ctx.metrics.errors.inc({ code });
  conn.sendError(code, message, id);
}

/** A protocol error: answered with an `error` frame; too many of them close with 4400. */
function violation(
  conn: Connection,
  ctx: FrameContext,
  code: ErrorCode,
  message: string,
  id?: string,
  field?: string,
) {
  ctx.metrics.errors.inc({ code });
  conn.sendError(code, message, id, field);
  conn.protocolErrors++;
  ctx.log.info({ connectionId: conn.id, code, protocolErrors: conn.protocolErrors }, message);
  if (
    conn.protocolErrors >= ctx.maxProtocolErrors &&
    conn.close(CloseCode.ProtocolViolation, 'too many protocol errors')
  ) {
    ctx.metrics.closes.inc({ code: CloseCode.ProtocolViolation });
  }
}
