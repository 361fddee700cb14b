/**
 * The reconnect storm's clients (bench/storm.ts): one process, one real SDK client per user —
 * `@agentwire/client` or `socket.io-client` with connection-state recovery — each killed at random
 * (its TCP connection dropped, no close frame) and back after the SDK's ~2 s reconnect delay.
 * Every delivery carries the marker `"x":"<user>:<n>:<t>"` (lib/workload.ts): the client counts
 * each user's events exactly (delivered, duplicates, missing) and, for every reconnect, the time
 * from the attempt's start until the last event published before it has arrived ("caught up").
 *
 *   node --import tsx bench/storm-client.ts '<json StormClientConfig>'
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type AgentwireClient, connect, type Transport } from '@agentwire/client';
import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { nowUs, userId } from './lib/workload.js';

export interface StormClientConfig {
  target: 'agentwire' | 'socketio-csr';
  port: number;
  users: number;
  secret: string;
  /** Each client is killed after a random time in [killMinMs, killMaxMs] since its last kill. */
  killMinMs: number;
  killMaxMs: number;
  /** How long a killed client stays away before its reconnect attempt starts. */
  downMs: number;
}

export type StormClientCommand =
  | { cmd: 'storm-start' }
  | { cmd: 'storm-stop' }
  | { cmd: 'report'; expected: number[]; waitMs: number }
  | { cmd: 'exit' };

export interface StormReport {
  type: 'report';
  clients: number;
  kills: number;
  /** Reconnects whose catch-up was measured. */
  reconnects: number;
  expected: number;
  /** Distinct events delivered (each user's n counted once). */
  delivered: number;
  duplicates: number;
  missing: number;
  /** agentwire: `resync` frames; Socket.IO: reconnects where `socket.recovered` was false. */
  notRecovered: number;
  /** Clients not connected when the report was taken. */
  disconnected: number;
  catchUpMs: { p50: number; p99: number; max: number };
  /** The time from the attempt's start until the socket was ready (handshake, auth, recovery). */
  handshakeMs: { p50: number; p99: number };
  /** From the socket's readiness (welcome / CONNECT) until caught up: the replay alone. */
  replayMs: { p50: number; p99: number };
  /** This process's event-loop delay during the storm (a busy client delays every measure). */
  clientLoopDelayMs: { p99: number; max: number };
}

const config = JSON.parse(process.argv[2] ?? '{}') as StormClientConfig;
const send = (msg: object) => process.send?.(msg);

interface Tab {
  user: number;
  /** Highest n delivered; events arrive in order per user. */
  lastN: number;
  delivered: number;
  duplicates: number;
  missing: number;
  connected: boolean;
  /** Start (µs) of the reconnect attempt whose catch-up is still open. */
  attemptAt: number | undefined;
  /** When that attempt's socket was ready (welcome / CONNECT). */
  readyAt: number;
  /** Receipt time (µs) of the previous event. */
  previousAt: number;
  kill: () => void;
  killTimer: NodeJS.Timeout | undefined;
}

