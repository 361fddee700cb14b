/** WebSocket subprotocol that a v1 client offers and the gateway selects. */
export const SUBPROTOCOL = 'agentwire.v1';
/** Prefix of the `Sec-WebSocket-Protocol` entry that carries a JWT; never echoed by the server. */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

/**
 * Every close code the gateway sends (RFC 6455 codes and the 4xxx application range). 1002, 1007
 * and 1009 come from the WebSocket layer (`ws`) when a client's frame breaks RFC 6455.
 */
export const CloseCode = {
  /** Normal closure. */
  Normal: 1000,
  /** The server is going away; resume on another node. */
  GoingAway: 1001,
  /** The client's frame broke the WebSocket framing rules (e.g. an unmasked or reserved frame). */
  ProtocolError: 1002,
  /** A text frame was not valid UTF-8. */
  InvalidPayload: 1007,
  /** A frame exceeded the configured maximum size. */
  MessageTooBig: 1009,
  /** An unexpected server fault ended the connection; reconnecting resumes it. */
  InternalError: 1011,
  /** The server is restarting; resume elsewhere. */
  ServiceRestart: 1012,
  /** Credentials expired or were revoked: get a new token before reconnecting. */
  CredentialsExpired: 4001,
  /** The client did not read fast enough and its buffer hit the limit. */
  SlowConsumer: 4008,
  /** The user already has the maximum number of connections. */
  TooManyConnections: 4009,
  /** Repeated protocol violations. */
  ProtocolViolation: 4400,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client should not reconnect on its own. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.TooManyConnections,
  CloseCode.ProtocolViolation,
]);

/** Machine-readable error codes, used in `error` frames and HTTP error bodies. */
export const ErrorCode = {
  /** Body or frame is not valid JSON. */
  InvalidJson: 'invalid_json',
  /** A field is missing or has the wrong type or value; `field` names it. */
  InvalidField: 'invalid_field',
  /** Frame `type` is not one the server understands. */
  UnknownType: 'unknown_type',
  /** Body or frame is larger than the configured maximum. */
  TooLarge: 'too_large',
  /** The request body is not sent as `Content-Type: application/json`. */
  UnsupportedMediaType: 'unsupported_media_type',
  /** Missing, malformed, badly signed or expired credentials. */
  Unauthorized: 'unauthorized',
  /** The Origin is not on the allow-list. */
  OriginNotAllowed: 'origin_not_allowed',
  /** A refresh token names a different user than the connection. */
  SubjectMismatch: 'subject_mismatch',
  /** Too many inbound frames in the rate window. */
  RateLimited: 'rate_limited',
  /** No application handler is registered for upstream messages. */
  NoHandler: 'no_handler',
  /** The application's upstream handler rejected or failed the message. */
  HandlerFailed: 'handler_failed',
  /** The application's webhook did not answer within the upstream timeout. */
  UpstreamTimeout: 'upstream_timeout',
  /** The application's webhook could not be reached (connection refused, reset, DNS). */
  UpstreamUnreachable: 'upstream_unreachable',
  /** The route or method does not exist. */
  NotFound: 'not_found',
  /** The method is not allowed on this route. */
  MethodNotAllowed: 'method_not_allowed',
  /**
   * The gateway is draining, or its engine (e.g. Redis) did not answer in time: try again
   * (another node, or shortly). A publish answered so may have been accepted: retry it with the
   * same event id.
   */
  Unavailable: 'unavailable',
  /** Unexpected server fault; details are in the server's log. */
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Why a `resync` frame was sent instead of a replay. */
export const ResyncReason = {
  /** The requested position is older than the history the server still holds. */
  HistoryGap: 'history_gap',
  /** The stream was reset (new epoch): positions from the old epoch mean nothing. */
  EpochChanged: 'epoch_changed',
} as const;
export type ResyncReason = (typeof ResyncReason)[keyof typeof ResyncReason];
