/**
 * One target server in a fresh process, driven over IPC by bench/run.ts. It publishes in-process
 * (agentwire through `forUser(…).run()`), either paced at a fixed rate or as fast as the client's
 * credit allows (saturation), and reports its own CPU time and memory.
 *
 *   node --expose-gc --import tsx bench/server.ts <target>
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { watchGc } from './lib/gc.js';
import { createTarget, type RunHandle } from './lib/targets.js';
import {
  AGENT_RUN,
  agentRunData,
  nowUs,
  type TargetName,
  tokenData,
  type Workload,
} from './lib/workload.js';

export type PublishMode = 'paced' | 'saturate' | 'flood' | 'burst';

/** Events a run emits in one synchronous loop in the burst workload. */
export const BURST = 50;

export type ServerCommand =
  | {
      cmd: 'start';
      /**
       * paced: a fixed rate; saturate: as fast as the credit window allows; flood: one event to
       * every user per event-loop turn, no window (the client's backlog grows); burst: the
       * credit window, each publish a run emitting BURST events in one synchronous loop.
       */
      mode: PublishMode;
      workload: Workload;
      users: number;
      perUser: number;
      /** Streams per user (stream workload). */
      runsPerUser: number;
      /** Paced: deliveries per second. */
      rate: number;
      /** Saturate: deliveries in flight (published × perUser − received by the client). */
      window: number;
      /**
       * Several gateway processes (the Redis engine): this one publishes for the users
       * `node, node + nodes, …`; `users` is its share. Its counts are indexed by share.
       */
      node?: number;
      nodes?: number;
    }
  | { cmd: 'credit'; received: number }
  | { cmd: 'mark' }
  | { cmd: 'stop' }
  | { cmd: 'mem' }
  | { cmd: 'profile-start' }
  | { cmd: 'profile-stop'; path: string }
  | { cmd: 'exit' };

export interface ServerMark {
  type: 'mark';
  t: number;
  cpuUs: number;
  /** Main-thread GC pause time so far (µs), from the `gc` performance entries. */
  gcPauseUs: number;
  /** CPU time so far (µs) of the process's other threads: V8's GC and compiler helpers, libuv. */
  helperCpuUs: number;
  /** Times the process went to sleep waiting (voluntary context switches) so far. */
  sleeps: number;
  published: number;
  /** Peak RSS of the process so far. */
  maxRssKb: number;
}

export interface ServerStopped {
  type: 'stopped';
  published: number;
  counts: number[];
  maxRssKb: number;
  behind: number;
  /** Paced: the longest gap between driver ticks (due every 1 ms) and how many exceeded 5 ms. */
  maxTickGapUs: number;
  slowTicks: number;
  /** BENCH_TIMELINE only, from the first mark: GC pauses [monotonic start µs, µs, kind] and slow ticks [end µs, gap µs]. */
  gc?: [number, number, number][];
  slowTickAt?: [number, number][];
}

