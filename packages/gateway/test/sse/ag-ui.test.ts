import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { HttpAgent } from '@ag-ui/client';
import { type AgUiRunHandler, type RunCancel, RunCancelledError } from '@agentwire/gateway';
import type { AgUiEvent } from '@agentwire/protocol';
import { mintToken, startGateway, waitFor } from '@agentwire/testkit';
import { connectUser } from '../helpers/harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An agent that answers with a tool call and streamed text, publishing agentwire events. */
const calculator: AgUiRunHandler = async (input, { run }) => {
  const question = input.messages.at(-1) as { content?: string } | undefined;
  await run.started('calculator');
  await run.thinking(`Reading: ${question?.content ?? ''}`);
  await run.toolExecuting('calc', 'c1', { expr: '17*23' });
  await run.toolCompleted('calc', 'c1', { result: 391, durationMs: 1 });
  for (const delta of ['17 × 23 ', 'is ', '391.']) await run.message('m1', delta);
  await run.completed({ text: '17 × 23 is 391.' });
  return undefined;
};

function agent(url: string, token: string) {
  const events: AgUiEvent[] = [];
  const http = new HttpAgent({
    url: `${url}/v1/ag-ui`,
    headers: { authorization: `Bearer ${token}` },
    threadId: 'th_1',
    initialMessages: [{ id: 'u1', role: 'user', content: 'What is 17 * 23?' }],
  });
  http.subscribe({
    onEvent: ({ event }) => {
      events.push(event as unknown as AgUiEvent);
    },
  });
  return { http, events };
}

