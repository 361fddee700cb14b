/**
 * Reconnect storm (issue 16): thousands of real SDK clients, each killed at random every
 * ~15 s (10–20 s) and back after ~2 s, while agent runs stream to every user — agentwire against
 * Socket.IO 4 with connection-state recovery, in the same run, a fresh server per measurement.
 * Measures delivered %, duplicates, missing events and the time from a reconnect attempt's start
 * until the client has every event published before it (p50/p99).
 *
 *   npm run bench:storm                          # 2,000 clients, 60 s storm, 1 round
 *   npm run bench:storm -- --quick               # 1,000 clients, 30 s
 *   npm run bench:storm -- --clients 3000 --storm-s 90 --rounds 2 --events-per-s 5
 *
 * Server on core 0, clients on core 1 (taskset). Results: bench/results/storm-<stamp>.{json,md}.
 * Loopback only; every wait is bounded; processes are ended by PID.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { canPin, type Proc, sleep, spawnNode } from './lib/procs.js';
import { median } from './lib/report.js';
import { BENCH_SECRET } from './lib/workload.js';
import type { ServerStopped } from './server.js';
import type { StormClientConfig, StormReport } from './storm-client.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = join(here, 'results');
/** A number of ms for the tables; a measure with no samples (JSON null) is a dash. */
const f1 = (v: number | null) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(1) : '—');

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    clients: { type: 'string' },
    'storm-s': { type: 'string' },
    'events-per-s': { type: 'string' },
    rounds: { type: 'string' },
    targets: { type: 'string' },
    out: { type: 'string' },
  },
});

type StormTarget = StormClientConfig['target'];

const settings = {
  clients: Number(flags.clients ?? (flags.quick ? 1000 : 2000)),
  stormMs: Number(flags['storm-s'] ?? (flags.quick ? 30 : 60)) * 1000,
  /** Events per second to each user: agent runs (9 events each) back to back. */
  eventsPerSecond: Number(flags['events-per-s'] ?? 2),
  killMinMs: 10_000,
  killMaxMs: 20_000,
  downMs: 2_000,
  /** After the storm: publishing goes on this long while the last killed clients come back. */
  settleMs: 4_000,
  /** The report waits at most this long for every client to have every event. */
  reportWaitMs: 30_000,
  rounds: Number(flags.rounds ?? 1),
  targets: (flags.targets?.split(',') ?? ['agentwire', 'socketio-csr']) as StormTarget[],
};

const logDir = join(tmpdir(), 'agentwire-bench');
mkdirSync(logDir, { recursive: true });

interface StormResult extends Omit<StormReport, 'type'> {
  round: number;
  target: StormTarget;
  published: number;
  connectMs: number;
  /** The server's longest gap between its 1-ms publishing ticks, and gaps over 5 ms. */
  serverMaxTickGapMs: number;
  serverSlowTicks: number;
}

async function measure(round: number, target: StormTarget): Promise<StormResult> {
  const label = `storm-${target}-${round}`;
  const procs: Proc[] = [];
  try {
    const server = spawnNode(join(here, 'server.ts'), [target], {
      core: 0,
      logFile: join(logDir, `${label}.log`),
    });
    procs.push(server);
    const { port } = await server.next<{ port: number }>('listening', 30_000);
    const config: StormClientConfig = {
      target,
      port,
      users: settings.clients,
      secret: BENCH_SECRET,
      killMinMs: settings.killMinMs,
      killMaxMs: settings.killMaxMs,
      downMs: settings.downMs,
    };
    const client = spawnNode(join(here, 'storm-client.ts'), [JSON.stringify(config)], {
      core: 1,
      logFile: join(logDir, `${label}-client.log`),
    });
    procs.push(client);
    const { connectMs } = await client.next<{ connectMs: number }>('ready', 180_000);
    server.send({
      cmd: 'start',
      mode: 'paced',
      workload: 'agent-run',
      users: settings.clients,
      perUser: 1,
      runsPerUser: 1,
      rate: settings.clients * settings.eventsPerSecond,
      window: 0,
    });
    await sleep(1_000);
    client.send({ cmd: 'storm-start' });
    await sleep(settings.stormMs);
    client.send({ cmd: 'storm-stop' });
    await sleep(settings.settleMs);
    // Generous: a server that is busy replaying (Socket.IO scans its packet buffer per
    // recovery) answers late.
    const stopped = await server.request<ServerStopped>({ cmd: 'stop' }, 'stopped', 120_000);
    const report = await client.request<StormReport>(
      { cmd: 'report', expected: stopped.counts, waitMs: settings.reportWaitMs },
      'report',
      settings.reportWaitMs + 30_000,
    );
    const { type: _type, ...rest } = report;
    const result: StormResult = {
      round,
      target,
      published: stopped.published,
      connectMs,
      serverMaxTickGapMs: stopped.maxTickGapUs / 1000,
      serverSlowTicks: stopped.slowTicks,
      ...rest,
    };
    console.log(
      `  ${target.padEnd(13)} ${result.clients} clients, ${result.kills} kills: delivered ` +
        `${((result.delivered / result.expected) * 100).toFixed(3)} % of ${result.expected}, ` +
        `duplicates ${result.duplicates}, missing ${result.missing}, not recovered ${result.notRecovered}, ` +
        `catch-up p50 ${f1(result.catchUpMs.p50)} p99 ${f1(result.catchUpMs.p99)} ` +
        `max ${f1(result.catchUpMs.max)} ms (${result.reconnects} reconnects), ` +
        `handshake p50 ${f1(result.handshakeMs.p50)} p99 ${f1(result.handshakeMs.p99)} ms, ` +
        `replay p50 ${f1(result.replayMs.p50)} p99 ${f1(result.replayMs.p99)} ms; ` +
        `server tick gap max ${result.serverMaxTickGapMs.toFixed(0)} ms (${result.serverSlowTicks} > 5 ms), ` +
        `client loop delay p99 ${f1(result.clientLoopDelayMs.p99)} max ${f1(result.clientLoopDelayMs.max)} ms`,
    );
    return result;
  } finally {
    for (const p of procs.reverse()) await p.end();
  }
}

