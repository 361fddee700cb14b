import type { EventInput } from '@agentwire/protocol';
import type { UIMessageChunk } from 'ai';

/**
 * The one mapping between AI SDK UI message chunks and agentwire events (docs/ai-sdk.md shows it
 * as a table). Every chunk is exactly one event, so nothing is lost and the order is the stream's:
 * chunks with an agentwire counterpart become that built-in event (so RunTracker, AG-UI and any
 * agentwire client see an ordinary run), with the chunk's remaining fields under `data.ui`; all
 * others travel whole as `x-ai-sdk` events. `toChunks` turns the events back into the same chunks.
 */

/** The custom event type that carries a chunk with no built-in agentwire counterpart. */
export const AI_SDK_EVENT = 'x-ai-sdk';

/** One row per chunk type that has a built-in counterpart; every other chunk is AI_SDK_EVENT. */
export const AI_SDK_MAPPING: readonly { chunk: string; event: string }[] = [
  { chunk: 'start {messageId, messageMetadata}', event: 'agent_started {agent, ui}' },
  { chunk: 'text-delta {id, delta}', event: 'agent_message {messageId: id, delta, ui}' },
  {
    chunk: 'reasoning-delta {id, delta}',
    event: 'agent_thinking {text: delta, messageId: id, ui}',
  },
  {
    chunk: 'tool-input-available {toolCallId, toolName, input}',
    event: 'tool_executing {tool: toolName, callId: toolCallId, args: input, ui}',
  },
  {
    chunk: 'tool-output-available {toolCallId, output}',
    event: 'tool_completed {tool, callId, result: output, durationMs, ui}',
  },
  {
    chunk: 'tool-output-error {toolCallId, errorText}',
    event: 'tool_completed {tool, callId, error: errorText, durationMs, ui}',
  },
  { chunk: 'finish {finishReason, messageMetadata}', event: 'agent_completed {durationMs, ui}' },
  { chunk: 'error {errorText}', event: 'agent_error {message: errorText, ui}' },
  { chunk: 'abort {reason}', event: 'run_cancelled {reason}' },
  { chunk: 'any other chunk', event: `${AI_SDK_EVENT} {chunk}` },
];

type Chunk = UIMessageChunk;
type Fields = Record<string, unknown>;
/** An event without runId (the run's emitter stamps it). */
export type ChunkEvent = Pick<EventInput, 'type' | 'data'> & { data: Fields };

function rest(chunk: Fields, taken: readonly string[]): Fields | undefined {
  let out: Fields | undefined;
  for (const key in chunk) {
    if (key === 'type' || taken.includes(key) || chunk[key] === undefined) continue;
    out ??= {};
    out[key] = chunk[key];
  }
  return out;
}

function withUi(data: Fields, ui: Fields | undefined): Fields {
  if (ui) data.ui = ui;
  return data;
}

/**
 * UI message chunks → agentwire events, for one run. Stateful: it remembers each tool call's
 * name and start time, which `tool_completed` needs and the output chunk does not carry.
 */
export class ChunkEncoder {
  private readonly tools = new Map<string, { name: string; startedAt: number }>();
  private readonly startedAt = Date.now();

  constructor(private readonly agent = 'ai-sdk') {}

