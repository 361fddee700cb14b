/**
 * The servers under test, each behind the same small interface so that one driver publishes the
 * same events to all of them. Each runs in its own fresh process (bench/server.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway, RunEmitter } from '@agentwire/gateway';
import * as agentwire from '@agentwire/gateway';
import { Server as SocketIoServer } from 'socket.io';
import { type WebSocket, WebSocketServer } from 'ws';
import { BENCH_SECRET, type BenchEventType, type TargetName, userId } from './workload.js';

/** One agent run of one user, as the application sees it. */
export interface RunHandle {
  emit(type: BenchEventType, data: Record<string, unknown>): void;
}

export interface ServerTarget {
  listen(): Promise<number>;
  startRun(user: number, runIndex: number): RunHandle;
  close(): Promise<void>;
}

function fail(error: unknown): void {
  console.error('publish failed', error);
  process.exitCode = 1;
}

/** agentwire: memory engine with default history (1,000 events / 15 min) and metrics on. */
class AgentwireTarget implements ServerTarget {
  private readonly gateway: Gateway;

  private readonly engine: agentwire.Engine | undefined;

  constructor(gateway: typeof agentwire, redisUrl?: string) {
    // BENCH_HISTORY_EVENTS: history per user for diagnostics (default: the gateway's, 1,000).
    const maxEvents = Number(process.env.BENCH_HISTORY_EVENTS ?? 0);
    // The Redis engine with the memory engine's default history (1,000 events / 15 min).
    this.engine =
      redisUrl === undefined
        ? undefined
        : new gateway.RedisEngine({
            url: redisUrl,
            // BENCH_REDIS_AUTOPIPELINING=1 (diagnostics): ioredis sends the commands of one
            // event-loop turn in one write instead of one write per command.
            ...(process.env.BENCH_REDIS_AUTOPIPELINING === '1' && {
              redisOptions: { enableAutoPipelining: true },
            }),
            history: { maxEvents: maxEvents > 0 ? maxEvents : 1000, maxAgeMs: 15 * 60_000 },
          });
    this.gateway = gateway.createGateway({
      auth: { jwt: { secret: BENCH_SECRET }, apiKeys: ['bench-api-key-0123456789'] },
      ...(this.engine && { engine: this.engine }),
      ...(maxEvents > 0 && { history: { maxEvents } }),
      // BENCH_HEARTBEAT_MS: ping interval for diagnostics (default: the gateway's, 30 s).
      ...(process.env.BENCH_HEARTBEAT_MS && {
        heartbeatMs: Number(process.env.BENCH_HEARTBEAT_MS),
      }),
    });
  }

  async listen(): Promise<number> {
    return (await this.gateway.listen(0, '127.0.0.1')).port;
  }

  startRun(user: number, runIndex: number): RunHandle {
    const run: RunEmitter = this.gateway
      .forUser(userId(user))
      .run({ runId: `run_${user}_${runIndex}`, threadId: `th_${user}` });
    return {
      emit(type, data) {
        // biome-ignore lint/suspicious/noExplicitAny: the marker field rides along in `data`
        run.emit(type, data as any).catch(fail);
      },
    };
  }

  async close(): Promise<void> {
    await this.gateway.close();
    await this.engine?.close();
  }
}

/** The floor: a Map<userId, Set<socket>> and `send`, user id from the query string. */
class MinimalWsTarget implements ServerTarget {
  private readonly users = new Map<string, Set<WebSocket>>();
  private readonly server = createServer((_req, res) => res.writeHead(404).end());
  private readonly wss = new WebSocketServer({
    server: this.server,
    perMessageDeflate: false,
    clientTracking: false,
  });

  constructor() {
    this.wss.on('connection', (ws, req) => {
      const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user') ?? '';
      let set = this.users.get(user);
      if (!set) {
        set = new Set();
        this.users.set(user, set);
      }
      set.add(ws);
      ws.on('error', () => {});
      ws.on('close', () => {
        set.delete(ws);
        if (set.size === 0) this.users.delete(user);
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  startRun(user: number, runIndex: number): RunHandle {
    const id = userId(user);
    const runId = `run_${user}_${runIndex}`;
    const threadId = `th_${user}`;
    const users = this.users;
    return {
      emit(type, data) {
        const sockets = users.get(id);
        if (!sockets) return;
        const frame = JSON.stringify({ type: 'event', event: { type, runId, threadId, data } });
        for (const ws of sockets) ws.send(frame);
      },
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Socket.IO 4: one room per user, websocket transport only; optionally connection-state recovery. */
class SocketIoTarget implements ServerTarget {
  private readonly server = createServer();
  private readonly io: SocketIoServer;

  constructor(recovery: boolean) {
    this.io = new SocketIoServer(this.server, {
      transports: ['websocket'],
      serveClient: false,
      perMessageDeflate: false,
      ...(recovery && {
        connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
      }),
    });
    this.io.on('connection', (socket) => {
      const user = (socket.handshake.auth as { userId?: unknown }).userId;
      if (typeof user !== 'string') {
        socket.disconnect(true);
        return;
      }
      socket.join(user);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  startRun(user: number, runIndex: number): RunHandle {
    const room = this.io.to(userId(user));
    const runId = `run_${user}_${runIndex}`;
    const threadId = `th_${user}`;
    return {
      emit(type, data) {
        room.emit('event', { type, runId, threadId, data });
      },
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}

export async function createTarget(name: TargetName): Promise<ServerTarget> {
  switch (name) {
    case 'agentwire':
      return new AgentwireTarget(agentwire);
    case 'agentwire-base': {
      // Another build of the gateway (e.g. before an optimisation), for A/B runs in one bench.
      const path = process.env.BENCH_BASE_GATEWAY;
      if (!path) throw new Error('agentwire-base needs BENCH_BASE_GATEWAY=<path to dist/index.js>');
      return new AgentwireTarget((await import(path)) as typeof agentwire);
    }
    case 'agentwire-redis': {
      // One of several gateway processes on one redis-server (bench/run.ts starts them).
      const url = process.env.BENCH_REDIS_URL;
      if (!url) throw new Error('agentwire-redis needs BENCH_REDIS_URL');
      return new AgentwireTarget(agentwire, url);
    }
    case 'ws':
      return new MinimalWsTarget();
    case 'socketio':
      return new SocketIoTarget(false);
    case 'socketio-csr':
      return new SocketIoTarget(true);
  }
}
