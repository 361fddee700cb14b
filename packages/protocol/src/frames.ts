import { type Static, Type } from '@sinclair/typebox';
import type { ErrorCode, ResyncReason } from './codes.js';
import type { AgentEvent } from './events.js';

/** Server → client frames (SPEC §4). `welcome` is always the first frame on a connection. */
export interface WelcomeFrame {
  type: 'welcome';
  connectionId: string;
  userId: string;
  epoch: string;
  /** The user's current head: the seq of the newest event, 0 when none yet. */
  seq: number;
  resumed: boolean;
}
export interface EventFrame {
  type: 'event';
  seq: number;
  event: AgentEvent;
}
/**
 * Several `agent_message` events of one message, in consecutive seqs, in one frame (token
 * coalescing): the gateway may send it instead of the `event` frames `from` … `seq`. Entry `i` of
 * `deltas`, `ids` and `ts` is the event with seq `from + i`; every seq of the range is one of
 * them, and nothing else lies between them. `expandDeltas` gives the events back, exactly.
 */
export interface DeltasFrame {
  type: 'deltas';
  /** The first seq the frame covers; `seq` is the last. */
  from: number;
  seq: number;
  runId: string;
  threadId?: string;
  messageId: string;
  /** The deltas, in seq order. */
  deltas: string[];
  /** Each delta's event id and time, in seq order. */
  ids: string[];
  ts: string[];
}
export interface ResyncFrame {
  type: 'resync';
  epoch: string;
  seq: number;
  reason: ResyncReason;
}
export interface PongFrame {
  type: 'pong';
  id?: string;
}
export interface AckFrame {
  type: 'ack';
  id: string;
  data?: unknown;
}
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  id?: string;
  /** The offending field path, when the error is about one field. */
  field?: string;
}
export type ServerFrame =
  | WelcomeFrame
  | EventFrame
  | DeltasFrame
  | ResyncFrame
  | PongFrame
  | AckFrame
  | ErrorFrame;

const FrameId = Type.String({ minLength: 1, maxLength: 128 });

/** Client → server frame schemas, keyed by `type`. */
export const ClientFrameSchemas = {
  ping: Type.Object({ type: Type.Literal('ping'), id: Type.Optional(FrameId) }),
  refresh: Type.Object({
    type: Type.Literal('refresh'),
    token: Type.String({ minLength: 1, maxLength: 16384 }),
    id: Type.Optional(FrameId),
  }),
  message: Type.Object({ type: Type.Literal('message'), id: FrameId, data: Type.Unknown() }),
};

export type PingFrame = Static<typeof ClientFrameSchemas.ping>;
export type RefreshFrame = Static<typeof ClientFrameSchemas.refresh>;
export type MessageFrame = Static<typeof ClientFrameSchemas.message>;
export type ClientFrame = PingFrame | RefreshFrame | MessageFrame;
export type ClientFrameType = ClientFrame['type'];

/** HTTP API bodies (SPEC §5). */
export interface PublishRequest {
  userId: string;
  event: unknown;
}
export interface PublishResult {
  seq: number;
  /** The stream's epoch `seq` belongs to: a seq means nothing without it (see `resync`). */
  epoch: string;
  id: string;
}
export interface BatchPublishRequest {
  batch: PublishRequest[];
}
export type BatchPublishItemResult = PublishResult | { error: HttpErrorBody['error'] };
export interface BatchPublishResponse {
  results: BatchPublishItemResult[];
}
export interface TicketResponse {
  ticket: string;
  expiresAt: string;
}
export interface HttpErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}
