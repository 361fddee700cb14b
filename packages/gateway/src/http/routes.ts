import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type BatchPublishItemResult,
  ErrorCode,
  nestingError,
  type PublishResult,
  type TicketResponse,
  type ValidationError,
} from '@agentwire/protocol';
import type { Logger } from 'pino';
import type { ApiKeys } from '../auth/api-keys.js';
import { bearerHeader } from '../auth/credentials.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { TicketStore } from '../auth/tickets.js';
import {
  AuthError,
  BodyTooLargeError,
  EngineUnavailableError,
  RequestAbortedError,
} from '../errors.js';
import type { GatewayMetrics } from '../metrics.js';
import type { AgentEventJson, Publisher } from '../publisher.js';
import { isJson, readBody } from './body.js';
import type { MetricsEndpoint } from './metrics-endpoint.js';
import { errorBody, sendError, sendJson } from './respond.js';

export interface HttpContext {
  apiKeys: ApiKeys;
  tokens: () => Promise<TokenVerifier>;
  tickets: TicketStore;
  publisher: Publisher;
  metrics: GatewayMetrics;
  maxBodyBytes: number;
  maxBatchSize: number;
  maxJsonDepth: number;
  log: Logger;
  isReady: () => Promise<boolean>;
  metricsEndpoint: MetricsEndpoint;
}

type Route = (req: IncomingMessage, res: ServerResponse, ctx: HttpContext) => Promise<void>;

const routes: Record<string, Record<string, Route>> = {
  '/v1/publish': { POST: publish },
  '/v1/tickets': { POST: issueTicket },
  '/healthz': { GET: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
  '/readyz': { GET: ready },
  '/metrics': { GET: metrics },
};

/** Handles a gateway route; returns false when the path is not one of them. */
export async function handleRoute(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: HttpContext,
): Promise<boolean> {
  const methods = routes[path];
  if (!methods) return false;
  const route = methods[req.method ?? ''];
  if (!route) {
    res.setHeader('allow', Object.keys(methods).join(', '));
    fail(res, ctx, 405, ErrorCode.MethodNotAllowed, `${req.method} is not allowed on ${path}`);
    return true;
  }
  await route(req, res, ctx);
  return true;
}

function fail(
  res: ServerResponse,
  ctx: HttpContext,
  status: number,
  code: ErrorCode,
  message: string,
  field?: string,
): void {
  ctx.metrics.errors.inc({ code });
  sendError(res, status, code, message, field);
}

async function readJson(req: IncomingMessage, res: ServerResponse, ctx: HttpContext) {
  if (!isJson(req)) {
    fail(
      res,
      ctx,
      415,
      ErrorCode.UnsupportedMediaType,
      'send the body as Content-Type: application/json',
    );
    return undefined;
  }
  let body: Buffer;
  try {
    body = await readBody(req, ctx.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      fail(res, ctx, 413, ErrorCode.TooLarge, `request body exceeds ${ctx.maxBodyBytes} bytes`);
      return undefined;
    }
    if (error instanceof RequestAbortedError) {
      // The client's doing, not the gateway's: no answer is possible, nothing to alarm about.
      ctx.metrics.aborted.inc();
      ctx.log.debug({ method: req.method, url: req.url }, 'request aborted by the client');
      return undefined;
    }
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    fail(res, ctx, 400, ErrorCode.InvalidJson, 'request body is not valid JSON');
    return undefined;
  }
  const tooDeep = nestingError(value, ctx.maxJsonDepth, 'body');
  if (tooDeep) {
    fail(res, ctx, 400, tooDeep.code, tooDeep.message, tooDeep.field);
    return undefined;
  }
  return { value };
}

async function publish(req: IncomingMessage, res: ServerResponse, ctx: HttpContext) {
  const key = bearerHeader(req);
  if (!key || !ctx.apiKeys.accepts(key)) {
    fail(
      res,
      ctx,
      401,
      ErrorCode.Unauthorized,
      'missing or invalid API key (Authorization: Bearer <key>)',
    );
    return;
  }
  const body = await readJson(req, res, ctx);
  if (!body) return;
  const value = body.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(res, ctx, 400, ErrorCode.InvalidField, 'body: must be a JSON object', 'body');
    return;
  }
  const record = value as Record<string, unknown>;
  if ('batch' in record) {
    await publishBatch(record.batch, res, ctx);
    return;
  }
  const prepared = ctx.publisher.check(record.userId, record.event, '');
  if (!('json' in prepared)) {
    fail(
      res,
      ctx,
      prepared.code === ErrorCode.TooLarge ? 413 : 400,
      prepared.code,
      prepared.message,
      prepared.field,
    );
    return;
  }
  const result: PublishResult = await ctx.publisher.append(record.userId as string, prepared);
  sendJson(res, 200, result);
}

