/** The redis-server of the Redis engine benchmark: testkit's private server, and its CPU time. */
import { readdirSync, readFileSync } from 'node:fs';
import { startRedis } from '@agentwire/testkit';

export interface BenchRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The PID of the redis-server listening on `port` (its process title names the address). */
function findRedisPid(port: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes('redis-server') && cmdline.includes(`:${port}`)) return Number(entry);
  }
  throw new Error(`no redis-server process found for port ${port}`);
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const redis = await startRedis();
  return { url: redis.url, pid: findRedisPid(redis.port), stop: () => redis.stop() };
}

/** User + system CPU time (µs) of a process so far, from /proc (clock ticks of 10 ms). */
export function redisCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}
