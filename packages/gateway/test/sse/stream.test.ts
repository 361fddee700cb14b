import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { verifyEvents } from '@ag-ui/client';
import { EventSchemas } from '@ag-ui/core/schemas';
import type { AgUiEvent, WelcomeFrame } from '@agentwire/protocol';
import {
  FaultyProxy,
  mintToken,
  startGateway,
  type TestGateway,
  waitFor,
} from '@agentwire/testkit';
import { EventSource } from 'eventsource';
import { from, lastValueFrom, toArray } from 'rxjs';

/** An `eventsource` client that records each message's data (parsed) and id, with Bearer auth. */
function listen(url: string, token: string | undefined) {
  const messages: { id: string; data: Record<string, unknown> }[] = [];
  const closes: unknown[] = [];
  let opens = 0;
  const source = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...init?.headers, ...(token && { authorization: `Bearer ${token}` }) },
      }),
  });
  source.onopen = () => {
    opens++;
  };
  source.onmessage = (message) => {
    messages.push({ id: message.lastEventId, data: JSON.parse(message.data) });
  };
  source.addEventListener('close', (message) => closes.push(JSON.parse(message.data)));
  return {
    source,
    messages,
    closes,
    get opens() {
      return opens;
    },
    events: () => messages.filter((m) => m.data.type === 'event'),
  };
}

const publish = (gw: TestGateway, userId: string, event: Record<string, unknown>) =>
  gw.gateway.forUser(userId).publish(event as never);

async function raw(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: text };
}