  encode(input: Chunk): ChunkEvent {
    const chunk = input as unknown as Fields & { type: string };
    switch (chunk.type) {
      case 'start':
        return {
          type: 'agent_started',
          data: withUi({ agent: this.agent }, rest(chunk, [])),
        };
      case 'text-delta':
        return {
          type: 'agent_message',
          data: withUi({ messageId: chunk.id, delta: chunk.delta }, rest(chunk, ['id', 'delta'])),
        };
      case 'reasoning-delta':
        return {
          type: 'agent_thinking',
          data: withUi({ text: chunk.delta, messageId: chunk.id }, rest(chunk, ['id', 'delta'])),
        };
      case 'tool-input-available': {
        const callId = String(chunk.toolCallId);
        this.tools.set(callId, { name: String(chunk.toolName), startedAt: Date.now() });
        const data: Fields = { tool: chunk.toolName, callId };
        if (chunk.input !== undefined) data.args = chunk.input;
        return {
          type: 'tool_executing',
          data: withUi(data, rest(chunk, ['toolCallId', 'toolName', 'input'])),
        };
      }
      case 'tool-output-available':
      case 'tool-output-error': {
        const callId = String(chunk.toolCallId);
        const tool = this.tools.get(callId);
        const error = chunk.type === 'tool-output-error';
        const data: Fields = {
          tool: tool?.name ?? 'tool',
          callId,
          durationMs: tool ? Date.now() - tool.startedAt : 0,
          ...(error ? { error: chunk.errorText } : { result: chunk.output ?? null }),
        };
        const ui = rest(chunk, ['toolCallId', error ? 'errorText' : 'output']);
        // Which of the two chunk types it was, when the result alone cannot tell.
        return { type: 'tool_completed', data: withUi(data, ui) };
      }
      case 'finish':
        return {
          type: 'agent_completed',
          data: withUi({ durationMs: Date.now() - this.startedAt }, rest(chunk, [])),
        };
      case 'error': {
        const text = String(chunk.errorText ?? '');
        // agent_error needs a message; an empty errorText is kept exactly under ui.
        return {
          type: 'agent_error',
          data: withUi({ message: text || 'error' }, text ? undefined : { errorText: text }),
        };
      }
      case 'abort':
        return {
          type: 'run_cancelled',
          data: typeof chunk.reason === 'string' ? { reason: chunk.reason } : {},
        };
      default:
        return { type: AI_SDK_EVENT, data: { chunk } };
    }
  }
}

/**
 * agentwire events of one run → UI message chunks. An AI SDK run comes back chunk for chunk. A
 * run published any other way (RunEmitter, HTTP) gets the chunks the UI stream requires around
 * it: `text-start`/`reasoning-start` before a part's first delta, their ends before `finish`
 * (an `error` or `abort` leaves parts open, as the AI SDK's own stream does).
 */
export class ChunkDecoder {
  private readonly open = new Map<string, 'text' | 'reasoning'>();

  decode(event: { type: string; data?: unknown }): Chunk[] {
    const data = (event.data ?? {}) as Fields;
    const ui = (data.ui ?? {}) as Fields;
    const out: Fields[] = [];
    switch (event.type) {
      case AI_SDK_EVENT: {
        const chunk = data.chunk as Fields & { type: string; id?: string };
        if (chunk.type === 'text-start' || chunk.type === 'reasoning-start') {
          this.open.set(String(chunk.id), chunk.type === 'text-start' ? 'text' : 'reasoning');
        } else if (chunk.type === 'text-end' || chunk.type === 'reasoning-end') {
          this.open.delete(String(chunk.id));
        }
        out.push(chunk);
        break;
      }
      case 'agent_started':
        out.push({ type: 'start', ...ui });
        break;
      case 'agent_message':
        this.ensureOpen(String(data.messageId), 'text', out);
        out.push({ type: 'text-delta', id: data.messageId, delta: data.delta, ...ui });
        break;
      case 'agent_thinking':
        this.ensureOpen(String(data.messageId ?? 'reasoning'), 'reasoning', out);
        out.push({
          type: 'reasoning-delta',
          id: data.messageId ?? 'reasoning',
          delta: data.text,
          ...ui,
        });
        break;
      case 'tool_executing':
        out.push({
          type: 'tool-input-available',
          toolCallId: data.callId,
          toolName: data.tool,
          input: data.args,
          ...ui,
        });
        break;
      case 'tool_completed':
        out.push(
          data.error !== undefined
            ? {
                type: 'tool-output-error',
                toolCallId: data.callId,
                errorText: String(data.error),
                ...ui,
              }
            : {
                type: 'tool-output-available',
                toolCallId: data.callId,
                output: data.result,
                ...ui,
              },
        );
        break;
      case 'agent_completed':
        this.closeAll(out);
        out.push({ type: 'finish', ...ui });
        break;
      case 'agent_error':
        out.push({ type: 'error', errorText: data.message, ...ui });
        break;
      case 'run_cancelled':
        out.push(
          data.reason === undefined ? { type: 'abort' } : { type: 'abort', reason: data.reason },
        );
        break;
      default:
        break; // other custom events are not part of a UI message
    }
    return out as unknown as Chunk[];
  }

  private ensureOpen(id: string, kind: 'text' | 'reasoning', out: Fields[]): void {
    if (this.open.has(id)) return;
    this.open.set(id, kind);
    out.push({ type: `${kind}-start`, id });
  }

  private closeAll(out: Fields[]): void {
    for (const [id, kind] of this.open) out.push({ type: `${kind}-end`, id });
    this.open.clear();
  }
}
