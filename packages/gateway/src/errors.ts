import { ErrorCode, type ValidationError } from '@agentwire/protocol';
import { ExitCode } from './cli/exit-codes.js';

/**
 * The gateway's error classes, each with the code it is answered with (`error` frames and HTTP
 * error bodies use `ErrorCode`; configuration errors end the command with exit code 2).
 */

/** A credentials failure whose message is safe to show the client (HTTP 401 body). */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code = ErrorCode.Unauthorized;
}

/**
 * An error whose message the gateway sends to the client in the `error` frame, with its code
 * (`handler_failed` unless the upstream webhook names a timeout or an unreachable application).
 */
export class MessageError extends Error {
  override readonly name = 'MessageError';
  constructor(
    message: string,
    readonly code: ErrorCode = ErrorCode.HandlerFailed,
  ) {
    super(message);
  }
}

/** Why an upstream webhook did not verify (for Node applications receiving webhooks). */
export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
  readonly code = ErrorCode.Unauthorized;
}

/** A publish the gateway refused, with the field that was wrong. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  readonly code: ValidationError['code'];
  readonly field: string | undefined;

  constructor(error: ValidationError) {
    super(error.message);
    this.code = error.code;
    this.field = error.field;
  }
}

/** A request body larger than the limit (HTTP 413). */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  readonly code = ErrorCode.TooLarge;
}

/** Configuration errors, each naming the setting and its source; the CLI prints them and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly exitCode = ExitCode.Usage;
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** `ioredis` is an optional peer dependency: only the Redis engine needs it. */
export class MissingPeerError extends Error {
  override readonly name = 'MissingPeerError';
  readonly code = 'AGENTWIRE_ERR_MISSING_PEER';
  readonly exitCode = ExitCode.StartFailed;
  constructor(
    readonly packageName: string,
    neededFor: string,
  ) {
    super(`${neededFor} needs the "${packageName}" package: npm install ${packageName}`);
  }
}

/** The reason of a cancelled run's signal; also what its emitter's later publishes reject with. */
export class RunCancelledError extends Error {
  override readonly name = 'RunCancelledError';
  readonly code = 'run_cancelled' as const;

  constructor(
    readonly runId: string,
    readonly reason?: unknown,
  ) {
    super(
      typeof reason === 'string'
        ? `run ${runId} was cancelled: ${reason}`
        : `run ${runId} was cancelled`,
    );
  }
}

/**
 * The engine could not answer in time (its store is unreachable, stalled or still connecting).
 * The gateway answers 503 `unavailable`; a publish that failed this way may or may not have been
 * appended (a command that timed out can still run), so a caller retries with the same event id.
 */
export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
  readonly code = ErrorCode.Unavailable;
}

/** The client went away (or the request timed out) before its body was complete. */
export class RequestAbortedError extends Error {
  override readonly name = 'RequestAbortedError';
  readonly code = 'aborted';
}

/** This process already holds its maximum of outstanding tickets (memory engine). */
export class TooManyTicketsError extends Error {
  override readonly name = 'TooManyTicketsError';
  readonly code = ErrorCode.Unavailable;
}
