import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { eventFrame } from '../src/codec/event-frame.js';
import type { StoredEvent } from '../src/engine/engine.js';
import { Connection } from '../src/ws/connection.js';
import { underlyingSocket, writeEventFrame } from '../src/ws/wire.js';

/**
 * The write path (src/ws/wire.ts) writes whole frames to the TCP socket under a `ws` WebSocket,
 * which `ws` keeps in a private field. This is the canary for the pinned `ws`: the field is
 * there on both ends, `ws` writes its own frames to it synchronously (so ours stay in order with
 * them), and the fallback through `ws.send` delivers the same frames when it is not.
 */

const installedWs = (
  createRequire(import.meta.url)('ws/package.json') as {
    version: string;
  }
).version;

/** A plain `ws` server and one client of it, with the server's side of the socket. */
async function pair() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as { port: number };
  const serverSide = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  const received: string[] = [];
  client.on('message', (data) => received.push(data.toString()));
  await new Promise<void>((resolve) => client.once('open', () => resolve()));
  const server = await serverSide;
  const until = async (count: number) => {
    const deadline = Date.now() + 5000;
    while (received.length < count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(received.length, count, 'frames received');
  };
  const close = async () => {
    client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
  return { server, client, received, until, close };
}

function event(seq: number, json: string): StoredEvent & { holds: number } {
  return {
    seq,
    id: `e${seq}`,
    json,
    holds: 0,
    retain() {
      this.holds++;
    },
    release() {
      this.holds--;
    },
  };
}

describe(`the ws internals the write path relies on (ws ${installedWs})`, () => {
  let p: Awaited<ReturnType<typeof pair>>;
  before(async () => {
    p = await pair();
  });
  after(() => p.close());

  it('keep the TCP socket in _socket on both ends', () => {
    assert.ok(underlyingSocket(p.server) instanceof Socket, 'server side');
    assert.ok(underlyingSocket(p.client) instanceof Socket, 'client side');
  });

  it('write ws frames to that socket synchronously, so frames written to it stay in order', async () => {
    const tcp = underlyingSocket(p.server) as Socket;
    tcp.cork();
    const before = tcp.writableLength;
    p.server.send('sent by ws');
    assert.ok(tcp.writableLength > before, 'ws.send wrote to _socket before returning');
    tcp.uncork();
    const json = (n: number) => JSON.stringify({ id: `e${n}`, type: 'x-t', data: n });
    writeEventFrame(p.server, tcp, eventFrame(1, json(1)));
    p.server.send('between');
    writeEventFrame(p.server, tcp, eventFrame(2, json(2)));
    await p.until(4);
    assert.deepEqual(p.received, [
      'sent by ws',
      `{"type":"event","seq":1,"event":${json(1)}}`,
      'between',
      `{"type":"event","seq":2,"event":${json(2)}}`,
    ]);
  });
});

describe('the fallback write path (no TCP socket found)', () => {
  it('sends the same frames through ws.send, in order with other frames, and releases them', async () => {
    const p = await pair();
    try {
      const conn = new Connection('c_fallback', 'u', p.server, Infinity, 100, 50, undefined);
      const texts = ['a', 'é✓'.repeat(50), 'y'.repeat(70_000)];
      const events = texts.map((text, i) =>
        event(i + 1, JSON.stringify({ id: `e${i + 1}`, text })),
      );
      for (const e of events) conn.writeEventFrame(eventFrame(e.seq, e.json), e);
      conn.sendFrame({ type: 'pong', id: 'after' });
      await p.until(4);
      assert.deepEqual(p.received, [
        ...events.map((e) => `{"type":"event","seq":${e.seq},"event":${e.json}}`),
        '{"type":"pong","id":"after"}',
      ]);
      assert.equal(conn.bufferedBytes, p.server.bufferedAmount);
      conn.releaseHeld();
      assert.deepEqual(
        events.map((e) => e.holds),
        [0, 0, 0],
        'every retained frame released',
      );
    } finally {
      await p.close();
    }
  });
});
