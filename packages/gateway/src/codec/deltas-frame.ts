import type { DeltasFrame } from '@agentwire/protocol';
import { textFrame } from './event-frame.js';

/** One `agent_message` event's fields that a `deltas` frame carries. */
export interface Delta {
  readonly id: string;
  readonly ts: string;
  readonly runId: string;
  readonly threadId: string | undefined;
  readonly messageId: string;
  readonly delta: string;
}

/** Whether two deltas belong to the same message (and so may share a `deltas` frame). */
export function sameMessage(a: Delta, b: Delta): boolean {
  return a.messageId === b.messageId && a.runId === b.runId && a.threadId === b.threadId;
}

/**
 * The whole WebSocket frame of a `deltas` frame (protocol `DeltasFrame`) for deltas of one
 * message with the consecutive seqs `from` … in order.
 */
export function deltasFrame(from: number, deltas: readonly Delta[]): Buffer {
  const first = deltas[0] as Delta;
  const frame: DeltasFrame = {
    type: 'deltas',
    from,
    seq: from + deltas.length - 1,
    runId: first.runId,
    ...(first.threadId !== undefined && { threadId: first.threadId }),
    messageId: first.messageId,
    deltas: deltas.map((d) => d.delta),
    ids: deltas.map((d) => d.id),
    ts: deltas.map((d) => d.ts),
  };
  return textFrame(JSON.stringify(frame));
}
