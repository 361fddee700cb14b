/**
 * The lean receiving client: one process, many sockets, `ws` for the handshake and for sending,
 * and once a socket is live its frames read straight from the TCP bytes (lib/frames.ts), the same
 * for every target. For every delivery it checks isolation (the marker's user is the socket's
 * user) and order (the marker's per-user index is the previous one + 1; for agentwire also `seq`
 * + 1), and records latency while measuring. It speaks just enough of each target's protocol:
 * agentwire.v1 (bearer JWT subprotocol, `welcome` first), plain frames for the minimal ws server,
 * and Engine.IO 4 / Socket.IO 5 packets for Socket.IO.
 *
 *   node --import tsx bench/client.ts '<json ClientConfig>'
 */

import type { Socket } from 'node:net';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { FrameReader } from './lib/frames.js';
import { watchGc } from './lib/gc.js';
import { nowUs, type TargetName, userId } from './lib/workload.js';

export interface ClientConfig {
  target: TargetName;
  port: number;
  /**
   * Several gateway processes: a user's k-th socket goes to `ports[k % ports.length]` (its tabs
   * spread over all of them), and progress counts deliveries per publishing node (user % nodes).
   */
  ports?: number[];
  users: number;
  perUser: number;
  secret: string;
}

export type ClientCommand =
  | { cmd: 'mark'; measure: boolean }
  | { cmd: 'report'; expected: number[] }
  | { cmd: 'exit' };

export interface ClientMark {
  type: 'mark';
  t: number;
  cpuUs: number;
  /** Times the process went to sleep waiting (voluntary context switches) so far. */
  sleeps: number;
  received: number;
}

export interface ClientReport {
  type: 'report';
  received: number;
  lost: number;
  duplicated: number;
  misrouted: number;
  outOfOrder: number;
  seqErrors: number;
  unexpected: number;
  closed: number;
  latency: { count: number; p50: number; p99: number; max: number };
  /** BENCH_TIMELINE only: the measured window in 100-ms buckets of receipt time, and this process's GC. */
  timeline?: Timeline;
}

export interface Timeline {
  /** Monotonic µs at which bucket 0 starts. */
  t0: number;
  bucketUs: number;
  count: number[];
  /** Deliveries later than TIMELINE_LATE_US. */
  late: number[];
  maxUs: number[];
  /** GC pauses of this process: monotonic start µs, duration µs, kind (perf_hooks gc kind). */
  gc: [number, number, number][];
}

/** For diagnostics: a delivery later than this counts as late in the timeline. */
export const TIMELINE_LATE_US = 1_000;

const config = JSON.parse(process.argv[2] ?? '{}') as ClientConfig;
const send = (msg: object) => process.send?.(msg);
const total = config.users * config.perUser;

const sockUser = new Uint32Array(total);
const lastN = new Float64Array(total).fill(-1);
const lastSeq = new Float64Array(total);
const receivedBy = new Uint32Array(total);
const ports = config.ports ?? [config.port];
/** Deliveries per publishing node: user u's events are published by node u % ports.length. */
const receivedByNode = new Array<number>(ports.length).fill(0);
const sockets: WebSocket[] = [];
let received = 0;
let misrouted = 0;
let outOfOrder = 0;
let seqErrors = 0;
let unexpected = 0;
let closed = 0;
let finished = false;

const LAT_CAP = 4_000_000;
const latency = new Uint32Array(LAT_CAP);
let latCount = 0;
let measuring = false;

// BENCH_TIMELINE (diagnostics): where in the measured window the slow deliveries fall.
const timelineOn = Boolean(process.env.BENCH_TIMELINE);
const BUCKET_US = 100_000;
const BUCKETS = 600;
const tlCount = new Uint32Array(BUCKETS);
const tlLate = new Uint32Array(BUCKETS);
const tlMax = new Uint32Array(BUCKETS);
let tlT0 = 0;
// Only for BENCH_TIMELINE: the client observes its GC pauses for nothing else.
const gcWatch = timelineOn ? watchGc(true) : undefined;

function timelineRecord(now: number, lat: number): void {
  const b = Math.floor((now - tlT0) / BUCKET_US);
  if (b < 0 || b >= BUCKETS) return;
  tlCount[b] = (tlCount[b] as number) + 1;
  if (lat > TIMELINE_LATE_US) tlLate[b] = (tlLate[b] as number) + 1;
  if (lat > (tlMax[b] as number)) tlMax[b] = lat;
}

const MARK = Buffer.from('"x":"');
const AW_EVENT = Buffer.from('{"type":"event","seq":');
const AW_WELCOME = Buffer.from('{"type":"welcome"');

/** Parses the non-negative decimal integer at `p`; returns it and leaves the end in `parseEnd`. */
let parseEnd = 0;
function digits(buf: Buffer, p: number): number {
  let v = 0;
  let c = buf[p] as number;
  while (c >= 48 && c <= 57) {
    v = v * 10 + (c - 48);
    c = buf[++p] as number;
  }
  parseEnd = p;
  return v;
}

