/**
 * This process's GC pauses, from the `gc` performance entries: their total (always) and, when
 * asked (BENCH_TIMELINE), each pause as [start µs on the shared `nowUs()` clock, length µs, kind].
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { nowUs } from './workload.js';

export interface GcWatch {
  /** Main-thread GC pause time since the watch started, in µs. */
  readonly pauseUs: number;
  /** Each pause, when kept; callers may empty it to start a new window. */
  readonly pauses: [number, number, number][];
}

export function watchGc(keepPauses: boolean): GcWatch {
  // performance.now() is monotonic from the process's time origin; this maps it to nowUs().
  const perfOffsetUs = nowUs() - Math.round(performance.now() * 1000);
  const watch = { pauseUs: 0, pauses: [] as [number, number, number][] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      watch.pauseUs += e.duration * 1000;
      if (!keepPauses) continue;
      const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
      watch.pauses.push([
        perfOffsetUs + Math.round(e.startTime * 1000),
        Math.round(e.duration * 1000),
        kind,
      ]);
    }
  }).observe({ entryTypes: ['gc'] });
  return watch;
}