describe('GET /v1/stream', () => {
  it('streams the user’s events with id <epoch>:<seq> and resumes by Last-Event-ID after a cut, with no gap and no duplicate', async () => {
    const gw = await startGateway({ sseRetryMs: 50 });
    const proxy = await new FaultyProxy(gw.port).listen();
    const token = await mintToken('alice');
    const client = listen(`http://127.0.0.1:${proxy.port}/v1/stream`, token);
    try {
      await waitFor(() => client.messages.length > 0, 'welcome');
      const welcome = client.messages[0]?.data as unknown as WelcomeFrame;
      assert.equal(welcome.type, 'welcome');
      assert.equal(client.messages[0]?.id, `${welcome.epoch}:${welcome.seq}`);
      for (let i = 0; i < 5; i++) await publish(gw, 'alice', { type: 'x-n', data: { i } });
      await publish(gw, 'bob', { type: 'x-n', data: { bob: true } });
      await waitFor(() => client.events().length === 5, 'five events');
      proxy.cut();
      for (let i = 5; i < 10; i++) await publish(gw, 'alice', { type: 'x-n', data: { i } });
      await waitFor(() => client.events().length === 10, 'ten events after the resume');
      assert.ok(client.opens >= 2, 'reconnected');
      const events = client.events();
      assert.deepEqual(
        events.map((m) => (m.data.event as { data: { i: number } }).data.i),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      for (const m of events) assert.equal(m.id, `${welcome.epoch}:${m.data.seq}`);
      assert.ok(!JSON.stringify(client.messages).includes('bob'), 'only alice’s stream');
    } finally {
      client.source.close();
      await proxy.close();
      await gw.close();
    }
  });

  it('sends coalesced tokens as one deltas frame whose id is its last seq', async () => {
    const gw = await startGateway();
    const client = listen(`${gw.url}/v1/stream`, await mintToken('alice'));
    try {
      await waitFor(() => client.messages.length === 1, 'welcome');
      const epoch = client.messages[0]?.data.epoch as string;
      const run = gw.gateway.forUser('alice').run({ runId: 'run_t' });
      await Promise.all(['a', 'b', 'c'].map((delta) => run.message('m1', delta)));
      await run.completed();
      await waitFor(() => client.messages.some((m) => m.data.type === 'event'), 'the completion');
      const deltas = client.messages.filter((m) => m.data.type === 'deltas');
      assert.deepEqual(
        deltas.flatMap((m) => m.data.deltas as string[]),
        ['a', 'b', 'c'],
      );
      const last = deltas.at(-1) as { id: string; data: { from: number; deltas: string[] } };
      assert.equal(last.id, `${epoch}:${last.data.from + last.data.deltas.length - 1}`);
    } finally {
      client.source.close();
      await gw.close();
    }
  });

  it('answers a Last-Event-ID older than history, or of another epoch, with a resync', async () => {
    const gw = await startGateway({ history: { maxEvents: 3 } });
    const token = await mintToken('alice');
    try {
      for (let i = 0; i < 6; i++) await publish(gw, 'alice', { type: 'x-n', data: { i } });
      const head = await gw.gateway.engine.head('alice');
      for (const [lastEventId, reason] of [
        [`${head.epoch}:1`, 'history_gap'],
        ['otherEpoch:3', 'epoch_changed'],
      ] as const) {
        const controller = new AbortController();
        const res = await fetch(`${gw.url}/v1/stream`, {
          headers: { authorization: `Bearer ${token}`, 'last-event-id': lastEventId },
          signal: controller.signal,
        });
        assert.equal(res.status, 200);
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        let text = '';
        while (!text.includes('"resync"'))
          text += new TextDecoder().decode((await reader.read()).value);
        controller.abort();
        const resync = JSON.parse(/data: (\{"type":"resync".*)\n/.exec(text)?.[1] ?? '{}');
        assert.deepEqual(resync, { type: 'resync', epoch: head.epoch, seq: head.seq, reason });
        assert.match(text, new RegExp(`id: ${head.epoch}:${head.seq}\n`));
      }
    } finally {
      await gw.close();
    }
  });

  it('refuses bad input with a 4xx JSON error naming it, before any stream starts', async () => {
    const gw = await startGateway({ allowedOrigins: ['https://app.example'] });
    const auth = { authorization: `Bearer ${await mintToken('alice')}` };
    try {
      const cases: [string, Record<string, string>, number, string, string | undefined][] = [
        ['/v1/stream', {}, 401, 'unauthorized', undefined],
        ['/v1/stream', { authorization: 'Bearer not-a-jwt' }, 401, 'unauthorized', undefined],
        ['/v1/stream?ticket=made-up', {}, 401, 'unauthorized', undefined],
        ['/v1/stream?format=xml', auth, 400, 'invalid_field', 'format'],
        [
          '/v1/stream',
          { ...auth, 'last-event-id': 'garbage' },
          400,
          'invalid_field',
          'Last-Event-ID',
        ],
        ['/v1/stream', { ...auth, 'last-event-id': 'e:-1' }, 400, 'invalid_field', 'Last-Event-ID'],
        ['/v1/stream?epoch=e', auth, 400, 'invalid_field', 'after'],
        ['/v1/stream?lastEventId=nope', auth, 400, 'invalid_field', 'lastEventId'],
        [
          '/v1/stream',
          { ...auth, 'last-event-id': `${'e'.repeat(5000)}:1` },
          400,
          'invalid_field',
          'Last-Event-ID',
        ],
        ['/v1/stream?format=AG-UI', auth, 400, 'invalid_field', 'format'],
        [`/v1/stream?runId=${'r'.repeat(129)}`, auth, 400, 'invalid_field', 'runId'],
        [
          '/v1/stream',
          { ...auth, origin: 'https://evil.example' },
          403,
          'origin_not_allowed',
          undefined,
        ],
      ];
      for (const [path, headers, status, code, field] of cases) {
        const res = await raw(`${gw.url}${path}`, headers);
        assert.equal(res.status, status, `${path} ${JSON.stringify(headers)}: ${res.body}`);
        assert.match(res.type ?? '', /application\/json/);
        const body = JSON.parse(res.body);
        assert.equal(body.error.code, code);
        assert.equal(body.error.field, field);
        assert.ok(body.error.message.length > 0);
      }
      const post = await fetch(`${gw.url}/v1/stream`, { method: 'POST', headers: auth });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET');
    } finally {
      await gw.close();
    }
  });

  it('accepts a single-use ticket (for EventSource in a browser), and not twice', async () => {
    const gw = await startGateway();
    try {
      const res = await fetch(`${gw.url}/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await mintToken('alice')}` },
      });
      const { ticket } = (await res.json()) as { ticket: string };
      const client = listen(`${gw.url}/v1/stream?ticket=${ticket}`, undefined);
      await waitFor(() => client.messages.length > 0, 'welcome');
      assert.equal(client.messages[0]?.data.userId, 'alice');
      client.source.close();
      const again = await raw(`${gw.url}/v1/stream?ticket=${ticket}`);
      assert.equal(again.status, 401);
    } finally {
      await gw.close();
    }
  });

  it('sends heartbeats as comments, and is closed with an event: close on shutdown', async () => {
    const gw = await startGateway({ heartbeatMs: 40 });
    const token = await mintToken('alice');
    const res = await fetch(`${gw.url}/v1/stream`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(': heartbeat\n\n:') || !text.includes('retry:')) {
      text += new TextDecoder().decode((await reader.read()).value);
    }
    assert.equal(gw.gateway.stats().connections, 1, 'a heartbeat does not end the stream');
    const closing = gw.close();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    await closing;
    assert.match(
      text,
      /event: close\ndata: \{"code":1012,"reason":"server restarting: resume elsewhere"\}/,
    );
  });
});

