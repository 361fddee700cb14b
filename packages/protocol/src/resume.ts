import { ErrorCode } from './codes.js';
import type { Validated } from './validate.js';

/**
 * Query parameters of the WebSocket upgrade URL (SPEC §4): `ticket` carries a single-use ticket
 * instead of a bearer subprotocol entry; `epoch` and `after` ask to resume a stream position.
 */
export const UpgradeQuery = {
  ticket: 'ticket',
  epoch: 'epoch',
  after: 'after',
} as const;

/**
 * A position in one user's stream: the stream's epoch and the seq of the last event received
 * (0 before the first). `welcome` and `resync` carry one; a reconnect resumes from one.
 */
export interface StreamPosition {
  epoch: string;
  seq: number;
}

export function isStreamPosition(value: unknown): value is StreamPosition {
  const p = value as StreamPosition | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.epoch === 'string' &&
    p.epoch.length > 0 &&
    Number.isSafeInteger(p.seq) &&
    p.seq >= 0
  );
}

/** Writes `epoch` and `after` into an upgrade URL's query. */
export function writeResumeQuery(query: URLSearchParams, position: StreamPosition): void {
  query.set(UpgradeQuery.epoch, position.epoch);
  query.set(UpgradeQuery.after, String(position.seq));
}

function invalid(field: string, message: string): Validated<never> {
  return { ok: false, error: { code: ErrorCode.InvalidField, field, message } };
}

/**
 * Reads the position an upgrade asks to resume from: `undefined` when it asks for none, an
 * `invalid_field` error naming the parameter when the pair is incomplete or malformed.
 */
export function readResumeQuery(query: URLSearchParams): Validated<StreamPosition | undefined> {
  const epoch = query.get(UpgradeQuery.epoch);
  const after = query.get(UpgradeQuery.after);
  if (epoch === null && after === null) return { ok: true, value: undefined };
  if (!epoch) return invalid(UpgradeQuery.epoch, 'resume needs both epoch and after');
  if (after === null) return invalid(UpgradeQuery.after, 'resume needs both epoch and after');
  if (!/^\d{1,15}$/.test(after)) {
    return invalid(UpgradeQuery.after, 'after: must be a non-negative integer');
  }
  return { ok: true, value: { epoch, seq: Number(after) } };
}
