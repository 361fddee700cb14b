import { CloseCode, FINAL_CLOSE_CODES } from '@agentwire/protocol';
import { Backoff, type BackoffOptions } from './backoff.js';
import { AgentwireError, ClientErrorCode } from './errors.js';

export interface ReconnectOptions extends BackoffOptions {
  /** A connection open this long resets the backoff and the credential-failure count. */
  stableAfterMs: number;
  /**
   * After close 1012 (the node is restarting or draining: resume elsewhere now) the next attempt
   * comes after a random delay in `[0, restartJitterMs)` instead of the backoff, so the clients of
   * a draining node spread over the other nodes at once without a herd.
   */
  restartJitterMs: number;
}

const DEFAULT_STABLE_AFTER_MS = 5_000;
const DEFAULT_RESTART_JITTER_MS = 1_000;

/** How a socket ended, as the client saw it. */
export interface SocketEnd {
  code: number;
  reason: string;
  /** The HTTP status of a refused upgrade, where the runtime shows it (Node; not browsers). */
  httpStatus: number | undefined;
  /** Whether the socket had received `welcome`. */
  welcomed: boolean;
}

/** What to do after a socket ended: stop with an error, or retry (with fresh credentials or not). */
export type ReconnectDecision =
  | { retry: false; error: AgentwireError }
  | { retry: true; delayMs: number; freshCredentials: boolean };

/** A refused upgrade that retrying cannot fix (403 origin, 404 path, 400 request); 401, 408 and 429 can be retried. */
function isFinalHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/**
 * The close-code policy and the pace of reconnects: which ends are final, when credentials must
 * be fetched again (and when a second rejection means "sign in again"), and the backoff.
 */
export class ReconnectPolicy {
  private readonly backoff: Backoff;
  private authFailures = 0;
  /** A 1012 already got the quick path since the last stable connection. */
  private restartTaken = false;
  readonly stableAfterMs: number;
  private readonly restartJitterMs: number;

  constructor(
    options: Partial<ReconnectOptions> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.backoff = new Backoff(options, random);
    this.stableAfterMs = options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS;
    this.restartJitterMs = options.restartJitterMs ?? DEFAULT_RESTART_JITTER_MS;
  }

  /** A fresh start (`connect()`) or a connection that stayed up `stableAfterMs`. */
  reset(): void {
    this.backoff.reset();
    this.authFailures = 0;
    this.restartTaken = false;
  }

  /** The delay before the next attempt after the client dropped a socket itself. */
  nextDelay(): number {
    return this.backoff.next();
  }

  afterEnd(end: SocketEnd): ReconnectDecision {
    const { code, reason, httpStatus } = end;
    if (FINAL_CLOSE_CODES.has(code)) {
      return this.stop(
        ClientErrorCode.FinalClose,
        `the gateway closed the connection with ${code}${reason ? ` (${reason})` : ''}; not reconnecting`,
        code,
      );
    }
    if (httpStatus !== undefined && isFinalHttpStatus(httpStatus)) {
      return this.stop(
        ClientErrorCode.FinalClose,
        `the gateway refused the connection with HTTP ${httpStatus}; not reconnecting`,
      );
    }
    if (code === CloseCode.CredentialsExpired || httpStatus === 401) {
      this.authFailures++;
      if (this.authFailures >= 2) {
        return this.stop(
          ClientErrorCode.AuthFailed,
          'the gateway rejected the credentials again after a fresh token; sign in again',
          code,
        );
      }
      return { retry: true, delayMs: this.backoff.next(), freshCredentials: true };
    }
    if (code === CloseCode.ServiceRestart && end.welcomed && !this.restartTaken) {
      // Once per stable connection: a gateway that keeps closing with 1012 gets the backoff.
      this.restartTaken = true;
      return {
        retry: true,
        delayMs: this.random() * this.restartJitterMs,
        freshCredentials: false,
      };
    }
    // A browser cannot tell a refused upgrade (401) from a network error: ask for fresh
    // credentials next time, and let the backoff keep the pace slow.
    return { retry: true, delayMs: this.backoff.next(), freshCredentials: !end.welcomed };
  }

  private stop(code: ClientErrorCode, message: string, closeCode?: number): ReconnectDecision {
    return { retry: false, error: new AgentwireError(code, message, closeCode) };
  }
}
