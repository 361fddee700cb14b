import type { AgentEvent } from '@agentwire/protocol';
import { type Delta, deltasFrame, sameMessage } from '../codec/deltas-frame.js';
import { frameOf } from '../codec/event-frame.js';
import type { StoredEvent } from '../engine/engine.js';

/**
 * Token coalescing: consecutive `agent_message` events of one message become one `deltas` frame
 * (docs/protocol.md). Everything else keeps its own `event` frame, and nothing is reordered: a
 * frame covers consecutive seqs only.
 */

/** The event's JSON as the publisher writes it has `type` right after `id`. */
const AGENT_MESSAGE_TYPE = ',"type":"agent_message",';

/**
 * The delta an event carries when it is an `agent_message`; undefined for any other event. An
 * in-process engine hands back the publisher's fields (`StoredEvent.delta`); otherwise the JSON
 * of an event that may be one is parsed.
 */
export function deltaOf(event: StoredEvent): Delta | undefined {
  if (event.delta !== undefined) return event.delta;
  const json = event.json;
  if (!json.includes(AGENT_MESSAGE_TYPE)) return undefined;
  const parsed = JSON.parse(json) as AgentEvent;
  if (parsed.type !== 'agent_message' || parsed.runId === undefined) return undefined;
  const data = parsed.data as { messageId?: unknown; delta?: unknown };
  if (typeof data.messageId !== 'string' || typeof data.delta !== 'string') return undefined;
  return {
    id: parsed.id,
    ts: parsed.ts,
    runId: parsed.runId,
    threadId: parsed.threadId,
    messageId: data.messageId,
    delta: data.delta,
  };
}

/** A `deltas` frame takes no more deltas once it carries this many characters. */
const MAX_DELTAS_FRAME_CHARS = 32 * 1024;

/** A frame to write, the seqs it covers, and the event whose memory it is a view of. */
export interface PlannedFrame {
  readonly frame: Buffer;
  /** The event to retain while a socket holds the frame (history's memory), if any. */
  readonly held: StoredEvent | undefined;
  readonly first: number;
  readonly last: number;
}

/**
 * The frames for `events[start…]` (consecutive seqs, with `deltas[i]` = `deltaOf(events[i])`):
 * each run of two or more deltas of one message as one `deltas` frame, every other event as its
 * own `event` frame.
 */
export function planFrames(
  events: readonly StoredEvent[],
  deltas: readonly (Delta | undefined)[],
  start = 0,
): PlannedFrame[] {
  const out: PlannedFrame[] = [];
  let i = start;
  while (i < events.length) {
    const event = events[i] as StoredEvent;
    const delta = deltas[i];
    let end = i + 1;
    if (delta) {
      let size = delta.delta.length;
      while (end < events.length && size < MAX_DELTAS_FRAME_CHARS) {
        const next = deltas[end];
        if (!next || !sameMessage(delta, next)) break;
        size += next.delta.length + next.id.length + next.ts.length;
        end++;
      }
    }
    if (end - i === 1) {
      out.push({ frame: frameOf(event), held: event, first: event.seq, last: event.seq });
    } else {
      const run = deltas.slice(i, end) as Delta[];
      out.push({
        frame: deltasFrame(event.seq, run),
        held: undefined,
        first: event.seq,
        last: (events[end - 1] as StoredEvent).seq,
      });
    }
    i = end;
  }
  return out;
}
