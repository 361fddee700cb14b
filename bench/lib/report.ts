/** Medians over rounds, ratios to the minimal ws server, and the SPEC §10 checks, as markdown. */
import type { IdleResult, PhaseResult, Result } from '../run.js';
import type { TargetName } from './workload.js';

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const ms = (us: number) => fmt(us / 1000, 2);
const ratio = (v: number, base: number) => (Number.isFinite(v / base) ? `${fmt(v / base)}×` : '—');

type Loads = Map<TargetName, PhaseResult[]>;

function byTarget<T extends Result>(rows: T[]): Map<TargetName, T[]> {
  const out = new Map<TargetName, T[]>();
  for (const r of rows) out.set(r.target, [...(out.get(r.target) ?? []), r]);
  return out;
}

/**
 * Measurements taken while other processes used less than this share of a core. This machine is
 * shared: when some rounds were quiet, medians are over those only (the tables say how many).
 */
export const QUIET_OTHERS_PCT = 25;

function quietRows(rows: PhaseResult[] | undefined): PhaseResult[] {
  const all = rows ?? [];
  const quiet = all.filter((r) => r.otherCpuPct < QUIET_OTHERS_PCT);
  return quiet.length > 0 ? quiet : all;
}

function med(rows: PhaseResult[] | undefined, key: keyof PhaseResult): number {
  return median(quietRows(rows).map((r) => r[key] as number));
}

/** A median percentage, or "–" for results recorded before the field existed. */
function pctOrDash(rows: PhaseResult[], key: 'serverGcPct' | 'serverHelperCpuPct'): string {
  return quietRows(rows).every((r) => r[key] !== undefined) ? `${fmt(med(rows, key), 1)} %` : '–';
}

function used(rows: PhaseResult[]): string {
  return `${quietRows(rows).length}/${rows.length}`;
}

function errors(rows: PhaseResult[]): string {
  const sum = (k: keyof PhaseResult) => rows.reduce((a, r) => a + (r[k] as number), 0);
  const parts = [sum('lost'), sum('misrouted'), sum('outOfOrder')].join(' / ');
  const extra = sum('closed') + sum('unexpected');
  return extra ? `${parts} (closed/unexpected ${extra})` : parts;
}

function loadTable(title: string, loads: Loads, paced: boolean): string {
  const base = loads.get('ws');
  const lines = [
    `#### ${title}`,
    '',
    "| target | rounds used | deliveries/s | × ws | server CPU µs/delivery | × ws | server CPU | of it GC pauses | of it helper threads | client CPU | client µs/delivery | others' CPU | p50 ms | p99 ms | × ws | max ms | lost / misrouted / out-of-order | peak RSS MB | × ws |",
    '| --- | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: |',
  ];
  for (const [target, rows] of loads) {
    const behind = paced ? Math.max(...rows.map((r) => r.behind)) : 0;
    lines.push(
      `| ${target}${behind ? ` (fell behind by ${behind})` : ''} | ${used(rows)} | ${int(med(rows, 'deliveriesPerSec'))} | ${ratio(med(rows, 'deliveriesPerSec'), med(base, 'deliveriesPerSec'))} ` +
        `| ${fmt(med(rows, 'serverCpuUsPerDelivery'))} | ${ratio(med(rows, 'serverCpuUsPerDelivery'), med(base, 'serverCpuUsPerDelivery'))} ` +
        `| ${fmt(med(rows, 'serverCpuPct'), 0)} % | ${pctOrDash(rows, 'serverGcPct')} | ${pctOrDash(rows, 'serverHelperCpuPct')} ` +
        `| ${fmt(med(rows, 'clientCpuPct'), 0)} % | ${fmt(med(rows, 'clientCpuUsPerDelivery'))} | ${fmt(med(rows, 'otherCpuPct'), 0)} % ` +
        `| ${ms(med(rows, 'p50Us'))} | ${ms(med(rows, 'p99Us'))} | ${ratio(med(rows, 'p99Us'), med(base, 'p99Us'))} | ${ms(med(rows, 'maxUs'))} ` +
        `| ${errors(rows)} | ${fmt(med(rows, 'peakRssMb'), 0)} | ${ratio(med(rows, 'peakRssMb'), med(base, 'peakRssMb'))} |`,
    );
  }
  return lines.join('\n');
}

const PHASE_TITLES = {
  paced: 'paced 20,000 deliveries/s',
  saturate: 'saturation',
  flood:
    'flood: one event to every user per event-loop turn, no credit window (server CPU per delivery over the phase and its drain)',
  burst:
    'bursts: each publish a run emitting 50 events in one synchronous loop, credit window (server CPU per delivery over the phase and its drain)',
};

