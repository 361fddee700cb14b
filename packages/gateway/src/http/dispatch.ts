import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '@agentwire/protocol';
import type { Logger } from 'pino';
import { EngineUnavailableError } from '../errors.js';
import { handleSseRoute, type SseContext } from '../sse/routes.js';
import { UPGRADE_PATH } from '../ws/upgrade.js';
import { sendError } from './respond.js';
import { type HttpContext, handleRoute } from './routes.js';

export interface DispatchContext extends HttpContext {
  log: Logger;
  isDraining: () => boolean;
  /** Serves requests no gateway route matched; returns false for 404. */
  fallback: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /** The Server-Sent Events routes: GET /v1/stream, POST /v1/ag-ui. */
  sse: SseContext;
}

/** Routes that start something new: while draining they get 503, like new upgrades. */
const REFUSED_WHILE_DRAINING = new Set(['/v1/publish', '/v1/tickets']);

/**
 * The gateway's own routes (`/v1/*`, `/healthz`, `/readyz`, `/metrics`, and the 426 for a plain
 * GET of `/ws`). Returns false, having sent nothing, for any other path: an application server
 * that mounts the gateway answers those itself. Never throws.
 */
export async function handleGatewayRoute(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: DispatchContext,
): Promise<boolean> {
  try {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const path = url.pathname;
    if (path === UPGRADE_PATH) {
      sendError(res, 426, ErrorCode.InvalidField, 'GET /ws needs a WebSocket upgrade');
      return true;
    }
    if (ctx.isDraining() && REFUSED_WHILE_DRAINING.has(path)) {
      ctx.metrics.errors.inc({ code: ErrorCode.Unavailable });
      sendError(res, 503, ErrorCode.Unavailable, 'gateway is draining');
      return true;
    }
    if (await handleRoute(req, res, path, ctx)) return true;
    return await handleSseRoute(req, res, url, ctx.sse);
  } catch (error) {
    if (error instanceof EngineUnavailableError) {
      ctx.log.warn({ err: error, method: req.method }, 'engine unavailable');
      ctx.metrics.errors.inc({ code: ErrorCode.Unavailable });
      if (!res.headersSent) sendError(res, 503, ErrorCode.Unavailable, error.message);
      return true;
    }
    ctx.log.error({ err: error, method: req.method }, 'request failed');
    ctx.metrics.errors.inc({ code: ErrorCode.Internal });
    if (!res.headersSent) sendError(res, 500, ErrorCode.Internal, 'internal error');
    else res.destroy();
    return true;
  }
}

/** Every request of the gateway's own server: its routes, then the fallback, else 404. */
export async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: DispatchContext,
): Promise<void> {
  if (await handleGatewayRoute(req, res, ctx)) return;
  if (ctx.fallback?.(req, res)) return;
  const path = new URL(req.url ?? '/', 'http://gateway').pathname;
  ctx.metrics.errors.inc({ code: ErrorCode.NotFound });
  sendError(res, 404, ErrorCode.NotFound, `no route for ${req.method} ${path}`);
}
