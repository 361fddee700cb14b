import {
  cancelEventId,
  ErrorCode,
  WEBHOOK,
  type WebhookCancelPayload,
  type WebhookMessagePayload,
} from '@agentwire/protocol';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { MessageError } from '../errors.js';
import type { MessageHandler, UpstreamMessage } from '../options.js';
import { MIN_WEBHOOK_SECRET_BYTES, signWebhook } from './signature.js';

/** Where users' upstream messages go when no in-process handler takes them. */
export interface WebhookOptions {
  /** The application's endpoint (http or https). */
  url: string;
  /** HMAC-SHA256 key, at least 32 bytes; from the environment or a file, never a flag. */
  secret: string;
  /** Per attempt, for the answer's headers and body. Default 10 s. */
  timeoutMs?: number;
  /** Further attempts after an unreachable endpoint or a 429/502/503/504. Default 2. */
  retries?: number;
  /** Largest answer body; it becomes the ack's data. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Deliveries waiting on the application at once, per process; more are refused. Default 1000. */
  maxInFlight?: number;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_WEBHOOK_RETRIES = 2;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
const DEFAULT_MAX_IN_FLIGHT = 1000;
/** Answers that say "try again": the request did not take effect. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2000;
/**
 * The id of a run's `run_cancelled` event, shared by every cancel of the run (the Python SDK's
 * `cancelled()` uses the same).
 */

/** How much of an application's refusal message reaches the user. */
const MAX_REFUSAL_CHARS = 300;

type Kind = 'message' | 'cancel';

/** A run cancel as the gateway's cancel handler receives it. */
export interface UpstreamCancel {
  userId: string;
  runId: string;
  reason?: string;
  via: string;
  connectionId?: string;
}
type Failure = 'refused' | 'timeout' | 'unreachable' | 'invalid_response' | 'overloaded';

/**
 * Delivers upstream messages to the application over signed webhooks: one POST per `message`
 * frame, from the node that holds the connection, signed over `<t>.<body>` with HMAC-SHA256.
 * Its `onMessage` is the gateway's message handler: it resolves with the ack's data or throws a
 * MessageError whose code and message the user's `error` frame carries.
 */
export class WebhookUpstream {
  private readonly url: URL;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxResponseBytes: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private readonly calls: Counter<'kind'>;
  private readonly failures: Counter<'kind' | 'reason'>;
  private readonly retried: Counter<'kind'>;
  private readonly duration: Histogram<'kind'>;

