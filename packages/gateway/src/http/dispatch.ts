import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '@agentwire/protocol';
import type { Logger } from 'pino';
import { EngineUnavailableError } from '../errors.js';
import { sendError } from './respond.js';
import { type HttpContext, handleRoute } from './routes.js';

export interface DispatchContext extends HttpContext {
  log: Logger;
  isDraining: () => boolean;
  /** Serves requests no gateway route matched; returns false for 404. */
  fallback: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
}

/** Routes that start something new: while draining they get 503, like new upgrades. */
const REFUSED_WHILE_DRAINING = new Set(['/v1/publish', '/v1/tickets']);

/** Every plain HTTP request: the gateway's routes, then the fallback, else 404; never throws. */
export async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: DispatchContext,
): Promise<void> {
  try {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path === '/ws') {
      sendError(res, 426, ErrorCode.InvalidField, 'GET /ws needs a WebSocket upgrade');
      return;
    }
    if (ctx.isDraining() && REFUSED_WHILE_DRAINING.has(path)) {
      ctx.metrics.errors.inc({ code: ErrorCode.Unavailable });
      sendError(res, 503, ErrorCode.Unavailable, 'gateway is draining');
      return;
    }
    if (await handleRoute(req, res, path, ctx)) return;
    if (ctx.fallback?.(req, res)) return;
    ctx.metrics.errors.inc({ code: ErrorCode.NotFound });
    sendError(res, 404, ErrorCode.NotFound, `no route for ${req.method} ${path}`);
  } catch (error) {
    if (error instanceof EngineUnavailableError) {
      ctx.log.warn({ err: error, method: req.method }, 'engine unavailable');
      ctx.metrics.errors.inc({ code: ErrorCode.Unavailable });
      if (!res.headersSent) sendError(res, 503, ErrorCode.Unavailable, error.message);
      return;
    }
    ctx.log.error({ err: error, method: req.method }, 'request failed');
    ctx.metrics.errors.inc({ code: ErrorCode.Internal });
    if (!res.headersSent) sendError(res, 500, ErrorCode.Internal, 'internal error');
    else res.destroy();
  }
}