function summarize(results: StormResult[], command: string, started: Date, finished: Date) {
  const by = new Map<StormTarget, StormResult[]>();
  for (const r of results) by.set(r.target, [...(by.get(r.target) ?? []), r]);
  const m = (rows: StormResult[], f: (r: StormResult) => number) => median(rows.map(f));
  const sum = (rows: StormResult[], f: (r: StormResult) => number) =>
    rows.reduce((a, r) => a + f(r), 0);
  const lines = [
    `Run ${started.toISOString()} → ${finished.toISOString()}, \`${command}\`, ${settings.rounds} round(s); ` +
      `${settings.clients} clients (one per user), ${settings.eventsPerSecond} events/s to each user, ` +
      `each client killed every ${settings.killMinMs / 1000}–${settings.killMaxMs / 1000} s for ${settings.downMs / 1000} s ` +
      `during a ${settings.stormMs / 1000}-s storm. Pinned: ${canPin ? 'server core 0, clients core 1' : 'no'}. ` +
      'Counts are sums over rounds, times medians over rounds.',
    '',
    '| target | kills | events expected | delivered | duplicates | missing | not recovered (resync / !recovered) | catch-up p50 ms | catch-up p99 ms | catch-up max ms | of it handshake p50 / p99 ms | of it replay p50 / p99 ms | clients still away at the end | server tick gap max ms (> 5 ms) | client loop delay p99 / max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [target, rows] of by) {
    const expected = sum(rows, (r) => r.expected);
    const delivered = sum(rows, (r) => r.delivered);
    lines.push(
      `| ${target} | ${sum(rows, (r) => r.kills)} | ${expected} | ${((delivered / expected) * 100).toFixed(3)} % ` +
        `| ${sum(rows, (r) => r.duplicates)} | ${sum(rows, (r) => r.missing)} | ${sum(rows, (r) => r.notRecovered)} ` +
        `| ${f1(m(rows, (r) => r.catchUpMs.p50))} | ${f1(m(rows, (r) => r.catchUpMs.p99))} | ${f1(m(rows, (r) => r.catchUpMs.max))} ` +
        `| ${f1(m(rows, (r) => r.handshakeMs.p50))} / ${f1(m(rows, (r) => r.handshakeMs.p99))} ` +
        `| ${f1(m(rows, (r) => r.replayMs.p50))} / ${f1(m(rows, (r) => r.replayMs.p99))} | ${sum(rows, (r) => r.disconnected)} ` +
        `| ${f1(Math.max(...rows.map((r) => r.serverMaxTickGapMs)))} (${sum(rows, (r) => r.serverSlowTicks)}) ` +
        `| ${f1(m(rows, (r) => r.clientLoopDelayMs.p99))} / ${f1(Math.max(...rows.map((r) => r.clientLoopDelayMs.max)))} |`,
    );
  }
  const aw = by.get('agentwire');
  const sio = by.get('socketio-csr');
  if (aw && sio) {
    const ratio = m(aw, (r) => r.catchUpMs.p99) / m(sio, (r) => r.catchUpMs.p99);
    const sioReplay = m(sio, (r) => r.replayMs.p99);
    const replay = sioReplay > 0 ? m(aw, (r) => r.replayMs.p99) / sioReplay : Number.NaN;
    lines.push(
      '',
      `agentwire's catch-up p99 is ${ratio.toFixed(3)}× Socket.IO's, its replay p99 ${Number.isFinite(replay) ? `${replay.toFixed(3)}×` : '— (no Socket.IO replay samples)'} ` +
        "(issue 16's target: catch-up p99 ≤ 0.1× Socket.IO's, with 100 % delivered and 0 duplicates).",
    );
  }
  return lines.join('\n');
}

const started = new Date();
console.log(
  `reconnect storm — ${started.toISOString()} — ${cpus()[0]?.model ?? '?'} × ${cpus().length}, node ${process.version}`,
);
const results: StormResult[] = [];
for (let round = 0; round < settings.rounds; round++) {
  const k = round % settings.targets.length;
  for (const target of [...settings.targets.slice(k), ...settings.targets.slice(0, k)]) {
    results.push(await measure(round, target));
  }
}
const finished = new Date();
const args = process.argv.slice(2).join(' ');
const command = `npm run bench:storm${args ? ` -- ${args}` : ''}`;
const markdown = summarize(results, command, started, finished);
mkdirSync(RESULTS, { recursive: true });
const stamp = flags.out ?? `storm-${started.toISOString().replace(/[:.]/g, '-')}`;
writeFileSync(
  join(RESULTS, `${stamp}.json`),
  JSON.stringify({ meta: { started, finished, command }, settings, results }, null, 1),
);
writeFileSync(join(RESULTS, `${stamp}.md`), markdown);
console.log(`\n${markdown}\nresults: bench/results/${stamp}.{json,md}`);
