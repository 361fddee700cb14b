import type { ErrorCode } from '@agentwire/protocol';

/** Codes of errors the client itself raises, next to the gateway's `ErrorCode`s. */
export const ClientErrorCode = {
  /** The message could not be sent: the offline queue is full. */
  QueueFull: 'queue_full',
  /** No ack or error arrived in time. */
  Timeout: 'timeout',
  /** The connection closed before the message was answered; it may or may not have been handled. */
  ConnectionLost: 'connection_lost',
  /** The client was closed (by `close()` or a final close code). */
  Closed: 'closed',
  /** The gateway refused the credentials again after a fresh token: the client stopped. */
  AuthFailed: 'auth_failed',
  /** The token or ticket provider threw. */
  CredentialsUnavailable: 'credentials_unavailable',
  /** The gateway closed with a code after which the client must not reconnect (4009, 4400). */
  FinalClose: 'final_close',
  /** A proactive token refresh was refused; the gateway will close with 4001 at `exp`. */
  RefreshFailed: 'refresh_failed',
  /** An error frame that answered nothing the client sent. */
  Server: 'server_error',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Every error the client reports or rejects with. `code` is a gateway or a client code. */
export class AgentwireError extends Error {
  override readonly name = 'AgentwireError';
  constructor(
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    /** The close code, for errors caused by a close. */
    readonly closeCode?: number,
  ) {
    super(message);
  }
}
