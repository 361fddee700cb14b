import {
  type AgentwireClient,
  type ConnectOptions,
  connect,
  type DeliveredEvent,
  type StreamPosition,
} from '@agentwire/client';
import { type AgentEvent, isTerminalEventType } from '@agentwire/protocol';
import type { ChatRequestOptions, ChatTransport, UIMessage, UIMessageChunk } from 'ai';
import { ChunkDecoder } from './mapping.js';

/** Where a chat's in-flight run is: its id and the stream position just before its first event. */
export interface ChatRun extends StreamPosition {
  runId: string;
}

/** Keeps each chat's in-flight run, so any tab of the user can resume it. */
export interface ChatRunStore {
  get(chatId: string): ChatRun | undefined;
  set(chatId: string, run: ChatRun): void;
  delete(chatId: string): void;
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * A ChatRunStore in `localStorage`, which every tab of the origin shares: a tab that did not
 * send the message finds the run there. Without localStorage (Node) it keeps runs in memory.
 */
export function localStorageRuns(
  prefix = 'agentwire.chat-run.',
  storage: StorageLike | undefined = (globalThis as { localStorage?: StorageLike }).localStorage,
): ChatRunStore {
  if (!storage) return memoryRuns();
  return {
    get(chatId) {
      try {
        const run = JSON.parse(storage.getItem(prefix + chatId) ?? 'null') as ChatRun | null;
        return run && typeof run.runId === 'string' ? run : undefined;
      } catch {
        return undefined;
      }
    },
    set: (chatId, run) => storage.setItem(prefix + chatId, JSON.stringify(run)),
    delete: (chatId) => storage.removeItem(prefix + chatId),
  };
}

/** A ChatRunStore in memory; share one object between transports to share it between "tabs". */
export function memoryRuns(): ChatRunStore {
  const runs = new Map<string, ChatRun>();
  return {
    get: (chatId) => runs.get(chatId),
    set: (chatId, run) => void runs.set(chatId, run),
    delete: (chatId) => void runs.delete(chatId),
  };
}

/** What `sendMessages` sends upstream (the `message` frame's data) unless `prepareMessage` is given. */
export interface ChatMessageData {
  type: 'ai-sdk.chat';
  chatId: string;
  trigger: 'submit-message' | 'regenerate-message';
  messageId: string | undefined;
  /** The newest message (the user's); the application keeps the conversation. */
  message: UIMessage | undefined;
  body?: object;
  metadata?: unknown;
}

export interface AgentwireChatTransportOptions
  extends Omit<ConnectOptions, 'onResync' | 'persist'> {
  /** Where in-flight runs are kept for `reconnectToStream`; `localStorageRuns()` by default. */
  runs?: ChatRunStore;
  /** Builds the upstream message's data; the default sends `ChatMessageData`. */
  prepareMessage?: (
    options: {
      chatId: string;
      trigger: 'submit-message' | 'regenerate-message';
      messageId: string | undefined;
      messages: UIMessage[];
    } & ChatRequestOptions,
  ) => unknown;
  /** A resync of the live connection (the gateway could not replay a gap). */
  onResync?: ConnectOptions['onResync'];
  /** Opens clients (the live one and each replay); `connect` from @agentwire/client by default. */
  connect?: (options: ConnectOptions) => AgentwireClient;
}

/**
 * A `ChatTransport` for the AI SDK's `useChat`/`Chat` over agentwire. `sendMessages` sends the
 * user's message upstream (the application's `onMessage` handler starts a run and returns
 * `{ runId }` in the ack) and returns the run's UI message stream; `reconnectToStream` replays the
 * chat's in-flight run from its start, in any tab of the user; stop (`abortSignal`) sends a
 * `cancel` frame, after a resume too, which reaches the application wherever the run executes.
 */
export class AgentwireChatTransport implements ChatTransport<UIMessage> {
  /** A resumed stream replays the run from its first chunk. */
  readonly resumeStreamIsReplay = true;
  readonly client: AgentwireClient;
  private readonly runs: ChatRunStore;
  private readonly open: (options: ConnectOptions) => AgentwireClient;

  constructor(private readonly options: AgentwireChatTransportOptions) {
    this.runs = options.runs ?? localStorageRuns();
    this.open = options.connect ?? connect;
    this.client = this.open({ ...options, onResync: options.onResync ?? (() => {}) });
  }