const tabs: Tab[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const catchUps: number[] = [];
const handshakes: number[] = [];
/** From the socket's readiness to caught up: the replay alone. */
const replays: number[] = [];
let kills = 0;
let notRecovered = 0;
let storming = false;

function newTab(user: number, kill: () => void): Tab {
  return {
    user,
    lastN: -1,
    delivered: 0,
    duplicates: 0,
    missing: 0,
    connected: false,
    attemptAt: undefined,
    readyAt: 0,
    previousAt: 0,
    kill,
    killTimer: undefined,
  };
}

/** One delivery with marker `u:n:t`. */
function onDelivery(tab: Tab, marker: unknown): void {
  const now = nowUs();
  const [u, n, t] = String(marker).split(':').map(Number) as [number, number, number];
  if (u !== tab.user) throw new Error(`user ${tab.user} got an event of user ${u}`);
  if (n <= tab.lastN) {
    tab.duplicates++;
    return;
  }
  if (n > tab.lastN + 1) tab.missing += n - tab.lastN - 1;
  tab.lastN = n;
  tab.delivered++;
  if (tab.attemptAt !== undefined && t >= tab.attemptAt) {
    // The first event published after the attempt started: everything before it has arrived.
    catchUps.push(Math.max(0, tab.previousAt - tab.attemptAt));
    // Only when this attempt's readiness was seen before (a later attempt may not have been).
    if (tab.readyAt >= tab.attemptAt) replays.push(Math.max(0, tab.previousAt - tab.readyAt));
    tab.attemptAt = undefined;
  }
  tab.previousAt = now;
}

function attemptStarted(tab: Tab): void {
  tab.attemptAt = nowUs();
}

function ready(tab: Tab): void {
  tab.connected = true;
  tab.readyAt = nowUs();
  if (tab.attemptAt !== undefined) handshakes.push(tab.readyAt - tab.attemptAt);
}

function scheduleKill(tab: Tab): void {
  clearTimeout(tab.killTimer);
  if (!storming) return;
  const delay = config.killMinMs + Math.random() * (config.killMaxMs - config.killMinMs);
  tab.killTimer = setTimeout(() => {
    if (!storming) return;
    if (tab.connected) {
      kills++;
      tab.connected = false;
      tab.kill();
    }
    scheduleKill(tab);
  }, delay);
}

async function agentwireTab(user: number, token: string): Promise<Tab> {
  let current: WebSocket | undefined;
  let opened = 0;
  const tab = newTab(user, () => current?.terminate());
  // nodeTransport's behaviour, keeping the socket so that the storm can drop it.
  const transport: Transport = (url, protocols, handlers) => {
    if (opened++ > 0) attemptStarted(tab);
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    current = ws;
    ws.on('open', () => handlers.open());
    ws.on('message', (data) => handlers.message(data.toString()));
    ws.on('error', () => {});
    ws.on('close', (code, reason) => {
      tab.connected = false;
      handlers.close(code, reason.toString());
    });
    return {
      send: (text) => ws.send(text),
      close: (code, reason) => {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(code, reason);
      },
    };
  };
  const client: AgentwireClient = connect({
    url: `ws://127.0.0.1:${config.port}/ws`,
    token: () => token,
    transport,
    onResync: () => {
      notRecovered++;
    },
    // Back after downMs, every time: no growing backoff in the storm.
    reconnect: { minDelayMs: config.downMs, initialDelayMs: 1, maxDelayMs: config.downMs + 1 },
  });
  client.on('event', ({ event }) => onDelivery(tab, (event.data as { x?: unknown }).x));
  client.on('welcome', () => ready(tab));
  await new Promise<void>((resolve) => {
    const off = client.on('welcome', () => {
      off();
      resolve();
    });
  });
  return tab;
}

async function socketIoTab(user: number): Promise<Tab> {
  const socket: Socket = io(`http://127.0.0.1:${config.port}`, {
    transports: ['websocket'],
    auth: { userId: userId(user) },
    reconnectionDelay: config.downMs,
    reconnectionDelayMax: config.downMs,
    randomizationFactor: 0,
  });
  const engine = () =>
    (socket.io as unknown as { engine?: { transport?: { ws?: WebSocket } } }).engine;
  const tab = newTab(user, () => engine()?.transport?.ws?.terminate());
  let connects = 0;
  socket.io.on('reconnect_attempt', () => attemptStarted(tab));
  socket.on('event', (payload: { data?: { x?: unknown } }) => onDelivery(tab, payload.data?.x));
  socket.on('disconnect', () => {
    tab.connected = false;
  });
  await new Promise<void>((resolve) => {
    socket.on('connect', () => {
      if (connects++ > 0 && !socket.recovered) notRecovered++;
      ready(tab);
      resolve();
    });
  });
  return tab;
}

async function mintToken(user: number): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId(user))
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3 * 3600)
    .sign(new TextEncoder().encode(config.secret));
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function report(expected: number[], waitMs: number): Promise<StormReport> {
  const want = (tab: Tab) => expected[tab.user] ?? 0;
  const until = Date.now() + waitMs;
  while (
    Date.now() < until &&
    tabs.some((tab) => !tab.connected || tab.delivered + tab.missing < want(tab))
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let delivered = 0;
  let duplicates = 0;
  let missing = 0;
  let total = 0;
  for (const tab of tabs) {
    total += want(tab);
    delivered += tab.delivered;
    duplicates += tab.duplicates;
    // Missing: gaps seen, and whatever never arrived at the end.
    missing += tab.missing + Math.max(0, want(tab) - tab.delivered - tab.missing);
  }
  const sorted = [...catchUps].sort((a, b) => a - b);
  const hs = [...handshakes].sort((a, b) => a - b);
  const rp = [...replays].sort((a, b) => a - b);
  return {
    type: 'report',
    clients: tabs.length,
    kills,
    reconnects: catchUps.length,
    expected: total,
    delivered,
    duplicates,
    missing,
    notRecovered,
    disconnected: tabs.filter((t) => !t.connected).length,
    catchUpMs: {
      p50: percentile(sorted, 0.5) / 1000,
      p99: percentile(sorted, 0.99) / 1000,
      max: (sorted[sorted.length - 1] ?? Number.NaN) / 1000,
    },
    handshakeMs: { p50: percentile(hs, 0.5) / 1000, p99: percentile(hs, 0.99) / 1000 },
    replayMs: { p50: percentile(rp, 0.5) / 1000, p99: percentile(rp, 0.99) / 1000 },
    clientLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  };
}

process.on('message', (msg: StormClientCommand) => {
  switch (msg.cmd) {
    case 'storm-start':
      storming = true;
      loopDelay.enable();
      for (const tab of tabs) scheduleKill(tab);
      return;
    case 'storm-stop':
      storming = false;
      loopDelay.disable();
      for (const tab of tabs) clearTimeout(tab.killTimer);
      return;
    case 'report':
      void report(msg.expected, msg.waitMs).then(send);
      return;
    case 'exit':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

const CONCURRENCY = 64;
let next = 0;
const started = Date.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < config.users) {
      const user = next++;
      tabs[user] =
        config.target === 'agentwire'
          ? await agentwireTab(user, await mintToken(user))
          : await socketIoTab(user);
    }
  }),
);
send({ type: 'ready', connectMs: Date.now() - started });