describe('GET /v1/stream limits', () => {
  it('a reader that stops reading falls behind, is closed as a slow consumer (4008), and nobody else is held up', async () => {
    const gw = await startGateway({
      limits: { maxBufferedBytes: 256 * 1024, slowConsumerTimeoutMs: 300 },
    });
    const token = await mintToken('alice');
    const stalled = new Socket();
    try {
      await new Promise<void>((resolve) => stalled.connect(gw.port, '127.0.0.1', resolve));
      stalled.write(`GET /v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      stalled.pause(); // reads nothing from here on
      await waitFor(() => gw.gateway.stats().connections === 1, 'the stalled stream admitted');
      const bob = listen(`${gw.url}/v1/stream`, await mintToken('bob'));
      await waitFor(() => bob.messages.length === 1, 'bob’s welcome');
      const big = 'x'.repeat(48 * 1024);
      for (let i = 0; i < 400 && gw.gateway.stats().connections > 1; i++) {
        await publish(gw, 'alice', { type: 'x-big', data: { big } });
        if (i % 10 === 0) await publish(gw, 'bob', { type: 'x-n', data: { i } });
      }
      await waitFor(
        () => gw.gateway.stats().connections === 1,
        'the stalled stream closed',
        10_000,
      );
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      assert.match(metrics, /agentwire_closes_total\{code="4008"\} 1/);
      await publish(gw, 'bob', { type: 'x-n', data: { last: true } });
      await waitFor(
        () => bob.events().some((m) => JSON.stringify(m.data).includes('"last"')),
        'bob still served',
      );
      bob.source.close();
    } finally {
      stalled.destroy();
      await gw.close();
    }
  });
});

describe('GET /v1/stream?format=ag-ui', () => {
  const run = (type: string, data: Record<string, unknown>) => ({
    type,
    runId: 'run_1',
    threadId: 'th_1',
    data,
  });
  const FIRST_HALF = [
    run('agent_started', { agent: 'planner' }),
    run('tool_executing', { tool: 'calc', callId: 'c1', args: { expr: '17*23' } }),
    run('agent_message', { messageId: 'm1', delta: '17 × 23 ' }),
  ];
  const SECOND_HALF = [
    run('tool_completed', { tool: 'calc', callId: 'c1', result: 391, durationMs: 2 }),
    run('agent_message', { messageId: 'm1', delta: 'is 391.' }),
    run('agent_completed', { text: '17 × 23 is 391.' }),
  ];
  /** What is open after FIRST_HALF: the run, the unanswered tool call, the text message. */
  const PRELUDE_AT_HALF = [
    'RUN_STARTED',
    'TOOL_CALL_START',
    'TOOL_CALL_ARGS',
    'TOOL_CALL_END',
    'TEXT_MESSAGE_START',
  ];
  const verify = (events: AgUiEvent[]) =>
    lastValueFrom(from(events as never[]).pipe(verifyEvents(false), toArray()));

  it('a client that joins mid-run gets the opening events first: its stream passes AG-UI’s verifyEvents', async () => {
    const gw = await startGateway();
    const token = await mintToken('alice');
    const client = listen(`${gw.url}/v1/stream?format=ag-ui`, token);
    try {
      for (const e of FIRST_HALF) await publish(gw, 'alice', e);
      const late = listen(`${gw.url}/v1/stream?format=ag-ui`, token);
      try {
        await waitFor(() => late.opens === 1, 'late open');
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (const e of SECOND_HALF) await publish(gw, 'alice', e);
        await waitFor(
          () => late.messages.some((m) => m.data.type === 'RUN_FINISHED'),
          'RUN_FINISHED on the late client',
        );
        const events = late.messages.map((m) => m.data as AgUiEvent);
        for (const e of events) assert.ok(EventSchemas.safeParse(e).success, e.type);
        assert.deepEqual(
          events.slice(0, 5).map((e) => e.type),
          PRELUDE_AT_HALF,
        );
        await verify(events);
        // Without the prelude AG-UI would have refused it: the first live event is a tool result.
        await assert.rejects(verify(events.slice(5)));
        await waitFor(
          () => client.messages.some((m) => m.data.type === 'RUN_FINISHED'),
          'RUN_FINISHED on the first client',
        );
        await verify(client.messages.map((m) => m.data as AgUiEvent));
      } finally {
        late.source.close();
      }
    } finally {
      client.source.close();
      await gw.close();
    }
  });

  it('resumes after a cut without repeating or losing an AG-UI event, and the whole stream verifies', async () => {
    const gw = await startGateway({ sseRetryMs: 50 });
    const proxy = await new FaultyProxy(gw.port).listen();
    const token = await mintToken('alice');
    const client = listen(`http://127.0.0.1:${proxy.port}/v1/stream?format=ag-ui`, token);
    try {
      await waitFor(() => client.opens === 1, 'open');
      for (const e of FIRST_HALF) await publish(gw, 'alice', e);
      await waitFor(() => client.messages.length >= 5, 'first half');
      proxy.cut();
      for (const e of SECOND_HALF) await publish(gw, 'alice', e);
      await waitFor(() => client.messages.some((m) => m.data.type === 'RUN_FINISHED'), 'finish');
      assert.ok(client.opens >= 2);
      const events = client.messages.map((m) => m.data as AgUiEvent);
      // An EventSource reconnect (Last-Event-ID) is exact: no prelude repeats what it has.
      assert.equal(events.filter((e) => e.type === 'RUN_STARTED').length, 1);
      assert.equal(events.filter((e) => e.type === 'TEXT_MESSAGE_START').length, 1);
      await verify(events);
    } finally {
      client.source.close();
      await proxy.close();
      await gw.close();
    }
  });

  it('a new consumer resuming from a stored position (?epoch=&after=) gets the prelude', async () => {
    const gw = await startGateway();
    const token = await mintToken('alice');
    try {
      const before = await gw.gateway.engine.head('alice');
      for (const e of FIRST_HALF) await publish(gw, 'alice', e);
      const position = `epoch=${before.epoch}&after=${before.seq + 2}`; // seen up to the tool call
      const client = listen(`${gw.url}/v1/stream?format=ag-ui&${position}`, token);
      try {
        for (const e of SECOND_HALF) await publish(gw, 'alice', e);
        await waitFor(() => client.messages.some((m) => m.data.type === 'RUN_FINISHED'), 'finish');
        const events = client.messages.map((m) => m.data as AgUiEvent);
        assert.deepEqual(
          events.slice(0, 5).map((e) => e.type),
          PRELUDE_AT_HALF,
        );
        assert.equal(events[5]?.type, 'TEXT_MESSAGE_CONTENT', 'then the replay of seq 3');
        await verify(events);
      } finally {
        client.source.close();
      }
    } finally {
      await gw.close();
    }
  });
});