/** The Redis engine: its gateway processes together against the memory engine's one process. */
function redisTable(title: string, loads: Loads): string {
  const base = loads.get('agentwire');
  const lines = [
    `#### ${title}`,
    '',
    "| target | processes | rounds used | deliveries/s | × agentwire (memory) | server CPU µs/delivery (all gateways) | × agentwire (memory) | redis-server CPU | redis-server µs/delivery | client CPU | others' CPU | p50 ms | p99 ms | lost / misrouted / out-of-order | peak RSS MB (sum) |",
    '| --- | :---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |',
  ];
  for (const [target, rows] of loads) {
    const redis = target === 'agentwire-redis';
    lines.push(
      `| ${target} | ${rows[0]?.nodes ?? 1} | ${used(rows)} | ${int(med(rows, 'deliveriesPerSec'))} | ${ratio(med(rows, 'deliveriesPerSec'), med(base, 'deliveriesPerSec'))} ` +
        `| ${fmt(med(rows, 'serverCpuUsPerDelivery'))} | ${ratio(med(rows, 'serverCpuUsPerDelivery'), med(base, 'serverCpuUsPerDelivery'))} ` +
        `| ${redis ? `${fmt(med(rows, 'redisCpuPct'), 0)} %` : '–'} | ${redis ? fmt(med(rows, 'redisCpuUsPerDelivery')) : '–'} ` +
        `| ${fmt(med(rows, 'clientCpuPct'), 0)} % | ${fmt(med(rows, 'otherCpuPct'), 0)} % | ${ms(med(rows, 'p50Us'))} | ${ms(med(rows, 'p99Us'))} | ${errors(rows)} | ${fmt(med(rows, 'peakRssMb'), 0)} |`,
    );
  }
  return lines.join('\n');
}

function idleTable(rows: IdleResult[]): string {
  const by = byTarget(rows);
  const m = (t: TargetName | undefined, k: keyof IdleResult) =>
    median((by.get(t as TargetName) ?? []).map((r) => r[k] as number));
  const lines = [
    `#### Idle memory, ${int(rows[0]?.connections ?? 0)} connections, after GC`,
    '',
    '| target | RSS per connection KB | × ws | heap + external per connection KB | × ws | RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const t of by.keys()) {
    lines.push(
      `| ${t} | ${fmt(m(t, 'rssPerConnBytes') / 1024)} | ${ratio(m(t, 'rssPerConnBytes'), m('ws', 'rssPerConnBytes'))} ` +
        `| ${fmt(m(t, 'heapPerConnBytes') / 1024)} | ${ratio(m(t, 'heapPerConnBytes'), m('ws', 'heapPerConnBytes'))} | ${fmt(m(t, 'rssMb'), 0)} |`,
    );
  }
  return lines.join('\n');
}

function streamTable(loads: Loads): string {
  const base = loads.get('ws');
  const lines = [
    '#### Token streaming (agent_message deltas, one frame per token)',
    '',
    "| target | rounds used | tokens delivered/s | server CPU µs per delivered token | × ws | server CPU | client CPU | others' CPU | p50 ms | p99 ms | max ms | lost / misrouted / out-of-order |",
    '| --- | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
  ];
  for (const [t, rows] of loads) {
    lines.push(
      `| ${t} | ${used(rows)} | ${int(med(rows, 'deliveriesPerSec'))} | ${fmt(med(rows, 'serverCpuUsPerDelivery'))} | ${ratio(med(rows, 'serverCpuUsPerDelivery'), med(base, 'serverCpuUsPerDelivery'))} ` +
        `| ${fmt(med(rows, 'serverCpuPct'), 0)} % | ${fmt(med(rows, 'clientCpuPct'), 0)} % | ${fmt(med(rows, 'otherCpuPct'), 0)} % | ${ms(med(rows, 'p50Us'))} | ${ms(med(rows, 'p99Us'))} | ${ms(med(rows, 'maxUs'))} | ${errors(rows)} |`,
    );
  }
  return lines.join('\n');
}