describe('POST /v1/ag-ui', () => {
  it('runs the application’s agent for @ag-ui/client’s HttpAgent, which verifies the events and builds the messages', async () => {
    const inputs: unknown[] = [];
    const gw = await startGateway({
      onAgUiRun: (input, ctx) => {
        inputs.push({ input, userId: ctx.userId });
        return calculator(input, ctx);
      },
    });
    try {
      const tab = await connectUser(gw, 'alice'); // another tab of the same user sees the run too
      const { http, events } = agent(gw.url, await mintToken('alice'));
      const { newMessages } = await http.runAgent({ runId: 'run_ag1' });
      assert.deepEqual(
        events.map((e) => e.type),
        [
          'RUN_STARTED',
          'REASONING_START',
          'REASONING_MESSAGE_START',
          'REASONING_MESSAGE_CONTENT',
          'REASONING_MESSAGE_END',
          'REASONING_END',
          'TOOL_CALL_START',
          'TOOL_CALL_ARGS',
          'TOOL_CALL_END',
          'TOOL_CALL_RESULT',
          'TEXT_MESSAGE_START',
          'TEXT_MESSAGE_CONTENT',
          'TEXT_MESSAGE_CONTENT',
          'TEXT_MESSAGE_CONTENT',
          'TEXT_MESSAGE_END',
          'RUN_FINISHED',
        ],
      );
      const text = newMessages.find((m) => m.role === 'assistant' && m.content);
      assert.equal((text as { content: string }).content, '17 × 23 is 391.');
      const { input, userId } = inputs[0] as {
        input: { runId: string; threadId: string; messages: unknown[] };
        userId: string;
      };
      assert.equal(userId, 'alice');
      assert.equal(input.runId, 'run_ag1');
      assert.equal(input.threadId, 'th_1');
      assert.equal(input.messages.length, 1);
      await tab.until(
        (f) => f.some((x) => x.type === 'event' && x.event.type === 'agent_completed'),
        5000,
        'the run in the other tab',
      );
      assert.ok(
        tab.delivered().every((f) => f.event.runId === 'run_ag1' && f.event.threadId === 'th_1'),
      );
    } finally {
      await gw.close();
    }
  });

  it('maps an existing AG-UI agent’s events (an async iterable) onto the run', async () => {
    const gw = await startGateway({
      onAgUiRun: async function* (input) {
        yield { type: 'RUN_STARTED', threadId: input.threadId, runId: input.runId };
        yield { type: 'STEP_STARTED', stepName: 'answer' };
        yield { type: 'TEXT_MESSAGE_START', messageId: 'a1', role: 'assistant' };
        yield { type: 'TEXT_MESSAGE_CONTENT', messageId: 'a1', delta: 'Hello' };
        yield { type: 'TEXT_MESSAGE_END', messageId: 'a1' };
        yield { type: 'STATE_SNAPSHOT', snapshot: { greeted: true } };
        yield { type: 'STEP_FINISHED', stepName: 'answer' };
        yield { type: 'RUN_FINISHED', threadId: input.threadId, runId: input.runId };
      },
    });
    try {
      const tab = await connectUser(gw, 'alice');
      const { http, events } = agent(gw.url, await mintToken('alice'));
      await http.runAgent({ runId: 'run_it' });
      assert.deepEqual(http.state, { greeted: true });
      assert.ok(events.some((e) => e.type === 'STEP_STARTED'));
      await tab.until(() => tab.delivered().length === 7, 5000, 'events');
      assert.deepEqual(
        tab.delivered().map((f) => f.event.type),
        [
          'agent_started',
          'x-step_started',
          'agent_message', // TEXT_MESSAGE_START: the message opens (empty delta)
          'agent_message',
          'x-ag-ui',
          'x-step_finished',
          'agent_completed',
        ],
      );
    } finally {
      await gw.close();
    }
  });

  it('abortRun() cancels the run: the application hears it and every tab sees run_cancelled', async () => {
    const cancels: RunCancel[] = [];
    let aborted: unknown;
    const gw = await startGateway({
      onCancel: (cancel) => void cancels.push(cancel),
      onAgUiRun: async (_input, { run, signal }) => {
        await run.started('slow');
        void (async () => {
          try {
            for (let i = 0; ; i++) {
              await run.message('m1', `tok${i} `);
              await sleep(10);
            }
          } catch (error) {
            aborted = error ?? signal.reason;
          }
        })();
        return undefined;
      },
    });
    try {
      const tab = await connectUser(gw, 'alice');
      const { http, events } = agent(gw.url, await mintToken('alice'));
      const running = http.runAgent({ runId: 'run_abort' }).catch((error: unknown) => error);
      await waitFor(
        () => events.filter((e) => e.type === 'TEXT_MESSAGE_CONTENT').length >= 3,
        'tokens',
      );
      http.abortRun();
      await running;
      await waitFor(() => aborted !== undefined, 'the run to stop');
      assert.ok(aborted instanceof RunCancelledError);
      assert.deepEqual(
        cancels.map((c) => ({ userId: c.userId, runId: c.runId, via: c.via })),
        [{ userId: 'alice', runId: 'run_abort', via: 'ag-ui' }],
      );
      await tab.until(
        (f) => f.some((x) => x.type === 'event' && x.event.type === 'run_cancelled'),
        5000,
        'run_cancelled in the other tab',
      );
    } finally {
      await gw.close();
    }
  });

  it('a handler that throws ends the run with RUN_ERROR, which HttpAgent reports', async () => {
    const gw = await startGateway({
      onAgUiRun: async (_input, { run }) => {
        await run.started('broken');
        throw new Error('model unavailable');
      },
    });
    try {
      const { http, events } = agent(gw.url, await mintToken('alice'));
      await http.runAgent({ runId: 'run_err' }).catch(() => {});
      const error = events.find((e) => e.type === 'RUN_ERROR');
      assert.deepEqual(
        { message: error?.message, code: error?.code },
        { message: 'the agent failed', code: 'handler_failed' },
      );
      assert.ok(
        !JSON.stringify(events).includes('model unavailable'),
        'internal errors stay in the log',
      );
    } finally {
      await gw.close();
    }
  });

  it('refuses bad input with a 4xx JSON error naming it', async () => {
    const gw = await startGateway({ onAgUiRun: calculator });
    const bare = await startGateway();
    const auth = {
      authorization: `Bearer ${await mintToken('alice')}`,
      'content-type': 'application/json',
    };
    const valid = { threadId: 't', runId: 'r', messages: [], tools: [], context: [] };
    try {
      const cases: [string, Record<string, string>, string, number, string, string | undefined][] =
        [
          [gw.url, {}, JSON.stringify(valid), 401, 'unauthorized', undefined],
          [gw.url, auth, '{not json', 400, 'invalid_json', undefined],
          [gw.url, auth, JSON.stringify({ ...valid, runId: 5 }), 400, 'invalid_field', 'runId'],
          [
            gw.url,
            auth,
            JSON.stringify({ ...valid, messages: [{ id: 'm', role: 'robot' }] }),
            400,
            'invalid_field',
            'messages[0].role',
          ],
          [gw.url, auth, JSON.stringify({ threadId: 't' }), 400, 'invalid_field', 'runId'],
          [gw.url, auth, '[]', 400, 'invalid_field', 'body'],
          [bare.url, auth, JSON.stringify(valid), 501, 'no_handler', undefined],
          [
            gw.url,
            auth,
            JSON.stringify({ ...valid, pad: 'x'.repeat(1024 * 1024) }),
            413,
            'too_large',
            undefined,
          ],
        ];
      for (const [url, headers, body, status, code, field] of cases) {
        const res = await fetch(`${url}/v1/ag-ui`, { method: 'POST', headers, body });
        const text = await res.text();
        assert.equal(res.status, status, `${body}: ${text}`);
        const parsed = JSON.parse(text);
        assert.equal(parsed.error.code, code, text);
        assert.equal(parsed.error.field, field, text);
      }
      const get = await fetch(`${gw.url}/v1/ag-ui`, { headers: auth });
      assert.equal(get.status, 405);
    } finally {
      await Promise.all([gw.close(), bare.close()]);
    }
  });
});

