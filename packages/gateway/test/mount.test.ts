import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { after, describe, it } from 'node:test';
import { createGateway, type Gateway } from '@agentwire/gateway';
import { ensureDebian, mintToken, TEST_API_KEY, TEST_SECRET, waitFor } from '@agentwire/testkit';
import { serve } from '@hono/node-server';
import { EventSource } from 'eventsource';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { pino } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { openClient } from './helpers/harness.js';

/**
 * The recipes of the gateway README, each on the real framework: the app keeps its own routes,
 * and the gateway's — the WebSocket with its auth, publishing, SSE, /metrics — live beside them.
 */
const newGateway = () =>
  createGateway({
    auth: { jwt: { secret: TEST_SECRET }, apiKeys: [TEST_API_KEY] },
    logger: pino({ level: 'silent' }),
    drainTimeoutMs: 300,
  });

interface Mounted {
  gateway: Gateway;
  url: string;
  close(): Promise<void>;
}

async function listening(server: Server): Promise<string> {
  if (!server.listening)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const recipes: Record<string, () => Promise<Mounted>> = {
  async 'Express 5'() {
    const gateway = newGateway();
    const app = express();
    // Before any body parser: the gateway reads its routes' bodies itself.
    app.use(async (req, res, next) =>
      (await gateway.handleRequest(req, res)) ? undefined : next(),
    );
    app.use(express.json());
    app.get('/hello', (_req, res) => {
      res.json({ from: 'express' });
    });
    const server = createServer(app);
    server.on(
      'upgrade',
      (req, socket, head) => gateway.handleUpgrade(req, socket, head) || socket.destroy(),
    );
    const url = await listening(server);
    return { gateway, url, close: () => closeAll(gateway, server) };
  },

  async 'Fastify 5'() {
    const gateway = newGateway();
    const app = Fastify();
    app.addHook('onRequest', async (request, reply) => {
      if (await gateway.handleRequest(request.raw, reply.raw)) reply.hijack();
    });
    app.get('/hello', async () => ({ from: 'fastify' }));
    app.server.on(
      'upgrade',
      (req: import('node:http').IncomingMessage, socket: Duplex, head: Buffer) => {
        if (!gateway.handleUpgrade(req, socket, head)) socket.destroy();
      },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = await listening(app.server);
    return {
      gateway,
      url,
      close: async () => {
        await gateway.close();
        await app.close();
      },
    };
  },

  async 'Hono (node server)'() {
    const gateway = newGateway();
    const app = new Hono();
    app.get('/hello', (c) => c.json({ from: 'hono' }));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    gateway.attach(server);
    await new Promise<void>((resolve) =>
      server.listening ? resolve() : server.once('listening', resolve),
    );
    const url = await listening(server);
    return { gateway, url, close: () => closeAll(gateway, server) };
  },

  async 'node:http attach'() {
    const gateway = newGateway();
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/hello' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/hello' ? { from: 'node:http' } : { error: 'app 404' }));
    });
    // The app's own WebSockets on another path stay the app's.
    const own = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (req.url === '/app-ws')
        own.handleUpgrade(req, socket, head, (ws) => ws.send('app socket'));
      else socket.destroy();
    });
    gateway.attach(server);
    const url = await listening(server);
    return {
      gateway,
      url,
      close: async () => {
        own.close();
        await closeAll(gateway, server);
      },
    };
  },
};

