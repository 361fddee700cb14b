/**
 * Gateway benchmarks (SPEC §10): agentwire against a minimal `ws` server and Socket.IO 4, in the
 * same run, alternating, a fresh server process for every measurement.
 *
 *   npm run bench                      # full: 3 rounds (~12 min on 2 cores)
 *   npm run bench -- --quick           # 1 round, short phases, 1,000 sockets only
 *   npm run bench -- --rounds 5 --targets agentwire,ws --scenarios load-1000,idle
 *   npm run bench -- --profile         # CPU profile of agentwire's server at saturation
 *                                      #   (--profile-phase paced: at 20,000 deliveries/s;
 *                                      #    flood or burst: those publishers)
 *   npm run bench -- --scenarios flood-1000,burst-1000,flood-4000,burst-4000
 *                                      # the flood and burst publishers (docs/benchmarks.md)
 *   node --import tsx bench/run.ts --timeline <file>   # a BENCH_TIMELINE file, windows with late deliveries
 *   BENCH_BASE_GATEWAY=/abs/dist/index.js npm run bench -- --targets agentwire,agentwire-base,ws
 *                                      # A/B against another build of the gateway
 *
 * Server on core 0, client on core 1 (taskset). Results: bench/results/gateway-<stamp>.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ClientConfig, ClientMark, ClientReport } from './client.js';
import { cpuSample, machineCpuPct, waitForQuiet } from './lib/machine.js';
import { canPin, type Proc, sleep, spawnNode } from './lib/procs.js';
import { redisCpuUs, startBenchRedis } from './lib/redis.js';
import { summarize } from './lib/report.js';
import { BENCH_SECRET, TARGETS, type TargetName } from './lib/workload.js';
import type { ServerMark, ServerMem, ServerStopped } from './server.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const SERVER = join(here, 'server.ts');
const CLIENT = join(here, 'client.ts');
const RESULTS = join(here, 'results');

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    targets: { type: 'string' },
    scenarios: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'profile-target': { type: 'string', default: 'agentwire' },
    'profile-sockets': { type: 'string', default: '1000' },
    'profile-phase': { type: 'string', default: 'saturate' },
    out: { type: 'string' },
    /** Re-renders the markdown of a results JSON written by an earlier run. */
    report: { type: 'string' },
    /** Prints a BENCH_TIMELINE file: the windows with late deliveries and what paused in them. */
    timeline: { type: 'string' },
  },
});

const quick = flags.quick;
const settings = {
  rounds: Number(flags.rounds ?? (quick ? 1 : 3)),
  warmupMs: quick ? 1000 : 2000,
  measureMs: quick ? 2000 : 4000,
  perUser: 2,
  pacedRate: 20_000,
  window: 6_000,
  idleConnections: 10_000,
  stream: { users: 100, runsPerUser: 4, tokensPerSecond: 50 },
  targets: (flags.targets?.split(',') ?? [...TARGETS]) as TargetName[],
  scenarios:
    flags.scenarios?.split(',') ??
    (quick ? ['load-1000', 'idle', 'stream'] : ['load-1000', 'load-4000', 'idle', 'stream']),
};

export type Phase = 'saturate' | 'paced' | 'stream' | 'flood' | 'burst';

