import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkDecoder, ChunkEncoder } from '@agentwire/ai-sdk';
import { validateEvent } from '@agentwire/protocol';
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { collect, mathStream } from './helpers.js';

async function lastMessage(chunks: UIMessageChunk[]): Promise<UIMessage | undefined> {
  let last: UIMessage | undefined;
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const message of readUIMessageStream({ stream, terminateOnError: true }))
    last = message;
  return last;
}

function roundTrip(chunks: UIMessageChunk[]) {
  const encoder = new ChunkEncoder('math');
  const events = chunks.map((chunk) => encoder.encode(chunk));
  const decoder = new ChunkDecoder();
  return { events, back: events.flatMap((e) => decoder.decode(e)) };
}

describe('UI message chunks ↔ agentwire events', () => {
  it('maps every chunk of a real streamText UI stream to one valid event, and back to the same chunks and UIMessage', async () => {
    const chunks = await collect(mathStream());
    assert.ok(
      chunks.some((c) => c.type === 'tool-input-delta'),
      'the stream has tool input deltas',
    );
    const { events, back } = roundTrip(chunks);
    assert.equal(events.length, chunks.length, 'one event per chunk');
    for (const event of events) {
      const result = validateEvent({ ...event, runId: 'run_1' });
      assert.ok(result.ok, JSON.stringify(result));
    }
    assert.deepEqual(
      events.map((e) => e.type).filter((t) => t !== 'x-ai-sdk'),
      [
        'agent_started',
        'agent_thinking',
        'agent_thinking',
        'tool_executing',
        'tool_completed',
        'agent_message',
        'agent_message',
        'agent_message',
        'agent_completed',
      ],
    );
    assert.deepEqual(back, chunks);
    const original = await lastMessage(chunks);
    assert.deepEqual(await lastMessage(back), original);
    assert.ok(JSON.stringify(original).includes('is 391.'));
  });

  it('keeps errors, aborts and tool errors exactly', () => {
    const chunks = [
      { type: 'start', messageId: 'msg_1', messageMetadata: { model: 'mock' } },
      {
        type: 'tool-input-available',
        toolCallId: 'c',
        toolName: 'search',
        input: { q: 'x' },
        dynamic: true,
      },
      { type: 'tool-output-error', toolCallId: 'c', errorText: 'offline', dynamic: true },
      { type: 'data-weather', data: { city: 'Oslo' } },
      { type: 'error', errorText: '' },
      { type: 'error', errorText: 'rate limited' },
      { type: 'abort', reason: 'user' },
    ] as UIMessageChunk[];
    const { events, back } = roundTrip(chunks);
    assert.deepEqual(back, chunks);
    assert.deepEqual(events[2]?.data.error, 'offline');
    assert.equal(events.at(-1)?.type, 'run_cancelled');
  });

  it('turns a run published without the AI SDK into a UI stream the AI SDK reads (starts and ends added)', async () => {
    const decoder = new ChunkDecoder();
    const chunks = [
      { type: 'agent_started', data: { agent: 'planner' } },
      { type: 'agent_thinking', data: { text: 'hmm' } },
      { type: 'tool_executing', data: { tool: 'calc', callId: 'c1', args: { a: 1 } } },
      { type: 'tool_completed', data: { tool: 'calc', callId: 'c1', result: 2, durationMs: 1 } },
      { type: 'agent_message', data: { messageId: 'm1', delta: 'It is ' } },
      { type: 'agent_message', data: { messageId: 'm1', delta: '2.' } },
      { type: 'agent_completed', data: { durationMs: 9 } },
    ].flatMap((e) => decoder.decode(e));
    const message = await lastMessage(chunks);
    const text = message?.parts.find((p) => p.type === 'text');
    assert.deepEqual({ text: text?.text, state: text?.state }, { text: 'It is 2.', state: 'done' });
    assert.ok(message?.parts.some((p) => p.type === 'tool-calc' && p.state === 'output-available'));
  });
});