export interface ServerMem {
  type: 'mem';
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const target = await createTarget(process.argv[2] as TargetName);
const send = (msg: object) => process.send?.(msg);

// Publishing state. Counts are per user and never reset: the client checks n = 0, 1, 2, …
let counts = new Uint32Array(0);
let runs: (RunHandle | undefined)[] = [];
let steps = new Uint32Array(0);
let tokens = new Uint32Array(0);
let slots = 0;
let cursor = 0;
let runCounter = 0;
let published = 0;
let received = 0;
let running = false;
let config: Extract<ServerCommand, { cmd: 'start' }> | undefined;
let timer: NodeJS.Timeout | undefined;
let scheduled = false;
/** Paced: publishes that were due but not yet made at the end of the phase (the server fell behind). */
let behind = 0;

function ensureState(users: number, runsPerUser: number): void {
  const wanted = users * runsPerUser;
  if (counts.length !== users) counts = new Uint32Array(users);
  if (slots !== wanted) {
    slots = wanted;
    runs = new Array(wanted).fill(undefined);
    steps = new Uint32Array(wanted);
    tokens = new Uint32Array(wanted);
    cursor = 0;
  }
}

function nextSlot(): number {
  const slot = cursor;
  cursor = cursor + 1 === slots ? 0 : cursor + 1;
  return slot;
}

function publishOne(cfg: Extract<ServerCommand, { cmd: 'start' }>, slot = nextSlot()): void {
  // Consecutive slots belong to different users; a user's streams are `users` slots apart.
  const local = slot % cfg.users;
  const user = local * (cfg.nodes ?? 1) + (cfg.node ?? 0);
  const n = counts[local] as number;
  counts[local] = n + 1;
  const marker = `${user}:${n}:${nowUs()}`;
  if (cfg.workload === 'agent-run') {
    const step = steps[slot] as number;
    let run = runs[slot];
    if (step === 0 || !run) {
      run = target.startRun(user, runCounter++);
      runs[slot] = run;
    }
    run.emit(AGENT_RUN[step] as (typeof AGENT_RUN)[number], agentRunData(step, marker));
    steps[slot] = step === AGENT_RUN.length - 1 ? 0 : step + 1;
  } else {
    let run = runs[slot];
    if (!run) {
      run = target.startRun(user, slot);
      runs[slot] = run;
    }
    const k = tokens[slot] as number;
    tokens[slot] = k + 1;
    run.emit('agent_message', tokenData(slot, k, marker));
  }
  published++;
}

// BENCH_TIMELINE (diagnostics): this process's GC pauses and slow driver ticks, with times.
const timelineOn = Boolean(process.env.BENCH_TIMELINE);
const gcWatch = watchGc(timelineOn);
const slowTickAt: [number, number][] = [];

/**
 * CPU time (µs) of this process's threads other than the main one, from /proc (Linux; 0
 * elsewhere). `process.cpuUsage()` includes them: this shows how much of it was V8's background
 * GC (concurrent marking, sweeping) and compiler threads rather than the event loop.
 */
function helperCpuUs(): number {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let ticks = 0;
  for (const tid of tids) {
    if (Number(tid) === process.pid) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended in between (V8's and libuv's threads live as long as the process)
    }
    // Fields after the command name: state is the first; utime and stime the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10_000; // clock ticks of 10 ms (USER_HZ is 100 on Linux)
}

const PACED_MAX_PER_TICK = 5_000;
/** Paced ticks are due every 1 ms; a gap above this means the event loop was held up. */
const SLOW_TICK_US = 5_000;
let maxTickGapUs = 0;
let slowTicks = 0;
let marks = 0;
const SATURATE_BATCH = 256;

function startPaced(cfg: Extract<ServerCommand, { cmd: 'start' }>): void {
  const perSecond = cfg.rate / cfg.perUser;
  const t0 = nowUs();
  const p0 = published;
  let last = t0;
  const tick = () => {
    if (!running) return;
    const now = nowUs();
    const gap = now - last;
    last = now;
    if (gap > maxTickGapUs) maxTickGapUs = gap;
    if (gap > SLOW_TICK_US) slowTicks++;
    if (timelineOn && gap > 3_000 && marks > 0) slowTickAt.push([now, gap]);
    const due = Math.floor(((nowUs() - t0) * perSecond) / 1e6) - (published - p0);
    const n = Math.min(due, PACED_MAX_PER_TICK);
    for (let i = 0; i < n; i++) publishOne(cfg);
    behind = Math.max(0, due - n);
    timer = setTimeout(tick, 1);
  };
  timer = setTimeout(tick, 1);
}

function pump(): void {
  scheduled = false;
  const cfg = config;
  if (!running || !cfg) return;
  const budget = Math.floor((cfg.window - (published * cfg.perUser - received)) / cfg.perUser);
  if (budget <= 0) return; // wait for credit
  const n = Math.min(budget, SATURATE_BATCH);
  for (let i = 0; i < n; i++) publishOne(cfg);
  if (budget > n) kick();
}

function kick(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(config?.mode === 'burst' ? pumpBursts : pump);
}

/** Burst: the credit window as in saturation, each publish a run's BURST events in one loop. */
function pumpBursts(): void {
  scheduled = false;
  const cfg = config;
  if (!running || !cfg) return;
  const budget = Math.floor((cfg.window - (published * cfg.perUser - received)) / cfg.perUser);
  const bursts = Math.min(Math.floor(budget / BURST), Math.ceil(SATURATE_BATCH / BURST));
  if (bursts <= 0) return; // wait for credit
  for (let b = 0; b < bursts; b++) {
    const slot = nextSlot();
    for (let i = 0; i < BURST; i++) publishOne(cfg, slot);
  }
  if (budget - bursts * BURST >= BURST) kick();
}

/** Flood: one event to every user per event-loop turn, as fast as the loop turns; no credit. */
function flood(): void {
  const cfg = config;
  if (!running || !cfg) return;
  for (let i = 0; i < slots; i++) publishOne(cfg);
  setImmediate(flood);
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let session: Session | undefined;
async function profileStart(): Promise<void> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
}

async function profileStop(path: string): Promise<void> {
  const result = await session?.post('Profiler.stop');
  if (result) writeFileSync(path, JSON.stringify(result.profile));
  session?.disconnect();
  send({ type: 'profiled' });
}

process.on('message', (msg: ServerCommand) => {
  switch (msg.cmd) {
    case 'start':
      config = msg;
      ensureState(msg.users, msg.workload === 'stream' ? msg.runsPerUser : 1);
      running = true;
      behind = 0;
      marks = 0;
      maxTickGapUs = 0;
      slowTicks = 0;
      if (msg.mode === 'paced') startPaced(msg);
      else if (msg.mode === 'flood') setImmediate(flood);
      else kick();
      return;
    case 'credit':
      received = msg.received;
      if (running && (config?.mode === 'saturate' || config?.mode === 'burst')) kick();
      return;
    case 'mark':
      // The first mark after start opens the measured window: tick gaps count from there.
      if (++marks === 1) {
        maxTickGapUs = 0;
        slowTicks = 0;
        gcWatch.pauses.length = 0;
        slowTickAt.length = 0;
      }
      send({
        type: 'mark',
        t: nowUs(),
        cpuUs: cpuUs(),
        gcPauseUs: gcWatch.pauseUs,
        helperCpuUs: helperCpuUs(),
        sleeps: process.resourceUsage().voluntaryContextSwitches,
        published,
        maxRssKb: process.resourceUsage().maxRSS,
      } satisfies ServerMark);
      return;
    case 'stop':
      running = false;
      if (timer) clearTimeout(timer);
      send({
        type: 'stopped',
        published,
        counts: Array.from(counts),
        maxRssKb: process.resourceUsage().maxRSS,
        behind,
        maxTickGapUs,
        slowTicks,
        ...(timelineOn && { gc: [...gcWatch.pauses], slowTickAt: [...slowTickAt] }),
      } satisfies ServerStopped);
      return;
    case 'mem':
      void collectGarbage().then(() => {
        const m = process.memoryUsage();
        send({
          type: 'mem',
          rss: m.rss,
          heapUsed: m.heapUsed,
          external: m.external,
          arrayBuffers: m.arrayBuffers,
        } satisfies ServerMem);
      });
      return;
    case 'profile-start':
      void profileStart();
      return;
    case 'profile-stop':
      void profileStop(msg.path);
      return;
    case 'exit':
      process.exit(0);
  }
});

process.on('disconnect', () => process.exit(0));

const port = await target.listen();
send({ type: 'listening', port });