  constructor(
    private readonly options: WebhookOptions,
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new TypeError('upstream url: must be http:// or https://');
    }
    if (Buffer.byteLength(options.secret) < MIN_WEBHOOK_SECRET_BYTES) {
      throw new TypeError(`upstream secret: must be at least ${MIN_WEBHOOK_SECRET_BYTES} bytes`);
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.retries = options.retries ?? DEFAULT_WEBHOOK_RETRIES;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    const registers = [registry];
    this.calls = new Counter({
      name: 'agentwire_upstream_calls_total',
      help: 'Upstream webhook deliveries (one per message, retries included)',
      labelNames: ['kind'],
      registers,
    });
    this.failures = new Counter({
      name: 'agentwire_upstream_failures_total',
      help: 'Upstream webhook deliveries that ended in an error frame, by reason',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.retried = new Counter({
      name: 'agentwire_upstream_retries_total',
      help: 'Repeated upstream webhook attempts (after unreachable or 429/502/503/504)',
      labelNames: ['kind'],
      registers,
    });
    this.duration = new Histogram({
      name: 'agentwire_upstream_duration_seconds',
      help: 'Time from a message frame to the application answer, retries included',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  readonly onMessage: MessageHandler = (message: UpstreamMessage) => {
    const payload: WebhookMessagePayload = {
      type: 'message',
      id: message.id,
      userId: message.userId,
      connectionId: message.connectionId,
      data: message.data,
      timestamp: new Date().toISOString(),
    };
    return this.deliver('message', payload, message);
  };

  /** Forwards a run cancel; resolves with the ack's data, throws MessageError to refuse it. */
  readonly onCancel = (cancel: UpstreamCancel): Promise<unknown> => {
    const payload: WebhookCancelPayload = {
      type: 'cancel',
      id: cancelEventId(cancel.runId),
      userId: cancel.userId,
      ...(cancel.connectionId !== undefined && { connectionId: cancel.connectionId }),
      runId: cancel.runId,
      ...(cancel.reason !== undefined && { reason: cancel.reason }),
      via: cancel.via,
      timestamp: new Date().toISOString(),
    };
    return this.deliver('cancel', payload, payload);
  };

  private async deliver(
    kind: Kind,
    payload: object,
    about: { id: string; connectionId?: string | undefined },
  ): Promise<unknown> {
    const body = JSON.stringify(payload);
    const started = performance.now();
    this.calls.inc({ kind });
    try {
      // A slow application must not pile up requests without bound: past the cap, refuse at once.
      if (this.inFlight >= this.maxInFlight) {
        throw new UpstreamFailure(
          'overloaded',
          ErrorCode.Unavailable,
          `${this.inFlight} messages are already waiting on the application; try again later`,
        );
      }
      this.inFlight++;
      try {
        return await this.attempts(kind, body);
      } finally {
        this.inFlight--;
      }
    } catch (error) {
      if (error instanceof UpstreamFailure) {
        this.failures.inc({ kind, reason: error.reason });
        this.log.warn(
          { connectionId: about.connectionId, id: about.id, reason: error.reason },
          `upstream ${kind} failed: ${error.message}`,
        );
        throw new MessageError(error.message, error.code);
      }
      throw error;
    } finally {
      this.duration.observe({ kind }, (performance.now() - started) / 1000);
    }
  }

  /**
   * Attempts until one answers, the retries are used up, or the message has waited the timeout
   * in total (so a user waits at most about twice the timeout, well inside a client's own).
   */
  private async attempts(kind: Kind, body: string): Promise<unknown> {
    const deadline = performance.now() + this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(kind, body, attempt);
      if (!('retry' in outcome)) return outcome.data;
      const wait = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
      if (attempt > this.retries || performance.now() + wait >= deadline) throw outcome.retry;
      this.retried.inc({ kind });
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** One POST: the ack's data, a failure worth retrying, or (thrown) a final failure. */
  private async attempt(
    kind: Kind,
    body: string,
    attempt: number,
  ): Promise<{ data: unknown } | { retry: UpstreamFailure }> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let status: number;
    let text: string;
    let location: string | null = null;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'agentwire-gateway',
          [WEBHOOK.signatureHeader]: signWebhook(
            this.options.secret,
            body,
            Math.floor(Date.now() / 1000),
          ),
          [WEBHOOK.attemptHeader]: String(attempt),
        },
      });
      status = response.status;
      location = response.headers.get('location');
      text = await readLimited(response, this.maxResponseBytes);
    } catch (error) {
      if (error instanceof UpstreamFailure) throw error;
      if (signal.aborted) {
        // Not retried: the application may still be working on it, and the user already waited.
        throw new UpstreamFailure(
          'timeout',
          ErrorCode.UpstreamTimeout,
          `the application did not answer within ${this.timeoutMs} ms`,
        );
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return {
        retry: new UpstreamFailure(
          'unreachable',
          ErrorCode.UpstreamUnreachable,
          `the application is unreachable (${cause?.code ?? cause?.message ?? (error as Error).message})`,
        ),
      };
    }
    if (status >= 200 && status < 300) {
      if (text.trim() === '') return { data: undefined };
      try {
        return { data: JSON.parse(text) as unknown };
      } catch {
        throw new UpstreamFailure(
          'invalid_response',
          ErrorCode.HandlerFailed,
          `the application answered ${status} with a body that is not JSON`,
        );
      }
    }
    if (status >= 300 && status < 400) {
      // Not followed: a signed POST goes only where it was configured to. The target is for the
      // operator's log, not the user (it may name internal hosts); a framework redirecting
      // /hooks to /hooks/ is the usual cause.
      this.log.warn(
        { status, location },
        'upstream webhook redirected; set the upstream URL to the redirect target',
      );
      throw new UpstreamFailure(
        'refused',
        ErrorCode.HandlerFailed,
        `the application redirected the webhook (HTTP ${status}); redirects are not followed`,
      );
    }
    const refusal = new UpstreamFailure(
      'refused',
      ErrorCode.HandlerFailed,
      `the application refused the ${kind} (HTTP ${status})${refusalMessage(text)}`,
    );
    if (RETRYABLE_STATUSES.has(status)) return { retry: refusal };
    throw refusal;
  }
}

class UpstreamFailure extends Error {
  constructor(
    readonly reason: Failure,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The body as text, refusing one larger than `max` bytes. */
async function readLimited(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new UpstreamFailure(
        'invalid_response',
        ErrorCode.HandlerFailed,
        `the application's answer exceeds ${max} bytes`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `: <message>` from `{"error":{"message"}}`, `{"error":"…"}`, `{"message"}` or plain text. */
function refusalMessage(text: string): string {
  let message: unknown = text.trim();
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    const error = body?.error;
    message =
      typeof error === 'string'
        ? error
        : ((error as { message?: unknown } | undefined)?.message ?? body?.message);
  } catch {}
  if (typeof message !== 'string' || message === '') return '';
  return `: ${clip(message)}`;
}

/** Text from the application as it may reach a user: one line, at most 300 characters. */
function clip(text: string): string {
  // Control characters (newlines of a stack trace, escapes) do not belong in the user's error.
  const clean = text.replace(/\p{Cc}+/gu, ' ');
  return clean.length > MAX_REFUSAL_CHARS ? `${clean.slice(0, MAX_REFUSAL_CHARS)}…` : clean;
}