/**
 * A batch is validated whole before anything is appended; then its valid items are appended in
 * order, and each item's result says what became of it: `{seq, epoch, id}`, or `{error}` for an
 * invalid item, or `{error: unavailable}` for the item the engine failed on and every item after
 * it (those were not attempted). Only a malformed batch as a whole is a 4xx, and a batch of which
 * nothing could be appended because the engine is unavailable is a 503.
 */
async function publishBatch(batch: unknown, res: ServerResponse, ctx: HttpContext) {
  if (!Array.isArray(batch) || batch.length === 0) {
    fail(res, ctx, 400, ErrorCode.InvalidField, 'batch: must be a non-empty array', 'batch');
    return;
  }
  if (batch.length > ctx.maxBatchSize) {
    fail(res, ctx, 413, ErrorCode.TooLarge, `batch: at most ${ctx.maxBatchSize} items`, 'batch');
    return;
  }
  const checked: (AgentEventJson | ValidationError)[] = batch.map((value, i) => {
    const item = value as Record<string, unknown> | null;
    const prefix = `batch[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return {
        code: ErrorCode.InvalidField,
        field: prefix,
        message: `${prefix}: must be an object`,
      };
    }
    return ctx.publisher.check(item.userId, item.event, prefix);
  });
  const results: BatchPublishItemResult[] = [];
  let appended = 0;
  let unavailable: EngineUnavailableError | undefined;
  for (let i = 0; i < checked.length; i++) {
    const prepared = checked[i] as AgentEventJson | ValidationError;
    if (!('json' in prepared)) {
      ctx.metrics.errors.inc({ code: prepared.code });
      results.push(errorBody(prepared.code, prepared.message, prepared.field));
      continue;
    }
    if (unavailable) {
      results.push(
        errorBody(ErrorCode.Unavailable, `batch[${i}]: not attempted: ${unavailable.message}`),
      );
      continue;
    }
    const userId = (batch[i] as { userId: string }).userId;
    try {
      results.push(await ctx.publisher.append(userId, prepared));
      appended++;
    } catch (error) {
      if (!(error instanceof EngineUnavailableError)) throw error;
      unavailable = error;
      ctx.metrics.errors.inc({ code: ErrorCode.Unavailable });
      results.push(
        errorBody(ErrorCode.Unavailable, `batch[${i}]: ${error.message}; retry with the same id`),
      );
    }
  }
  if (unavailable && appended === 0) {
    sendError(res, 503, ErrorCode.Unavailable, unavailable.message);
    return;
  }
  sendJson(res, 200, { results });
}

async function issueTicket(req: IncomingMessage, res: ServerResponse, ctx: HttpContext) {
  const token = bearerHeader(req);
  if (!token) {
    fail(res, ctx, 401, ErrorCode.Unauthorized, 'missing Authorization: Bearer <JWT>');
    return;
  }
  try {
    const verified = await (await ctx.tokens()).verify(token);
    const { ticket, expiresAt } = await ctx.tickets.issue(verified);
    const body: TicketResponse = { ticket, expiresAt: new Date(expiresAt).toISOString() };
    sendJson(res, 200, body);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    fail(res, ctx, 401, ErrorCode.Unauthorized, error.message);
  }
}

async function ready(_req: IncomingMessage, res: ServerResponse, ctx: HttpContext) {
  if (await ctx.isReady()) sendJson(res, 200, { status: 'ready' });
  else sendError(res, 503, ErrorCode.Unavailable, 'draining or engine unreachable');
}

async function metrics(req: IncomingMessage, res: ServerResponse, ctx: HttpContext) {
  if (!ctx.metricsEndpoint.onMainPort) {
    fail(res, ctx, 404, ErrorCode.NotFound, 'metrics are served on their own port');
    return;
  }
  await ctx.metricsEndpoint.serve(req, res);
}
