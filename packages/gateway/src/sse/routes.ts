import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AgUiDecoder,
  type AgUiEvent,
  ErrorCode,
  isTerminalEventType,
  type RunAgentInput,
  readResumeQuery,
  type StreamPosition,
  validateRunAgentInput,
} from '@agentwire/protocol';
import type { Logger } from 'pino';
import { bearerHeader } from '../auth/credentials.js';
import type { VerifiedToken } from '../auth/jwt.js';
import type { RunEmitter, UserEmitter } from '../emitter.js';
import type { Engine } from '../engine/engine.js';
import { AuthError } from '../errors.js';
import { fail, readJson } from '../http/routes.js';
import type { GatewayMetrics } from '../metrics.js';
import type { RunCancels } from '../runs/cancel.js';
import { parseEventId, SseSocket, STREAM_FORMATS, type StreamFormat } from './socket.js';

/** What the AG-UI agent endpoint's handler gets besides the input. */
export interface AgUiRunContext {
  /** The verified user (the JWT's `sub`). */
  userId: string;
  /** The run, with `runId`/`threadId` from the input: publish its events here… */
  run: RunEmitter;
  /** …and stop when this aborts (a cancel frame, or the AG-UI client went away). */
  signal: AbortSignal;
}

/**
 * Runs an AG-UI `RunAgentInput`. Publish on `ctx.run` (agentwire events), or return AG-UI events
 * (an async iterable, e.g. an existing AG-UI agent's), which are mapped onto the run; a run that
 * ends without a terminal event is completed, one whose handler throws ends with agent_error.
 */
export type AgUiRunHandler = (
  input: RunAgentInput,
  ctx: AgUiRunContext,
) => undefined | Promise<undefined> | AsyncIterable<AgUiEvent> | Promise<AsyncIterable<AgUiEvent>>;

export interface SseContext {
  engine: Engine;
  metrics: GatewayMetrics;
  log: Logger;
  allowedOrigins: readonly string[] | undefined;
  isDraining: () => boolean;
  verifyToken: (token: string) => Promise<VerifiedToken>;
  redeemTicket: (ticket: string) => Promise<VerifiedToken>;
  /** Hands the stream to the connection manager, as an upgrade hands it a socket. */
  connect: (
    socket: SseSocket,
    verified: VerifiedToken,
    resume: StreamPosition | undefined,
  ) => Promise<void>;
  forUser: (userId: string) => UserEmitter;
  cancels: RunCancels;
  onAgUiRun: AgUiRunHandler | undefined;
  maxBodyBytes: number;
  maxJsonDepth: number;
  retryMs: number;
}

const SSE_ROUTES: Record<string, { method: string; route: typeof stream }> = {
  '/v1/stream': { method: 'GET', route: stream },
  '/v1/ag-ui': { method: 'POST', route: agUi },
};

/** Handles the SSE routes; false when the path is not one of them. */
export async function handleSseRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: SseContext,
): Promise<boolean> {
  const entry = SSE_ROUTES[url.pathname];
  if (!entry) return false;
  if (req.method !== entry.method) {
    res.setHeader('allow', entry.method);
    fail(
      res,
      ctx,
      405,
      ErrorCode.MethodNotAllowed,
      `${req.method} is not allowed on ${url.pathname}`,
    );
    return true;
  }
  const origin = req.headers.origin;
  if (ctx.allowedOrigins && origin !== undefined && !ctx.allowedOrigins.includes(origin)) {
    fail(res, ctx, 403, ErrorCode.OriginNotAllowed, 'origin is not allowed');
    return true;
  }
  if (ctx.isDraining()) {
    fail(res, ctx, 503, ErrorCode.Unavailable, 'gateway is draining');
    return true;
  }
  await entry.route(req, res, url, ctx);
  return true;
}

/** `Authorization: Bearer <JWT>`, or `?ticket=` (EventSource cannot set headers). */
async function authenticate(
  req: IncomingMessage,
  url: URL,
  ctx: SseContext,
  allowTicket: boolean,
): Promise<VerifiedToken | string> {
  try {
    const token = bearerHeader(req);
    if (token) return await ctx.verifyToken(token);
    const ticket = allowTicket ? url.searchParams.get('ticket') : null;
    if (ticket) return await ctx.redeemTicket(ticket);
    return allowTicket
      ? 'no credentials: send Authorization: Bearer <JWT> or ?ticket= from POST /v1/tickets'
      : 'no credentials: send Authorization: Bearer <JWT>';
  } catch (error) {
    if (error instanceof AuthError) return error.message;
    throw error;
  }
}