  async sendMessages(
    options: {
      trigger: 'submit-message' | 'regenerate-message';
      chatId: string;
      messageId: string | undefined;
      messages: UIMessage[];
      abortSignal: AbortSignal | undefined;
    } & ChatRequestOptions,
  ): Promise<ReadableStream<UIMessageChunk>> {
    const { chatId, abortSignal } = options;
    const client = this.client;
    const early: DeliveredEvent[] = [];
    let runId: string | undefined;
    const feed = new RunFeed(() => {
      off();
      this.runs.delete(chatId);
    });
    // The run's first events may arrive before the ack that names it: keep everything till then.
    const off = client.on('event', (delivered) => {
      if (runId === undefined) early.push(delivered);
      else if (delivered.event.runId === runId) feed.push(delivered.event);
    });
    let ack: unknown;
    try {
      const { abortSignal: _signal, ...rest } = options;
      const data = this.options.prepareMessage
        ? this.options.prepareMessage(rest)
        : ({
            type: 'ai-sdk.chat',
            chatId,
            trigger: rest.trigger,
            messageId: rest.messageId,
            message: rest.messages.at(-1),
            ...(rest.body !== undefined && { body: rest.body }),
            ...(rest.metadata !== undefined && { metadata: rest.metadata }),
          } satisfies ChatMessageData);
      ack = await client.send(data);
    } catch (error) {
      off();
      throw error;
    }
    const id = (ack as { runId?: unknown } | undefined)?.runId;
    if (typeof id !== 'string') {
      off();
      throw new Error('the message handler must return { runId } in its ack');
    }
    runId = id;
    const first = early.find((d) => d.event.runId === id);
    const position = client.position;
    if (position) {
      this.runs.set(chatId, {
        runId: id,
        userId: position.userId,
        epoch: position.epoch,
        seq: first ? first.seq - 1 : position.seq,
      });
    }
    for (const delivered of early) if (delivered.event.runId === id) feed.push(delivered.event);
    this.stopWith(abortSignal, id);
    return feed.stream;
  }

  async reconnectToStream(
    options: { chatId: string; abortSignal?: AbortSignal } & ChatRequestOptions,
  ): Promise<ReadableStream<UIMessageChunk> | null> {
    const run = this.runs.get(options.chatId);
    if (!run) return null;
    // A client of its own resumes from just before the run and replays it from history.
    const replay = this.open({
      ...this.options,
      persist: { load: () => run, save: () => {}, clear: () => {} },
      onResync: () => feed.fail(new Error('the run is no longer in the gateway’s history')),
    });
    const feed = new RunFeed(() => {
      off();
      replay.close();
    });
    const off = replay.on('event', ({ event }) => {
      if (event.runId !== run.runId) return;
      if (isTerminalEventType(event.type)) this.runs.delete(options.chatId);
      feed.push(event);
    });
    this.stopWith(options.abortSignal, run.runId);
    return feed.stream;
  }

  /** Stop: the AI SDK aborts the signal; the run is cancelled for every tab, wherever it runs. */
  private stopWith(signal: AbortSignal | undefined, runId: string): void {
    signal?.addEventListener(
      'abort',
      () => void this.client.cancel(runId, { reason: 'stopped by the user' }).catch(() => {}),
      { once: true },
    );
  }

  close(): void {
    this.client.close();
  }
}

/** One run's events as a UI message stream: closes after the run's last event. */
class RunFeed {
  readonly stream: ReadableStream<UIMessageChunk>;
  private controller!: ReadableStreamDefaultController<UIMessageChunk>;
  private readonly decoder = new ChunkDecoder();
  private done = false;

  constructor(private readonly onDone: () => void) {
    this.stream = new ReadableStream<UIMessageChunk>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => this.finish(),
    });
  }

  push(event: AgentEvent): void {
    if (this.done) return;
    for (const chunk of this.decoder.decode(event)) this.controller.enqueue(chunk);
    if (isTerminalEventType(event.type)) {
      this.controller.close();
      this.finish();
    }
  }

  fail(error: Error): void {
    if (this.done) return;
    this.controller.error(error);
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.onDone();
  }
}
