import {
  AbstractChat,
  type ChatInit,
  type ChatState,
  jsonSchema,
  simulateReadableStream,
  stepCountIs,
  streamText,
  tool,
  type UIMessage,
  type UIMessageChunk,
} from 'ai';
import { MockLanguageModelV4 } from 'ai/test';

const usage = {
  inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

/** `ai/test`'s mock model, in two steps: reasoning and a tool call, then the streamed answer. */
export function mathModel(words = ['17 × 23 ', 'is ', '391.'], chunkDelayInMs = 0) {
  const step = (chunks: unknown[]) => ({
    stream: simulateReadableStream({ chunks, chunkDelayInMs }) as never,
  });
  return new MockLanguageModelV4({
    doStream: [
      step([
        { type: 'stream-start', warnings: [] },
        { type: 'reasoning-start', id: 'r1' },
        { type: 'reasoning-delta', id: 'r1', delta: 'Multiply ' },
        { type: 'reasoning-delta', id: 'r1', delta: 'the two.' },
        { type: 'reasoning-end', id: 'r1' },
        { type: 'tool-input-start', id: 'call_1', toolName: 'calc' },
        { type: 'tool-input-delta', id: 'call_1', delta: '{"expr":' },
        { type: 'tool-input-delta', id: 'call_1', delta: '"17*23"}' },
        { type: 'tool-input-end', id: 'call_1' },
        { type: 'tool-call', toolCallId: 'call_1', toolName: 'calc', input: '{"expr":"17*23"}' },
        { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage },
      ]),
      step([
        { type: 'stream-start', warnings: [] },
        { type: 'text-start', id: 't1' },
        ...words.map((delta) => ({ type: 'text-delta', id: 't1', delta })),
        { type: 'text-end', id: 't1' },
        { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
      ]),
    ],
  });
}

/** The real `streamText` with a tool, over the mock model: its UI message stream. */
export function mathStream(
  options: { words?: string[]; delayMs?: number; abortSignal?: AbortSignal } = {},
): ReadableStream<UIMessageChunk> {
  const result = streamText({
    model: mathModel(options.words, options.delayMs),
    prompt: 'What is 17 * 23?',
    stopWhen: stepCountIs(2),
    ...(options.abortSignal && { abortSignal: options.abortSignal }),
    tools: {
      calc: tool({
        inputSchema: jsonSchema<{ expr: string }>({
          type: 'object',
          properties: { expr: { type: 'string' } },
          required: ['expr'],
        }),
        execute: async () => ({ value: 391 }),
      }),
    },
  });
  return result.toUIMessageStream({ sendReasoning: true });
}

export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream as unknown as AsyncIterable<T>) out.push(item);
  return out;
}

/** A ChatState in plain objects, as the framework bindings (React, Vue…) keep theirs. */
class PlainChatState implements ChatState<UIMessage> {
  status: ChatState<UIMessage>['status'] = 'ready';
  error: Error | undefined;
  messages: UIMessage[] = [];
  pushMessage = (message: UIMessage) => {
    this.messages = [...this.messages, message];
  };
  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
  };
  replaceMessage = (index: number, message: UIMessage) => {
    this.messages = this.messages.map((m, i) => (i === index ? message : m));
  };
  snapshot = <T>(thing: T): T => structuredClone(thing);
}

/** The AI SDK's own Chat (what useChat runs), without a UI framework. */
export class TestChat extends AbstractChat<UIMessage> {
  constructor(init: Omit<ChatInit<UIMessage>, 'messages'>) {
    super({ ...init, state: new PlainChatState() });
  }
}
