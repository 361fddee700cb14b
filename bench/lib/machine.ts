/**
 * Machine-wide CPU use from /proc/stat, to see how much of the machine other processes took
 * while a target was measured (this benchmark shares its 2 cores with whatever else runs).
 */
import { readFileSync } from 'node:fs';
import { sleep } from './procs.js';

export interface CpuSample {
  busy: number;
  total: number;
}

/** Aggregate jiffies; `busy` excludes idle and iowait. Zeros where /proc/stat is missing. */
export function cpuSample(): CpuSample {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** CPU used machine-wide between two samples, in % of one core (2 busy cores = 200 %). */
export function machineCpuPct(a: CpuSample, b: CpuSample, cores: number): number {
  const total = b.total - a.total;
  return total > 0 ? ((b.busy - a.busy) / total) * cores * 100 : Number.NaN;
}

/**
 * Waits (bounded) until other processes use less than `limitPct` of one core, so that a target
 * is not measured during someone else's burst. Returns the last reading.
 */
export async function waitForQuiet(
  cores: number,
  limitPct: number,
  maxWaitMs: number,
): Promise<number> {
  const until = Date.now() + maxWaitMs;
  for (;;) {
    const a = cpuSample();
    await sleep(500);
    const pct = machineCpuPct(a, cpuSample(), cores);
    if (!(pct > limitPct) || Date.now() >= until) return pct;
    await sleep(2000);
  }
}
