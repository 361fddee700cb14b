import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AgentwireChatTransport,
  type ChatMessageData,
  type ChatRunStore,
  memoryRuns,
  publishUIMessageStream,
} from '@agentwire/ai-sdk';
import type { RunCancel, RunEmitter, UpstreamMessage } from '@agentwire/gateway';
import { mintToken, startGateway, type TestGateway, waitFor } from '@agentwire/testkit';
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { collect, mathStream, TestChat } from './helpers.js';

const WORDS = ['17 ', '× ', '23 ', 'is ', '3', '9', '1', '.'];

/**
 * The application: a chat message starts a run (threadId = chatId) whose UI message stream —
 * the real streamText over the mock model — is published on it; the ack carries the runId.
 */
async function chatApp(delayMs: number) {
  const runs = new Map<
    string,
    { run: RunEmitter; chunks: Promise<UIMessageChunk[]>; done: Promise<unknown> }
  >();
  const cancels: RunCancel[] = [];
  let gw: TestGateway | undefined;
  const onMessage = ({ userId, data }: UpstreamMessage) => {
    const { chatId, message } = data as ChatMessageData;
    assert.equal(message?.role, 'user');
    const run = (gw as TestGateway).gateway.forUser(userId).run({ threadId: chatId });
    const [published, recorded] = mathStream({
      words: WORDS,
      delayMs,
      abortSignal: run.signal,
    }).tee();
    const done = publishUIMessageStream(published, run, { agent: 'math' }).catch((e: unknown) => e);
    runs.set(run.runId, { run, chunks: collect(recorded).catch(() => []), done });
    return { runId: run.runId };
  };
  gw = await startGateway({ onMessage, onCancel: (cancel) => void cancels.push(cancel) });
  return { gw, runs, cancels };
}

function transport(gw: TestGateway, runs: ChatRunStore) {
  return new AgentwireChatTransport({
    url: gw.wsUrl,
    token: () => mintToken('alice'),
    runs,
    ping: false,
  });
}

/** Two tabs of one user: the run store is what localStorage is to the tabs of one origin. */
function twoTabs(gw: TestGateway) {
  const runs = memoryRuns();
  const tab1 = transport(gw, runs);
  const tab2 = transport(gw, runs);
  return {
    runs,
    tab1,
    tab2,
    chat1: new TestChat({ id: 'chat_1', transport: tab1 }),
    chat2: new TestChat({ id: 'chat_1', transport: tab2 }),
    close() {
      tab1.close();
      tab2.close();
    },
  };
}

async function expectedMessage(chunks: UIMessageChunk[]): Promise<UIMessage> {
  let last: UIMessage | undefined;
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const message of readUIMessageStream({ stream })) last = message;
  return last as UIMessage;
}

const assistant = (chat: TestChat) => chat.messages.filter((m) => m.role === 'assistant').at(-1);
const textOf = (message: UIMessage | undefined) =>
  (message?.parts ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');

describe('AgentwireChatTransport with the AI SDK’s Chat', () => {
  it('sendMessage streams the run into the same UIMessage the AI SDK reads from the original stream', async () => {
    const app = await chatApp(0);
    const tab = transport(app.gw, memoryRuns());
    try {
      const chat = new TestChat({ id: 'chat_1', transport: tab });
      await chat.sendMessage({ text: 'What is 17 * 23?' });
      assert.equal(chat.status, 'ready');
      const [entry] = [...app.runs.values()];
      const expected = await expectedMessage(await (entry?.chunks ?? Promise.resolve([])));
      assert.deepEqual(assistant(chat)?.parts, expected.parts);
      assert.equal(textOf(assistant(chat)), '17 × 23 is 391.');
      assert.ok(assistant(chat)?.parts.some((p) => p.type === 'reasoning'));
      assert.ok(assistant(chat)?.parts.some((p) => p.type === 'tool-calc'));
    } finally {
      tab.close();
      await app.gw.close();
    }
  });

  it('a connection dropped mid-run resumes: the message comes out whole, nothing lost or doubled', async () => {
    const app = await chatApp(15);
    const tab = transport(app.gw, memoryRuns());
    try {
      const chat = new TestChat({ id: 'chat_1', transport: tab });
      const sending = chat.sendMessage({ text: 'What is 17 * 23?' });
      await waitFor(() => textOf(assistant(chat)).length > 0, 'the first words');
      tab.client.reconnect();
      await sending;
      assert.equal(tab.client.stats.connects, 2);
      const [entry] = [...app.runs.values()];
      const expected = await expectedMessage(await (entry?.chunks ?? Promise.resolve([])));
      assert.deepEqual(assistant(chat)?.parts, expected.parts);
    } finally {
      tab.close();
      await app.gw.close();
    }
  });

  it('a second tab resumes the in-flight run from its start and ends with the same message', async () => {
    const app = await chatApp(15);
    const { runs, tab2, chat1, chat2, close } = twoTabs(app.gw);
    try {
      const sending = chat1.sendMessage({ text: 'What is 17 * 23?' });
      await waitFor(() => textOf(assistant(chat1)).length > 0, 'the run under way');
      await chat2.resumeStream();
      await sending;
      assert.deepEqual(assistant(chat2)?.parts, assistant(chat1)?.parts);
      assert.equal(textOf(assistant(chat2)), '17 × 23 is 391.');
      // Once the run ended there is nothing to resume.
      assert.equal(runs.get('chat_1'), undefined);
      assert.equal(await tab2.reconnectToStream({ chatId: 'chat_1' }), null);
    } finally {
      close();
      await app.gw.close();
    }
  });

  it('stop after a resume reaches the application and ends the run in every tab', async () => {
    const app = await chatApp(25);
    const { runs, chat1, chat2, close } = twoTabs(app.gw);
    try {
      const sending = chat1.sendMessage({ text: 'What is 17 * 23?' });
      await waitFor(() => textOf(assistant(chat1)).length > 0, 'the run under way');
      const resuming = chat2.resumeStream();
      await waitFor(() => textOf(assistant(chat2)).length > 0, 'the resumed stream');
      await chat2.stop();
      await Promise.all([sending, resuming]);
      const [entry] = [...app.runs.values()];
      await entry?.done;
      assert.equal(app.cancels.length, 1, 'onCancel heard the stop');
      assert.equal(app.cancels[0]?.runId, entry?.run.runId);
      assert.equal(entry?.run.signal.aborted, true, 'the model’s stream was aborted');
      assert.notEqual(textOf(assistant(chat1)), '17 × 23 is 391.', 'the answer was cut short');
      await waitFor(() => chat1.status === 'ready' && chat2.status === 'ready', 'both chats idle');
      assert.equal(runs.get('chat_1'), undefined);
    } finally {
      close();
      await app.gw.close();
    }
  });
});
