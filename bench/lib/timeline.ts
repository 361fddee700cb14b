/**
 * Prints a BENCH_TIMELINE file (bench/README.md) as one line per 100-ms window that holds late
 * deliveries: deliveries, late ones (> 1 ms), the latest, and what paused in that window — the
 * client's GC (C<kind>), the server's GC (S<kind>) and the server's slow driver ticks, each with
 * its length and its offset from the start of the measured window in ms. GC kinds are perf_hooks'
 * (1 scavenge, 2 mark-compact, 4 incremental marking, 8 weak callbacks).
 */
import { readFileSync } from 'node:fs';
import type { Timeline } from '../client.js';

interface TimelineFile {
  client: Timeline;
  serverGc?: [number, number, number][];
  slowTickAt?: [number, number][];
}

export function summarizeTimeline(path: string): string {
  const {
    client: c,
    serverGc = [],
    slowTickAt = [],
  } = JSON.parse(readFileSync(path, 'utf8')) as TimelineFile;
  const ms = (us: number) => (us / 1000).toFixed(1);
  const inWindow = (at: number, b: number) =>
    at >= c.t0 + b * c.bucketUs && at < c.t0 + (b + 1) * c.bucketUs;
  const lines = ['window  deliveries  late  max ms  pauses (length ms @ offset ms)'];
  let total = 0;
  let late = 0;
  for (let b = 0; b < c.count.length; b++) {
    total += c.count[b] ?? 0;
    late += c.late[b] ?? 0;
    if (!c.late[b]) continue;
    const pauses = [
      ...c.gc
        .filter(([at]) => inWindow(at, b))
        .map(([at, us, k]) => `C${k} ${ms(us)}@${ms(at - c.t0)}`),
      ...serverGc
        .filter(([at]) => inWindow(at, b))
        .map(([at, us, k]) => `S${k} ${ms(us)}@${ms(at - c.t0)}`),
      ...slowTickAt
        .filter(([at]) => inWindow(at, b))
        .map(([at, us]) => `tick ${ms(us)}@${ms(at - us - c.t0)}`),
    ];
    lines.push(
      `${String(b).padStart(6)}  ${String(c.count[b]).padStart(10)}  ${String(c.late[b]).padStart(4)}  ${ms(c.maxUs[b] ?? 0).padStart(6)}  ${pauses.join(', ')}`,
    );
  }
  lines.push(
    `${total} deliveries, ${late} later than 1 ms (${((100 * late) / total).toFixed(2)} %)`,
  );
  lines.push(
    `client GC in the window: ${c.gc.map(([, us, k]) => `C${k} ${ms(us)}`).join(', ') || 'none'}`,
  );
  lines.push(
    `server GC in the window: ${serverGc.map(([, us, k]) => `S${k} ${ms(us)}`).join(', ') || 'none'}`,
  );
  return lines.join('\n');
}