export interface PhaseResult {
  kind: 'load';
  round: number;
  target: TargetName;
  scenario: string;
  phase: Phase;
  sockets: number;
  deliveriesPerSec: number;
  /**
   * Server CPU in the window per delivery published in it. Flood and burst: the server's CPU
   * from the phase's start until the client had everything (or stopped receiving), per delivery
   * published in the phase, so that work a server defers (queued writes) is counted too.
   */
  serverCpuUsPerDelivery: number;
  serverCpuPct: number;
  /** Main-thread GC pauses in the window, % of the window. */
  serverGcPct?: number;
  /** CPU of the server's other threads (V8's background GC and compilers) in the window, % of one core. */
  serverHelperCpuPct?: number;
  /** Voluntary context switches (the process slept waiting) per 1,000 deliveries. */
  serverSleepsPerK?: number;
  clientSleepsPerK?: number;
  clientCpuUsPerDelivery: number;
  clientCpuPct: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  lost: number;
  misrouted: number;
  outOfOrder: number;
  unexpected: number;
  closed: number;
  peakRssMb: number;
  /** CPU that other processes on the machine used during the window, % of one core. */
  otherCpuPct: number;
  /** Paced only: publishes that were due but not made when the phase ended. */
  behind: number;
  /** The Redis engine: gateway processes (their CPU and RSS are summed above) and redis-server's CPU. */
  nodes?: number;
  redisCpuPct?: number;
  redisCpuUsPerDelivery?: number;
  /** Paced only: the server's longest gap between 1-ms driver ticks, and gaps over 5 ms. */
  maxTickGapMs?: number;
  slowTicks?: number;
  connectMs: number;
}

export interface IdleResult {
  kind: 'idle';
  round: number;
  target: TargetName;
  scenario: 'idle';
  connections: number;
  rssPerConnBytes: number;
  heapPerConnBytes: number;
  rssMb: number;
}

export type Result = PhaseResult | IdleResult;

const CORES = availableParallelism();
/** Before each measurement: wait up to this long for other processes to use < QUIET_PCT of a core. */
const QUIET_PCT = 25;
let quietBudgetMs = Number(process.env.BENCH_QUIET_WAIT_MS ?? 240_000);

async function quiet(): Promise<void> {
  if (quietBudgetMs <= 0) return;
  const t0 = Date.now();
  const pct = await waitForQuiet(CORES, QUIET_PCT, Math.min(quietBudgetMs, 30_000));
  quietBudgetMs -= Date.now() - t0;
  if (pct > QUIET_PCT) console.log(`  (machine busy: others use ${pct.toFixed(0)} % of a core)`);
}

const logDir = join(tmpdir(), 'agentwire-bench');
mkdirSync(logDir, { recursive: true });