async function closeAll(gateway: Gateway, server: Server) {
  await gateway.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

for (const [name, mount] of Object.entries(recipes)) {
  describe(`mounted in ${name}`, () => {
    let mounted: Mounted;
    after(() => mounted?.close());

    it('serves the app’s routes and the gateway’s side by side: auth, publish, WebSocket, SSE, /metrics', async () => {
      mounted = await mount();
      const { url, gateway } = mounted;
      const hello = await fetch(`${url}/hello`);
      assert.equal(hello.status, 200);
      assert.ok(((await hello.json()) as { from: string }).from.length > 0);

      const token = await mintToken('alice');
      const wsUrl = `${url.replace('http', 'ws')}/ws`;
      const refused = openClient(wsUrl, { token: 'not-a-jwt' });
      await assert.rejects(refused.opened, (error: { status?: number }) => error.status === 401);
      const tab = openClient(wsUrl, { token });
      await tab.opened;
      await tab.until((f) => f[0]?.type === 'welcome', 5000, 'welcome');

      const sse: unknown[] = [];
      const source = new EventSource(`${url}/v1/stream`, {
        fetch: (input, init) =>
          fetch(input, {
            ...init,
            headers: { ...init?.headers, authorization: `Bearer ${token}` },
          }),
      });
      source.onmessage = (m) => sse.push(JSON.parse(m.data));
      await waitFor(() => sse.length === 1, 'SSE welcome');

      const unauthorized = await fetch(`${url}/v1/publish`, { method: 'POST', body: '{}' });
      assert.equal(unauthorized.status, 401);
      const published = await fetch(`${url}/v1/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          userId: 'alice',
          event: { type: 'agent_thinking', runId: 'r1', data: { text: 'mounted' } },
        }),
      });
      assert.equal(published.status, 200, await published.clone().text());
      assert.equal(((await published.json()) as { seq: number }).seq, 1);
      await tab.until((f) => f.some((x) => x.type === 'event'), 5000, 'the event over /ws');
      await waitFor(() => sse.length === 2, 'the event over SSE');
      source.close();

      const metrics = await fetch(`${url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /agentwire_publishes_total 1/);
      const ticket = await fetch(`${url}/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(ticket.status, 200);
      const readyz = await fetch(`${url}/readyz`);
      assert.equal(readyz.status, 200);
      assert.equal(gateway.stats().connections, 1);
      tab.ws.close();
    });

    it('leaves other paths, and other upgrades, to the app', async () => {
      const { url } = mounted;
      const missing = await fetch(`${url}/nope`);
      assert.equal(missing.status, 404);
      const body = await missing.text();
      assert.ok(!body.includes('no route for'), `the app's 404, not the gateway's: ${body}`);
      if (name === 'node:http attach') {
        const ws = new WebSocket(`${url.replace('http', 'ws')}/app-ws`);
        const first = await new Promise<string>((resolve, reject) => {
          ws.once('message', (data) => resolve(data.toString()));
          ws.once('error', reject);
        });
        assert.equal(first, 'app socket');
        ws.close();
      }
    });

    it('gateway.close() drains the gateway’s connections and leaves the app serving', async () => {
      const { url, gateway } = mounted;
      const tab = openClient(`${url.replace('http', 'ws')}/ws`, { token: await mintToken('bob') });
      await tab.opened;
      await gateway.close();
      assert.equal(await tab.closed, 1012);
      const hello = await fetch(`${url}/hello`);
      assert.equal(hello.status, 200);
    });
  });
}

describe('mounted on a node:https server', () => {
  it('takes wss:// upgrades and its HTTPS routes; the app keeps the rest', async (t) => {
    const missing = ensureDebian('/usr/bin/openssl', ['openssl']);
    if (missing) {
      if (process.env.CI) throw new Error(missing);
      t.skip(missing);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'agentwire-tls-'));
    const made = spawnSync(
      '/usr/bin/openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore', timeout: 60_000 },
    );
    assert.equal(made.status, 0, 'openssl made a test certificate');
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('app'),
    );
    rmSync(dir, { recursive: true, force: true });
    const gateway = newGateway().attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        httpsGet({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        }).on('error', reject);
      });
    try {
      assert.deepEqual(await get('/hello'), { status: 200, body: 'app' });
      const healthz = await get('/healthz');
      assert.equal(healthz.status, 200);
      assert.match(healthz.body, /"ok"/);
      const ws = new WebSocket(
        `wss://127.0.0.1:${port}/ws`,
        ['agentwire.v1', `bearer.${await mintToken('alice')}`],
        {
          rejectUnauthorized: false,
        },
      );
      const welcome = await new Promise<string>((resolve, reject) => {
        ws.once('message', (data) => resolve(data.toString()));
        ws.once('error', reject);
      });
      assert.equal(JSON.parse(welcome).type, 'welcome');
      ws.close();
    } finally {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