/** `GET /v1/stream`: the user's stream as Server-Sent Events. */
async function stream(req: IncomingMessage, res: ServerResponse, url: URL, ctx: SseContext) {
  const format = url.searchParams.get('format') ?? 'agentwire';
  if (!STREAM_FORMATS.includes(format as StreamFormat)) {
    fail(
      res,
      ctx,
      400,
      ErrorCode.InvalidField,
      `format: must be one of ${STREAM_FORMATS.join(', ')}`,
      'format',
    );
    return;
  }
  const runId = url.searchParams.get('runId') ?? undefined;
  if (runId !== undefined && (runId.length === 0 || runId.length > 128)) {
    fail(res, ctx, 400, ErrorCode.InvalidField, 'runId: must be 1–128 characters', 'runId');
    return;
  }
  // A continuation — EventSource's Last-Event-ID header when it reconnects, or `?lastEventId=`
  // when a page reopens it itself (a ticket is single-use, so its own retry cannot) — resumes
  // exactly. `?epoch=&after=` is a new consumer starting from a stored position, as on /ws: in
  // AG-UI format it gets the join prelude first.
  let resume: StreamPosition | undefined;
  const header = req.headers['last-event-id'];
  const lastEventId =
    typeof header === 'string' && header !== '' ? header : url.searchParams.get('lastEventId');
  const continuing = lastEventId !== null && lastEventId !== '';
  if (continuing) {
    resume = parseEventId(lastEventId);
    if (!resume) {
      const field = typeof header === 'string' && header !== '' ? 'Last-Event-ID' : 'lastEventId';
      fail(
        res,
        ctx,
        400,
        ErrorCode.InvalidField,
        `${field}: must be <epoch>:<seq> as sent in the id of an event of this stream`,
        field,
      );
      return;
    }
  } else {
    const query = readResumeQuery(url.searchParams);
    if (!query.ok) {
      const { code, message, field } = query.error;
      fail(res, ctx, 400, code, message, field);
      return;
    }
    resume = query.value;
  }
  const verified = await authenticate(req, url, ctx, true);
  if (typeof verified === 'string') {
    fail(res, ctx, 401, ErrorCode.Unauthorized, verified);
    return;
  }
  const socket = new SseSocket(res, {
    format: format as StreamFormat,
    retryMs: ctx.retryMs,
    readHistory: () => ctx.engine.read(verified.userId, 0),
    // One run's stream ends with the run, as an AG-UI agent's response does.
    ...(runId !== undefined && { runId, endWithRun: true }),
    ...(resume !== undefined && { resumeAfter: resume.seq }),
    prelude: !continuing,
  });
  await ctx.connect(socket, verified, resume);
}

/** `POST /v1/ag-ui`: an AG-UI agent endpoint — RunAgentInput in, the run's AG-UI events out. */
async function agUi(req: IncomingMessage, res: ServerResponse, url: URL, ctx: SseContext) {
  const verified = await authenticate(req, url, ctx, false);
  if (typeof verified === 'string') {
    fail(res, ctx, 401, ErrorCode.Unauthorized, verified);
    return;
  }
  const handler = ctx.onAgUiRun;
  if (!handler) {
    fail(res, ctx, 501, ErrorCode.NoHandler, 'this gateway has no AG-UI agent (onAgUiRun)');
    return;
  }
  const body = await readJson(req, res, ctx);
  if (!body) return;
  const checked = validateRunAgentInput(body.value);
  if (!checked.ok) {
    const { code, message, field } = checked.error;
    fail(res, ctx, 400, code, `RunAgentInput: ${message}`, field);
    return;
  }
  const input = checked.value;
  const userId = verified.userId;
  // From the head as it is now: every event of the run, published from here on, is replayed
  // or delivered live to this response, whenever the handler publishes it.
  const head = await ctx.engine.head(userId);
  const socket = new SseSocket(res, {
    format: 'ag-ui',
    retryMs: ctx.retryMs,
    runId: input.runId,
    endWithRun: true,
    readHistory: () => ctx.engine.read(userId, 0),
    resumeAfter: head.seq,
    prelude: false,
  });
  await ctx.connect(socket, verified, head);
  const run = ctx.forUser(userId).run({ runId: input.runId, threadId: input.threadId });
  // AG-UI's abort is the client closing the request: that cancels the run, as a cancel frame does.
  res.on('close', () => {
    if (socket.runEnded || run.signal.aborted) return;
    ctx.cancels
      .request({ userId, runId: input.runId, via: 'ag-ui', reason: 'AG-UI client went away' })
      .catch((error: unknown) => ctx.log.info({ err: error }, 'AG-UI cancel refused'));
  });
  void runAgent(handler, input, { userId, run, signal: run.signal }, ctx.log);
}

async function runAgent(
  handler: AgUiRunHandler,
  input: RunAgentInput,
  context: AgUiRunContext,
  log: Logger,
): Promise<void> {
  const { run } = context;
  try {
    const result = await handler(input, context);
    if (result === undefined) return;
    const decoder = new AgUiDecoder();
    let terminal = false;
    for await (const event of result) {
      for (const decoded of decoder.decode(event)) {
        await run.emit(decoded.type, decoded.data as never);
        if (isTerminalEventType(decoded.type)) terminal = true;
      }
      if (context.signal.aborted) return;
    }
    if (!terminal) await run.completed();
  } catch (error) {
    if (context.signal.aborted) return;
    log.error({ err: error, runId: run.runId }, 'AG-UI run handler failed');
    await run.error('the agent failed', 'handler_failed').catch(() => {});
  }
}
