/**
 * Upstream webhooks: the gateway POSTs what users send (`message` frames, run cancels) to the
 * application, signed with HMAC-SHA256 (docs/protocol.md#upstream-webhooks). Defined here once;
 * the gateway signs with these names and the Python SDK's verifier is generated from them.
 */
export const WEBHOOK = {
  /** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; several `v1=` may appear. */
  signatureHeader: 'agentwire-signature',
  /** Which delivery attempt this is, from 1; retries carry the same body and a fresh signature. */
  attemptHeader: 'agentwire-attempt',
  signatureVersion: 'v1',
  /** How far the signature's `t` may be from the verifier's clock, in seconds (replay window). */
  toleranceSeconds: 300,
} as const;

/** Body of a webhook request for a `message` frame. */
export interface WebhookMessagePayload {
  type: 'message';
  /** The frame's id: retries repeat it, so an application can deduplicate by (userId, id). */
  id: string;
  /** The verified user id of the connection (from the JWT's `sub`). */
  userId: string;
  connectionId: string;
  data: unknown;
  /** When the gateway received the frame, RFC 3339. */
  timestamp: string;
}

/** Body of a webhook request for a run cancel (a `cancel` frame, an AG-UI client going away). */
export interface WebhookCancelPayload {
  type: 'cancel';
  /** The id of the run's `run_cancelled` event (`cancel_<runId>`): every cancel of a run shares it. */
  id: string;
  userId: string;
  /** The connection that sent the `cancel` frame, when it was one. */
  connectionId?: string;
  runId: string;
  reason?: string;
  /** Where the cancel came from. */
  via: string;
  timestamp: string;
}

/**
 * What the application answers: any 2xx with a JSON body (its value becomes the ack's `data`) or
 * an empty body (an ack without data). Anything else becomes an `error` frame for that message.
 */
export interface WebhookRefusalBody {
  error: { message: string } | string;
}
