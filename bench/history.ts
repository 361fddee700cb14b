/**
 * What the memory engine's history costs the process: fills it with agent-run-sized events and
 * reports the heap and external memory it holds, the RSS it added, and how long a full GC takes
 * with it in memory (what a long run's mark-compact pays for history).
 *
 *   node --expose-gc --import tsx bench/history.ts [users] [events per user] [gateway dist/index.js]
 *
 * The third argument measures another gateway build (e.g. one built from an earlier commit), so
 * two builds can be compared on the same machine; default: this repository's build.
 */
import { performance } from 'node:perf_hooks';

const [usersArg = '2000', perUserArg = '75', path = '@agentwire/gateway'] = process.argv.slice(2);
const users = Number(usersArg);
const perUser = Number(perUserArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const { MemoryEngine } = (await import(path)) as typeof import('@agentwire/gateway');
const engine = new MemoryEngine({
  history: { maxEvents: 1000, maxAgeMs: 15 * 60_000 },
  sweepIntervalMs: 0,
});
const userIds = Array.from({ length: users }, (_, i) => `user-${i}`);
for (const userId of userIds) await engine.subscribe(userId, () => {});
gc();
gc();
const before = process.memoryUsage();
const started = performance.now();
let n = 0;
for (let k = 0; k < perUser; k++) {
  for (const userId of userIds) {
    // An agent_thinking event as the publisher serializes it (~300 bytes), unique per event.
    const id = `evt_Qm9vYmFyYmF6cXV4_${n.toString(36)}`;
    const json = JSON.stringify({
      id,
      type: 'agent_thinking',
      runId: `run_${userId}_${k >> 3}`,
      threadId: 'th_1',
      ts: new Date().toISOString(),
      data: { text: `step ${n}: ${'weighing the next step of the plan '.repeat(5)}` },
    });
    engine.appendSync(userId, id, json, true);
    n++;
  }
}
const appendMs = performance.now() - started;
gc();
const after = process.memoryUsage();
const gcStarted = performance.now();
gc();
const fullGcMs = performance.now() - gcStarted;
const mb = (bytes: number) => Number((bytes / 1048576).toFixed(1));
const held = after.heapUsed - before.heapUsed + (after.external - before.external);
console.log(
  JSON.stringify({
    gateway: path,
    events: n,
    appendMs: Math.round(appendMs),
    heapUsedMB: mb(after.heapUsed - before.heapUsed),
    externalMB: mb(after.external - before.external),
    rssMB: mb(after.rss - before.rss),
    bytesPerEvent: Math.round(held / n),
    fullGcMs: Number(fullGcMs.toFixed(1)),
  }),
);
await engine.close();