/**
 * `HttpAgent` reading `GET /v1/stream?format=ag-ui&runId=` (its request made a GET): the stream
 * HttpAgent checks with its own verifyEvents and folds into messages, for a client that joins a
 * run late and for one that comes back after its connection was cut.
 */
class StreamAgent extends HttpAgent {
  protected override requestInit(): RequestInit {
    return { method: 'GET', headers: this.headers, signal: this.abortController.signal };
  }
}

describe('GET /v1/stream?format=ag-ui with @ag-ui/client’s HttpAgent', () => {
  const slowRun = async (gw: Awaited<ReturnType<typeof startGateway>>, runId: string) => {
    const run = gw.gateway.forUser('alice').run({ runId, threadId: 'th_1' });
    await run.started('slow');
    await run.toolExecuting('calc', 'c1', { expr: '17*23' });
    for (const delta of ['17 ', '× ', '23 ']) await run.message('m1', delta);
    return async () => {
      await run.toolCompleted('calc', 'c1', { result: 391, durationMs: 3 });
      for (const delta of ['is ', '391.']) await run.message('m1', delta);
      await run.completed();
    };
  };

  it('a late join passes HttpAgent’s verifyEvents thanks to the prelude, and ends with the run', async () => {
    const gw = await startGateway();
    try {
      const finish = await slowRun(gw, 'run_late');
      const events: AgUiEvent[] = [];
      const late = new StreamAgent({
        url: `${gw.url}/v1/stream?format=ag-ui&runId=run_late`,
        headers: { authorization: `Bearer ${await mintToken('alice')}` },
      });
      late.subscribe({ onEvent: ({ event }) => void events.push(event as unknown as AgUiEvent) });
      const running = late.runAgent();
      await waitFor(() => events.length >= 5, 'the prelude');
      await finish();
      await running; // resolves: verified, and the response ended after RUN_FINISHED
      assert.equal(events[0]?.type, 'RUN_STARTED');
      assert.equal(events.at(-1)?.type, 'RUN_FINISHED');
      const text = late.messages.find((m) => m.role === 'assistant' && m.content);
      assert.equal((text as { content: string }).content, 'is 391.', 'what came after the join');
    } finally {
      await gw.close();
    }
  });

  it('after a drop, a new HttpAgent resumes the run from a stored position and gets all of it', async () => {
    const gw = await startGateway();
    try {
      const before = await gw.gateway.engine.head('alice'); // stored when the run began
      const finish = await slowRun(gw, 'run_drop');
      const auth = { authorization: `Bearer ${await mintToken('alice')}` };
      const url = `${gw.url}/v1/stream?format=ag-ui&runId=run_drop`;
      const first = new StreamAgent({
        url: `${url}&epoch=${before.epoch}&after=${before.seq}`,
        headers: auth,
      });
      const seen: AgUiEvent[] = [];
      first.subscribe({ onEvent: ({ event }) => void seen.push(event as unknown as AgUiEvent) });
      const dropped = first.runAgent().catch((error: unknown) => error);
      await waitFor(() => seen.some((e) => e.type === 'TEXT_MESSAGE_CONTENT'), 'the first tokens');
      first.abortRun(); // the connection is gone; a GET stream is no cancel
      await dropped;
      const again = new StreamAgent({
        url: `${url}&epoch=${before.epoch}&after=${before.seq}`,
        headers: auth,
      });
      const running = again.runAgent();
      await finish();
      await running;
      const text = again.messages.find((m) => m.role === 'assistant' && m.content);
      assert.equal((text as { content: string }).content, '17 × 23 is 391.');
      const tool = again.messages.find((m) => m.role === 'tool');
      assert.equal((tool as { content: string }).content, '391');
    } finally {
      await gw.close();
    }
  });
});