function startServer(target: TargetName, label: string): Proc {
  return spawnNode(SERVER, [target], {
    core: 0,
    logFile: join(logDir, `${label}.log`),
    // BENCH_SERVER_NODE_OPTIONS: extra node flags for the servers (e.g. --trace-gc), diagnostics only.
    execArgv: [
      '--expose-gc',
      ...(process.env.BENCH_SERVER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
    ],
  });
}

function startClient(cfg: ClientConfig, label: string): Proc {
  return spawnNode(CLIENT, [JSON.stringify(cfg)], {
    core: 1,
    logFile: join(logDir, `${label}-client.log`),
    execArgv: [
      '--expose-gc',
      // BENCH_CLIENT_NODE_OPTIONS: extra node flags for the client (e.g. --trace-gc), diagnostics only.
      ...(process.env.BENCH_CLIENT_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
    ],
  });
}

async function withProcs<T>(procs: Proc[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    for (const p of procs.reverse()) await p.end();
  }
}

/** The gateway processes of one measurement (one, or several on one redis-server): marks summed. */
interface Servers {
  procs: Proc[];
  mark(): Promise<ServerMark>;
  stop(): Promise<ServerStopped>;
}

function sumMarks(marks: ServerMark[]): ServerMark {
  const sum = (k: keyof ServerMark) => marks.reduce((a, m) => a + (m[k] as number), 0);
  return {
    type: 'mark',
    t: (marks[0] as ServerMark).t,
    cpuUs: sum('cpuUs'),
    gcPauseUs: sum('gcPauseUs'),
    helperCpuUs: sum('helperCpuUs'),
    sleeps: sum('sleeps'),
    published: sum('published'),
    maxRssKb: sum('maxRssKb'),
  };
}

function servers(procs: Proc[]): Servers {
  return {
    procs,
    async mark() {
      return sumMarks(
        await Promise.all(procs.map((p) => p.request<ServerMark>({ cmd: 'mark' }, 'mark', 10_000))),
      );
    },
    async stop() {
      const all = await Promise.all(
        procs.map((p) => p.request<ServerStopped>({ cmd: 'stop' }, 'stopped', 10_000)),
      );
      // Node n published for users n, n + nodes, …: its counts[j] are user j × nodes + n's.
      const counts: number[] = [];
      all.forEach((stopped, n) => {
        stopped.counts.forEach((c, j) => {
          counts[j * procs.length + n] = c;
        });
      });
      const first = all[0] as ServerStopped;
      return {
        ...first,
        published: all.reduce((a, x) => a + x.published, 0),
        counts,
        maxRssKb: all.reduce((a, x) => a + x.maxRssKb, 0),
        behind: all.reduce((a, x) => a + x.behind, 0),
        maxTickGapUs: Math.max(...all.map((x) => x.maxTickGapUs)),
        slowTicks: all.reduce((a, x) => a + x.slowTicks, 0),
      };
    },
  };
}

/**
 * Connects `users × perUser` sockets and runs the given phases; fresh server processes: one, or
 * `nodes` gateways on one fresh redis-server with each user's sockets spread over them.
 */
async function runLoad(
  round: number,
  target: TargetName,
  scenario: string,
  users: number,
  phases: { phase: Phase; start: object }[],
  profile?: string,
  nodes = 1,
): Promise<PhaseResult[]> {
  const label = `${scenario}-${target}-${round}`;
  const redis = target === 'agentwire-redis' ? await startBenchRedis() : undefined;
  if (redis) process.env.BENCH_REDIS_URL = redis.url;
  const procs = Array.from({ length: nodes }, (_, n) =>
    startServer(target, nodes > 1 ? `${label}-node${n}` : label),
  );
  const cluster = servers(procs);
  const server = procs[0] as Proc;
  const all = [...procs];
  try {
    return await withProcs(all, async () => {
      const ports = await Promise.all(
        procs.map(async (p) => (await p.next<{ port: number }>('listening', 30_000)).port),
      );
      const client = startClient(
        {
          target,
          port: ports[0] as number,
          ...(nodes > 1 && { ports }),
          users,
          perUser: settings.perUser,
          secret: BENCH_SECRET,
        },
        label,
      );
      all.push(client);
      let received = 0;
      client.onMessage('progress', (msg: { received: number; byNode: number[] }) => {
        received = msg.received;
        procs.forEach((p, n) => {
          p.send({ cmd: 'credit', received: nodes > 1 ? (msg.byNode[n] ?? 0) : received });
        });
      });
      const { connectMs } = await client.next<{ connectMs: number }>('ready', 120_000);
      const out: PhaseResult[] = [];
      for (const { phase, start } of phases) {
        const unpaced = phase === 'flood' || phase === 'burst';
        const sStart = await cluster.mark();
        procs.forEach((p, n) => {
          p.send({
            cmd: 'start',
            users: users / nodes,
            perUser: settings.perUser,
            runsPerUser: settings.stream.runsPerUser,
            rate: settings.pacedRate / nodes,
            window: settings.window / nodes,
            node: n,
            nodes,
            ...start,
          });
        });
        await sleep(settings.warmupMs);
        if (profile) server.send({ cmd: 'profile-start' });
        const m0 = cpuSample();
        const r0 = redis ? redisCpuUs(redis.pid) : 0;
        const [s0, c0] = await Promise.all([
          cluster.mark(),
          client.request<ClientMark>({ cmd: 'mark', measure: true }, 'mark', 10_000),
        ]);
        await sleep(settings.measureMs);
        const [s1, c1] = await Promise.all([
          cluster.mark(),
          client.request<ClientMark>({ cmd: 'mark', measure: false }, 'mark', 10_000),
        ]);
        const r1 = redis ? redisCpuUs(redis.pid) : 0;
        const machinePct = machineCpuPct(m0, cpuSample(), CORES);
        if (profile)
          await server.request({ cmd: 'profile-stop', path: profile }, 'profiled', 60_000);
        const stopped = await cluster.stop();
        const want = stopped.published * settings.perUser;
        const drainBy = Date.now() + 20_000;
        // Stop waiting early when deliveries stopped for 2 s (sockets closed by the server).
        let lastReceived = received;
        let lastChange = Date.now();
        while (received < want && Date.now() < drainBy && Date.now() - lastChange < 2_000) {
          await sleep(20);
          if (received !== lastReceived) {
            lastReceived = received;
            lastChange = Date.now();
          }
        }
        await sleep(50);
        const sEnd = await cluster.mark();
        const rep = await client.request<ClientReport>(
          { cmd: 'report', expected: stopped.counts },
          'report',
          30_000,
        );
        if (rep.timeline) {
          const file = join(logDir, `timeline-${scenario}-${target}-${round}-${phase}.json`);
          writeFileSync(
            file,
            JSON.stringify({
              client: rep.timeline,
              serverGc: stopped.gc,
              slowTickAt: stopped.slowTickAt,
            }),
          );
          console.log(`  timeline: ${file}`);
        }
        const serverDeliveries = (s1.published - s0.published) * settings.perUser;
        const clientDeliveries = c1.received - c0.received;
        const serverWall = s1.t - s0.t;
        const clientWall = c1.t - c0.t;
        out.push({
          kind: 'load',
          round,
          target,
          scenario,
          phase,
          sockets: users * settings.perUser,
          deliveriesPerSec: (clientDeliveries / clientWall) * 1e6,
          serverCpuUsPerDelivery: unpaced
            ? (sEnd.cpuUs - sStart.cpuUs) / ((sEnd.published - sStart.published) * settings.perUser)
            : (s1.cpuUs - s0.cpuUs) / serverDeliveries,
          serverCpuPct: ((s1.cpuUs - s0.cpuUs) / serverWall) * 100,
          serverGcPct: ((s1.gcPauseUs - s0.gcPauseUs) / serverWall) * 100,
          serverHelperCpuPct: ((s1.helperCpuUs - s0.helperCpuUs) / serverWall) * 100,
          clientCpuUsPerDelivery: (c1.cpuUs - c0.cpuUs) / clientDeliveries,
          clientCpuPct: ((c1.cpuUs - c0.cpuUs) / clientWall) * 100,
          serverSleepsPerK: ((s1.sleeps - s0.sleeps) / serverDeliveries) * 1000,
          clientSleepsPerK: ((c1.sleeps - c0.sleeps) / clientDeliveries) * 1000,
          p50Us: rep.latency.p50,
          p99Us: rep.latency.p99,
          maxUs: rep.latency.max,
          lost: rep.lost,
          misrouted: rep.misrouted,
          outOfOrder: rep.outOfOrder + rep.seqErrors + rep.duplicated,
          unexpected: rep.unexpected,
          closed: rep.closed,
          peakRssMb: (unpaced ? sEnd.maxRssKb : stopped.maxRssKb) / 1024,
          otherCpuPct: Math.max(
            0,
            machinePct -
              ((s1.cpuUs - s0.cpuUs) / serverWall + (c1.cpuUs - c0.cpuUs) / clientWall) * 100,
          ),
          ...(redis && {
            redisCpuPct: ((r1 - r0) / serverWall) * 100,
            redisCpuUsPerDelivery: (r1 - r0) / serverDeliveries,
            nodes,
          }),
          behind: stopped.behind,
          maxTickGapMs: stopped.maxTickGapUs / 1000,
          slowTicks: stopped.slowTicks,
          connectMs,
        });
        const last = out[out.length - 1] as PhaseResult;
        console.log(
          `  ${target.padEnd(12)} ${scenario} ${phase.padEnd(8)} ` +
            `${Math.round(last.deliveriesPerSec)}/s  srv ${last.serverCpuUsPerDelivery.toFixed(2)} µs/d ` +
            `(${last.serverCpuPct.toFixed(0)}%, GC ${last.serverGcPct?.toFixed(1)}% + helpers ${last.serverHelperCpuPct?.toFixed(1)}%)  cli ${last.clientCpuPct.toFixed(0)}%  ` +
            `sleeps/1k srv ${last.serverSleepsPerK?.toFixed(1)} cli ${last.clientSleepsPerK?.toFixed(1)}  ` +
            `p50 ${(last.p50Us / 1000).toFixed(2)} p99 ${(last.p99Us / 1000).toFixed(2)} ms  ` +
            `rss ${last.peakRssMb.toFixed(0)} MB  lost ${last.lost} misrouted ${last.misrouted} ` +
            `ooo ${last.outOfOrder}${last.behind ? ` behind ${last.behind}` : ''}  others ${last.otherCpuPct.toFixed(0)}%` +
            (phase === 'saturate' || unpaced
              ? ''
              : `  tick gap max ${last.maxTickGapMs?.toFixed(1)} ms (${last.slowTicks} > 5 ms)`),
        );
      }
      return out;
    });
  } finally {
    await redis?.stop();
    delete process.env.BENCH_REDIS_URL;
  }
}

async function runIdle(round: number, target: TargetName): Promise<IdleResult> {
  const server = startServer(target, `idle-${target}-${round}`);
  const procs = [server];
  return withProcs(procs, async () => {
    const { port } = await server.next<{ port: number }>('listening', 30_000);
    const before = await server.request<ServerMem>({ cmd: 'mem' }, 'mem', 30_000);
    const connections = settings.idleConnections;
    const client = startClient(
      {
        target,
        port,
        users: connections / settings.perUser,
        perUser: settings.perUser,
        secret: BENCH_SECRET,
      },
      `idle-${target}-${round}`,
    );
    procs.push(client);
    await client.next('ready', 180_000);
    await sleep(1000);
    const after = await server.request<ServerMem>({ cmd: 'mem' }, 'mem', 30_000);
    const heap = (m: ServerMem) => m.heapUsed + m.external;
    const result: IdleResult = {
      kind: 'idle',
      round,
      target,
      scenario: 'idle',
      connections,
      rssPerConnBytes: (after.rss - before.rss) / connections,
      heapPerConnBytes: (heap(after) - heap(before)) / connections,
      rssMb: after.rss / 2 ** 20,
    };
    console.log(
      `  ${target.padEnd(12)} idle ${connections}: ${(result.rssPerConnBytes / 1024).toFixed(2)} KB RSS/conn, ` +
        `${(result.heapPerConnBytes / 1024).toFixed(2)} KB heap+external/conn`,
    );
    return result;
  });
}

async function runScenario(round: number, target: TargetName, scenario: string): Promise<Result[]> {
  await quiet();
  if (scenario === 'idle') return [await runIdle(round, target)];
  if (scenario === 'stream') {
    const s = settings.stream;
    const rate = s.users * s.runsPerUser * s.tokensPerSecond * settings.perUser;
    return runLoad(round, target, scenario, s.users, [
      { phase: 'stream', start: { mode: 'paced', workload: 'stream', rate } },
    ]);
  }
  const [kind, count] = scenario.split('-');
  const sockets = Number(count);
  if (!Number.isInteger(sockets) || sockets <= 0 || sockets % settings.perUser !== 0) {
    throw new Error(`unknown scenario ${scenario}`);
  }
  if (kind === 'redis') {
    // The Redis engine: 2 gateway processes on one redis-server against one memory-engine process.
    const nodes = target === 'agentwire-redis' ? 2 : 1;
    return runLoad(
      round,
      target,
      scenario,
      sockets / settings.perUser,
      [{ phase: 'saturate', start: { mode: 'saturate', workload: 'agent-run' } }],
      undefined,
      nodes,
    );
  }
  if (kind === 'flood' || kind === 'burst') {
    return runLoad(round, target, scenario, sockets / settings.perUser, [
      { phase: kind, start: { mode: kind, workload: 'agent-run' } },
    ]);
  }
  if (kind !== 'load') throw new Error(`unknown scenario ${scenario}`);
  // Paced first, so that its peak RSS is not the saturation phase's.
  return runLoad(round, target, scenario, sockets / settings.perUser, [
    { phase: 'paced', start: { mode: 'paced', workload: 'agent-run' } },
    { phase: 'saturate', start: { mode: 'saturate', workload: 'agent-run' } },
  ]);
}

async function profileRun(): Promise<void> {
  const target = flags['profile-target'] as TargetName;
  mkdirSync(RESULTS, { recursive: true });
  const sockets = Number(flags['profile-sockets']);
  if (sockets !== 1000 && sockets !== 4000) throw new Error('--profile-sockets: 1000 or 4000');
  const phase = flags['profile-phase'];
  if (phase !== 'saturate' && phase !== 'paced' && phase !== 'flood' && phase !== 'burst') {
    throw new Error('--profile-phase: saturate, paced, flood or burst');
  }
  const suffix = `${sockets === 1000 ? '' : `-${sockets}`}${phase === 'saturate' ? '' : `-${phase}`}`;
  const path = join(RESULTS, `profile-${target}${suffix}.cpuprofile`);
  console.log(`profiling ${target} (${phase}), ${sockets} sockets → ${path}`);
  await runLoad(
    0,
    target,
    `load-${sockets}`,
    sockets / 2,
    [{ phase, start: { mode: phase, workload: 'agent-run' } }],
    path,
  );
  const { summarizeProfile } = await import('./lib/profile.js');
  const text = summarizeProfile(path);
  writeFileSync(path.replace(/\.cpuprofile$/, '.txt'), text);
  console.log(text);
}

async function main(): Promise<void> {
  if (flags.profile) return profileRun();
  if (flags.timeline) {
    const { summarizeTimeline } = await import('./lib/timeline.js');
    console.log(summarizeTimeline(flags.timeline));
    return;
  }
  if (flags.report) {
    const { readFileSync } = await import('node:fs');
    const saved = JSON.parse(readFileSync(flags.report, 'utf8')) as {
      results: Result[];
      meta?: { started: string; finished: string; command: string };
    };
    console.log(
      summarize(saved.results, {
        started: new Date(saved.meta?.started ?? 0),
        finished: new Date(saved.meta?.finished ?? 0),
        command: saved.meta?.command ?? '(see the results file)',
        settings,
        pinned: canPin,
      }),
    );
    return;
  }
  const started = new Date();
  console.log(
    `agentwire gateway bench — ${started.toISOString()} — ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ` +
      `node ${process.version}, pinned: ${canPin ? 'server core 0, client core 1' : 'no'}`,
  );
  const results: Result[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    console.log(`round ${round + 1}/${settings.rounds}`);
    const k = round % settings.targets.length;
    const order = [...settings.targets.slice(k), ...settings.targets.slice(0, k)];
    for (const scenario of settings.scenarios) {
      for (const target of order) results.push(...(await runScenario(round, target, scenario)));
    }
  }
  const finished = new Date();
  const args = process.argv.slice(2).join(' ');
  const command = `npm run bench${args ? ` -- ${args}` : ''}`;
  const markdown = summarize(results, {
    started,
    finished,
    command,
    settings,
    pinned: canPin,
  });
  mkdirSync(RESULTS, { recursive: true });
  const stamp = flags.out ?? `gateway-${started.toISOString().replace(/[:.]/g, '-')}`;
  const meta = { started, finished, command, pinned: canPin };
  writeFileSync(
    join(RESULTS, `${stamp}.json`),
    JSON.stringify({ meta, settings, results }, null, 1),
  );
  writeFileSync(join(RESULTS, `${stamp}.md`), markdown);
  console.log(`\n${markdown}`);
  console.log(`results: bench/results/${stamp}.{json,md}`);
}

await main();