/** Checks one delivery: the frame `buf[from, end)` must carry a marker `"x":"<user>:<n>:<t>"`. */
function onEvent(i: number, buf: Buffer, from: number, end: number): void {
  const at = buf.indexOf(MARK, from);
  if (at < 0 || at >= end) {
    unexpected++;
    return;
  }
  const u = digits(buf, at + MARK.length);
  const n = digits(buf, parseEnd + 1);
  const t = digits(buf, parseEnd + 1);
  received++;
  receivedBy[i] = (receivedBy[i] as number) + 1;
  if (ports.length > 1) {
    const node = (sockUser[i] as number) % ports.length;
    receivedByNode[node] = (receivedByNode[node] as number) + 1;
  }
  if (u !== sockUser[i]) {
    misrouted++;
    return;
  }
  if (n !== (lastN[i] as number) + 1) outOfOrder++;
  lastN[i] = n;
  if (measuring && latCount < LAT_CAP) {
    const now = nowUs();
    latency[latCount++] = now - t;
    if (timelineOn) timelineRecord(now, now - t);
  }
}

function startsWith(buf: Buffer, at: number, end: number, prefix: Buffer): boolean {
  return (
    end - at >= prefix.length && buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0
  );
}

/** A text frame's payload `buf[start, end)` on socket `i`, once the socket is live. */
type OnText = (i: number, ws: WebSocket, buf: Buffer, start: number, end: number) => void;

const ON_TEXT: Record<'agentwire' | 'ws' | 'socketio', OnText> = {
  agentwire(i, _ws, buf, start, end) {
    if (!startsWith(buf, start, end, AW_EVENT)) {
      unexpected++;
      return;
    }
    const seq = digits(buf, start + AW_EVENT.length);
    if (seq !== (lastSeq[i] as number) + 1) seqErrors++;
    lastSeq[i] = seq;
    onEvent(i, buf, parseEnd, end);
  },
  ws(i, _ws, buf, start, end) {
    onEvent(i, buf, start, end);
  },
  socketio(i, ws, buf, start, end) {
    const c0 = buf[start];
    if (c0 === 0x34 /* 4: message */ && buf[start + 1] === 0x32 /* 2: EVENT */)
      onEvent(i, buf, start + 2, end);
    else if (c0 === 0x32 /* 2: ping */ && end - start === 1) ws.send('3');
    else unexpected++;
  },
};

/**
 * Once a socket is live, its frames are read straight from the TCP bytes instead of through
 * ws's receiver (a Writable stream, a parse loop, an event and several objects per frame), for
 * two reasons. The client has to cost less per delivery than any server it measures. And in this
 * one process with thousands of sockets, V8's allocation-site pretenuring turned ws's per-frame
 * objects into survivors (dead old-space objects keeping them alive through the remembered set):
 * 7–11 ms scavenges that were the whole 4,000-socket p99 tail (docs/benchmarks.md). `ws` still
 * did the handshake and still sends (pongs, Socket.IO's "3"); server frames are unmasked (RFC 6455
 * §5.1). Anything but a whole, unfragmented text frame or a control frame counts as unexpected.
 */
function readFramesDirectly(i: number, ws: WebSocket, onText: OnText): void {
  const internals = ws as unknown as {
    _socket: Socket;
    _receiver: { _bufferedBytes: number };
  };
  const socket = internals._socket;
  if (internals._receiver._bufferedBytes !== 0) {
    throw new Error(`socket ${i}: bytes already buffered in ws when it went live`);
  }
  socket.removeAllListeners('data'); // ws's receiver feed; its 'close'/'end'/'error' stay
  const reader = new FrameReader();
  const onFrame = (b0: number, buf: Buffer, start: number, end: number) => {
    if (b0 === 0x81 /* FIN, text */) onText(i, ws, buf, start, end);
    else if (b0 === 0x89 /* ping */) ws.pong(buf.subarray(start, end));
    else if (b0 === 0x88 /* close */) ws.terminate();
    else if (b0 !== 0x8a /* pong */) unexpected++;
  };
  socket.on('data', (chunk: Buffer) => {
    if (!reader.push(chunk, onFrame)) {
      unexpected++;
      ws.terminate();
    }
  });
}

const tokens: string[] = [];
async function mintTokens(): Promise<void> {
  const key = new TextEncoder().encode(config.secret);
  const exp = Math.floor(Date.now() / 1000) + 3 * 3600;
  for (let u = 0; u < config.users; u++) {
    tokens.push(
      await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId(u))
        .setExpirationTime(exp)
        .sign(key),
    );
  }
}