function checks(loadsBy: Map<string, Loads>, idle: IdleResult[]): string {
  const lines = [
    '#### SPEC §10 targets for agentwire',
    '',
    'Ratio of the medians above, and the median of the per-round ratios (agentwire and ws measured',
    'minutes apart in the same round, so slow drifts in background load cancel out).',
    '',
    '| target | limit | ratio of medians | median of per-round ratios | |',
    '| --- | ---: | ---: | ---: | :---: |',
  ];
  const row = (
    name: string,
    limit: number,
    value: number,
    paired: number,
    lowerIsBetter: boolean,
  ) => {
    const pass = (v: number) => (lowerIsBetter ? v <= limit : v >= limit);
    const verdict = !Number.isFinite(value)
      ? '—'
      : pass(value) && (!Number.isFinite(paired) || pass(paired))
        ? 'met'
        : pass(value) || pass(paired)
          ? 'met by one measure'
          : '**not met**';
    lines.push(
      `| ${name} | ${lowerIsBetter ? '≤' : '≥'} ${fmt(limit)}× | ${fmt(value)}× | ${Number.isFinite(paired) ? `${fmt(paired)}×` : '—'} | ${verdict} |`,
    );
  };
  for (const [key, loads] of loadsBy) {
    if (key.startsWith('stream')) continue;
    if (key.startsWith('redis-')) {
      const redis = loads.get('agentwire-redis');
      const memory = loads.get('agentwire');
      if (!redis || !memory) continue;
      const paired = median(
        redis.flatMap((a) => {
          const m = memory.find((x) => x.round === a.round);
          return m ? [a.deliveriesPerSec / m.deliveriesPerSec] : [];
        }),
      );
      row(
        `${key}: Redis engine, 2 processes, deliveries/s against the memory engine's 1`,
        0.8,
        med(redis, 'deliveriesPerSec') / med(memory, 'deliveriesPerSec'),
        paired,
        false,
      );
      continue;
    }
    const aw = loads.get('agentwire');
    const ws = loads.get('ws');
    if (!aw || !ws) continue;
    const r = (k: keyof PhaseResult) => med(aw, k) / med(ws, k);
    const p = (k: keyof PhaseResult) =>
      median(
        aw.flatMap((a) => {
          const w = ws.find((x) => x.round === a.round);
          return w ? [(a[k] as number) / (w[k] as number)] : [];
        }),
      );
    const check = (name: string, k: keyof PhaseResult, limit: number, lower: boolean) =>
      row(`${key}: ${name}`, limit, r(k), p(k), lower);
    if (key.endsWith('flood') || key.endsWith('burst')) {
      // Issue 16: every publisher pattern, at the floor or better.
      check('server CPU per delivery', 'serverCpuUsPerDelivery', 1.0, true);
      check('deliveries/s', 'deliveriesPerSec', 1.0, false);
      check('peak RSS (history on)', 'peakRssMb', 1.5, true);
    } else if (key.endsWith('saturate')) {
      check('server CPU per delivery', 'serverCpuUsPerDelivery', 1.15, true);
      check('deliveries/s', 'deliveriesPerSec', 0.9, false);
      check('peak RSS (history on)', 'peakRssMb', 2, true);
    } else {
      check('server CPU per delivery', 'serverCpuUsPerDelivery', 1.15, true);
      check('p99 latency', 'p99Us', 2, true);
    }
  }
  const by = byTarget(idle);
  const m = (t: TargetName) => median((by.get(t) ?? []).map((r) => r.rssPerConnBytes));
  const paired = median(
    (by.get('agentwire') ?? []).flatMap((a) => {
      const w = by.get('ws')?.find((x) => x.round === a.round);
      return w ? [a.rssPerConnBytes / w.rssPerConnBytes] : [];
    }),
  );
  if (by.has('agentwire') && by.has('ws'))
    row('idle memory per connection', 1.3, m('agentwire') / m('ws'), paired, true);
  return lines.join('\n');
}

export function summarize(
  results: Result[],
  meta: { started: Date; finished: Date; command: string; settings: object; pinned: boolean },
): string {
  const loads = results.filter((r): r is PhaseResult => r.kind === 'load');
  const idle = results.filter((r): r is IdleResult => r.kind === 'idle');
  const groups = new Map<string, Loads>();
  for (const r of loads) {
    const key = `${r.scenario} ${r.phase}`;
    const g = groups.get(key) ?? new Map<TargetName, PhaseResult[]>();
    g.set(r.target, [...(g.get(r.target) ?? []), r]);
    groups.set(key, g);
  }
  const rounds = new Set(results.map((r) => r.round)).size;
  const out = [
    `Run ${meta.started.toISOString()} → ${meta.finished.toISOString()}, \`${meta.command}\`, ${rounds} round(s), medians over rounds; ` +
      `errors are sums over all rounds. "Rounds used": medians are over the rounds in which other processes used < ${QUIET_OTHERS_PCT} % of a core, when there were any. Pinned: ${meta.pinned ? 'server core 0, client core 1' : 'no'}.`,
    '',
  ];
  for (const [key, g] of groups) {
    const [scenario, phase] = key.split(' ');
    if (phase === 'stream') out.push(streamTable(g), '');
    else if (scenario?.startsWith('redis-')) {
      out.push(
        redisTable(
          `Redis engine, ${scenario.split('-')[1]} sockets, saturation: 2 gateway processes on one redis-server, each user's 2 tabs on both`,
          g,
        ),
        '',
      );
    } else {
      const sockets = scenario?.split('-')[1];
      out.push(
        loadTable(
          `agent-run, ${sockets} sockets — ${PHASE_TITLES[phase as keyof typeof PHASE_TITLES] ?? phase}`,
          g,
          phase === 'paced',
        ),
        '',
      );
    }
  }
  if (idle.length) out.push(idleTable(idle), '');
  out.push(checks(groups, idle), '');
  return out.join('\n');
}
