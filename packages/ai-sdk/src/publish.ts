import type { PublishResult } from '@agentwire/protocol';
import type { UIMessageChunk } from 'ai';
import { ChunkEncoder } from './mapping.js';

/** What publishing needs of a run: `RunEmitter` from `gateway.forUser(userId).run()` is one. */
export interface RunPublisher {
  readonly runId: string;
  emit(type: string, data: never, id?: string): Promise<PublishResult>;
  /** Aborts when the run is cancelled (from any tab, on any node). */
  readonly signal?: AbortSignal;
}

export interface PublishOptions {
  /** `agent_started.data.agent`; `ai-sdk` by default. */
  agent?: string;
}

/**
 * Publishes an AI SDK UI message stream (`streamText(...).toUIMessageStream()`, or
 * `createUIMessageStream`) as one agentwire run, one event per chunk, in order; resolves when the
 * stream ended with the number of chunks published. A cancelled run (`run.signal`) stops reading
 * the stream — pass the same signal to `streamText({ abortSignal })` so the model stops too.
 * A stream that fails midway ends the run with `agent_error`.
 */
export async function publishUIMessageStream(
  stream: ReadableStream<UIMessageChunk>,
  run: RunPublisher,
  options: PublishOptions = {},
): Promise<{ chunks: number }> {
  const encoder = new ChunkEncoder(options.agent);
  const reader = stream.getReader();
  const signal = run.signal;
  const stop = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', stop, { once: true });
  let chunks = 0;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<UIMessageChunk>;
      try {
        next = await reader.read();
      } catch (error) {
        if (signal?.aborted) break;
        await run.emit('agent_error', {
          message: error instanceof Error ? error.message : 'the UI message stream failed',
        } as never);
        throw error;
      }
      if (next.done) break;
      // The gateway already ended a cancelled run with run_cancelled in every tab.
      if (signal?.aborted) break;
      const event = encoder.encode(next.value);
      await run.emit(event.type, event.data as never);
      chunks++;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    reader.releaseLock();
  }
  return { chunks };
}