/** Opens socket `i`; resolves when the target has registered it (welcome / CONNECT / open). */
function open(i: number): Promise<void> {
  const user = Math.floor(i / config.perUser);
  sockUser[i] = user;
  const base = `ws://127.0.0.1:${ports[(i % config.perUser) % ports.length]}`;
  const options = { perMessageDeflate: false, skipUTF8Validation: true } as const;
  return new Promise<void>((resolve, reject) => {
    let ws: WebSocket;
    let ready = false;
    const done = (onText: OnText) => {
      ready = true;
      // After ws has finished with the frame that made the socket ready.
      setImmediate(() => {
        try {
          readFramesDirectly(i, ws, onText);
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    };
    switch (config.target) {
      case 'agentwire':
      case 'agentwire-base':
      case 'agentwire-redis': {
        ws = new WebSocket(
          `${base}/ws`,
          ['agentwire.v1', `bearer.${tokens[user] as string}`],
          options,
        );
        ws.on('message', (buf: Buffer) => {
          if (ready || !startsWith(buf, 0, buf.length, AW_WELCOME)) {
            unexpected++;
            return;
          }
          const welcome = JSON.parse(buf.toString()) as { userId: string; seq: number };
          if (welcome.userId !== userId(user)) misrouted++;
          lastSeq[i] = welcome.seq;
          done(ON_TEXT.agentwire);
        });
        break;
      }
      case 'ws':
        ws = new WebSocket(`${base}/?user=${userId(user)}`, options);
        ws.on('open', () => done(ON_TEXT.ws));
        ws.on('message', () => unexpected++);
        break;
      default:
        ws = new WebSocket(`${base}/socket.io/?EIO=4&transport=websocket`, options);
        ws.on('message', (buf: Buffer) => {
          const c0 = buf[0];
          if (!ready && c0 === 0x34 /* 4: message */ && buf[1] === 0x30 /* 0: CONNECT */)
            done(ON_TEXT.socketio);
          else if (!ready && c0 === 0x30 /* 0: open */)
            ws.send(`40${JSON.stringify({ userId: userId(user) })}`);
          else unexpected++;
        });
    }
    ws.on('error', (error) => {
      if (!ready) reject(error);
    });
    ws.on('close', () => {
      if (!ready) reject(new Error(`socket ${i} closed before it was ready`));
      else if (!finished) closed++;
    });
    sockets[i] = ws;
  });
}

async function connectAll(): Promise<void> {
  const CONCURRENCY = 128;
  let next = 0;
  const worker = async () => {
    while (next < total) await open(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function report(expected: number[]): ClientReport {
  let lost = 0;
  let duplicated = 0;
  for (let i = 0; i < total; i++) {
    const want = expected[sockUser[i] as number] ?? 0;
    const got = receivedBy[i] as number;
    if (got < want) lost += want - got;
    else duplicated += got - want;
  }
  const lat = latency.subarray(0, latCount).sort();
  const pick = (q: number) =>
    latCount ? (lat[Math.min(latCount - 1, Math.floor(q * latCount))] as number) : 0;
  const result: ClientReport = {
    type: 'report',
    received,
    lost,
    duplicated,
    misrouted,
    outOfOrder,
    seqErrors,
    unexpected,
    closed,
    latency: {
      count: latCount,
      p50: pick(0.5),
      p99: pick(0.99),
      max: latCount ? (lat[latCount - 1] as number) : 0,
    },
  };
  if (timelineOn) {
    const used =
      Math.max(...Array.from(tlCount.keys()).filter((b) => (tlCount[b] as number) > 0), 0) + 1;
    result.timeline = {
      t0: tlT0,
      bucketUs: BUCKET_US,
      count: Array.from(tlCount.subarray(0, used)),
      late: Array.from(tlLate.subarray(0, used)),
      maxUs: Array.from(tlMax.subarray(0, used)),
      gc: (gcWatch?.pauses ?? []).filter(([at, us]) => at + us >= tlT0),
    };
    tlCount.fill(0);
    tlLate.fill(0);
    tlMax.fill(0);
  }
  latCount = 0;
  return result;
}

process.on('message', (msg: ClientCommand) => {
  switch (msg.cmd) {
    case 'mark': {
      const u = process.cpuUsage();
      const sleeps = process.resourceUsage().voluntaryContextSwitches;
      send({
        type: 'mark',
        t: nowUs(),
        cpuUs: u.user + u.system,
        sleeps,
        received,
      } satisfies ClientMark);
      if (msg.measure) {
        latCount = 0;
        tlT0 = nowUs();
      }
      measuring = msg.measure;
      return;
    }
    case 'report':
      send(report(msg.expected));
      return;
    case 'exit':
      finished = true;
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

if (config.target.startsWith('agentwire')) await mintTokens();
const t0 = Date.now();
await connectAll();
const connectMs = Date.now() - t0;
// Connecting thousands of sockets (and minting their tokens) leaves garbage that would otherwise be
// collected by a full GC of this process in the first seconds of the load, delaying deliveries
// then; collect it before the server starts publishing (run.ts starts the client with --expose-gc).
const gc = (globalThis as { gc?: () => void }).gc;
for (let k = 0; k < 2; k++) gc?.();
send({ type: 'ready', connectMs });

// Progress, relayed to the server as credit for the saturation window.
let lastSent = -1;
setInterval(() => {
  if (received !== lastSent) {
    lastSent = received;
    send({ type: 'progress', received, byNode: receivedByNode });
  }
}, 5).unref();
