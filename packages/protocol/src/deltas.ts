import type { AgentEvent, SequencedEvent } from './events.js';
import type { DeltasFrame } from './frames.js';

/** The `agent_message` events a `deltas` frame stands for, with their seqs, in order. */
export function expandDeltas(frame: DeltasFrame): SequencedEvent[] {
  const out: SequencedEvent[] = [];
  for (let i = 0; i < frame.deltas.length; i++) {
    const event: AgentEvent<'agent_message'> = {
      id: frame.ids[i] as string,
      type: 'agent_message',
      runId: frame.runId,
      ...(frame.threadId !== undefined && { threadId: frame.threadId }),
      ts: frame.ts[i] as string,
      data: { messageId: frame.messageId, delta: frame.deltas[i] as string },
    };
    out.push({ seq: frame.from + i, event: event as AgentEvent });
  }
  return out;
}