describe('an AG-UI agent of another framework behind /v1/ag-ui', () => {
  // The shape Microsoft Agent Framework's AG-UI endpoint streams (its published sample): an
  // assistant message opened for a tool call, never given text; the call's arguments in many
  // deltas; the result; then a second message with the answer.
  const input = { threadId: 'th_maf', runId: 'run_maf' };
  const events: AgUiEvent[] = [
    { type: 'RUN_STARTED', ...input },
    { type: 'TEXT_MESSAGE_START', messageId: 'msg_a', role: 'assistant' },
    {
      type: 'TOOL_CALL_START',
      toolCallId: 'call_1',
      toolCallName: 'get_order_status',
      parentMessageId: 'msg_a',
    },
    ...['{"', 'order', '_id', '":"', 'ORD', '-', '001', '"}'].map((delta) => ({
      type: 'TOOL_CALL_ARGS',
      toolCallId: 'call_1',
      delta,
    })),
    { type: 'TOOL_CALL_END', toolCallId: 'call_1' },
    {
      type: 'TOOL_CALL_RESULT',
      messageId: 'msg_r',
      toolCallId: 'call_1',
      content: '{"status": "shipped", "eta": "Jan 25"}',
      role: 'tool',
    },
    { type: 'TEXT_MESSAGE_START', messageId: 'msg_b', role: 'assistant' },
    ...['Your', ' order', ' has', ' shipped', '!'].map((delta) => ({
      type: 'TEXT_MESSAGE_CONTENT',
      messageId: 'msg_b',
      delta,
    })),
    { type: 'TEXT_MESSAGE_END', messageId: 'msg_b' },
    { type: 'RUN_FINISHED', ...input },
  ];

  it('HttpAgent builds the same messages through agentwire as from the agent directly', async () => {
    // The sample leaves msg_a open at RUN_FINISHED, which AG-UI's own verifyEvents refuses; the
    // agent on its own gets the missing end, agentwire ends open messages at the run's end itself.
    const compliant = [...events];
    compliant.splice(compliant.length - 1, 0, { type: 'TEXT_MESSAGE_END', messageId: 'msg_a' });
    const direct = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const event of compliant) res.write(`data: ${JSON.stringify(event)}\n\n`);
      res.end();
    });
    await new Promise<void>((resolve) => direct.listen(0, '127.0.0.1', resolve));
    const gw = await startGateway({
      onAgUiRun: async function* () {
        yield* events;
      },
    });
    try {
      const token = await mintToken('alice');
      const run = async (url: string) => {
        const http = new HttpAgent({
          url,
          headers: { authorization: `Bearer ${token}` },
          threadId: input.threadId,
          initialMessages: [{ id: 'u1', role: 'user', content: 'Where is ORD-001?' }],
        });
        await http.runAgent({ runId: input.runId });
        return http.messages;
      };
      const { port } = direct.address() as AddressInfo;
      const expected = await run(`http://127.0.0.1:${port}/`);
      const through = await run(`${gw.url}/v1/ag-ui`);
      assert.ok(
        expected.some((m) => m.role === 'tool'),
        'the direct run has the tool result',
      );
      assert.deepEqual(through, expected);
    } finally {
      await gw.close();
      await new Promise<void>((resolve) => direct.close(() => resolve()));
    }
  });
});
