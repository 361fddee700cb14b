// The per-user cap's leases (src/ws/leases.ts) on the gateway's bounded engines: renewed where
// they expire (a real redis-server), not at all where they cannot (the memory engine).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRedis } from '@agentwire/testkit';
import { pino } from 'pino';
import { boundedEngine } from '../src/engine/bounded.js';
import type { Engine } from '../src/engine/engine.js';
import { MemoryEngine } from '../src/engine/memory.js';
import { RedisEngine } from '../src/engine/redis.js';
import type { Connection } from '../src/ws/connection.js';
import { ConnectionLeases } from '../src/ws/leases.js';

const HISTORY = { maxEvents: 10, maxAgeMs: 60_000 };
const LEASE_MS = 300;

function leasesOn(engine: Engine, open: Connection[] = []): ConnectionLeases {
  const bounded = boundedEngine(engine, 1000);
  return new ConnectionLeases(bounded.shared, pino({ level: 'silent' }), 1, LEASE_MS, () => open);
}

describe('connection leases', () => {
  it('are not renewed on the memory engine, whose leases cannot outlive the process', async () => {
    const engine = new MemoryEngine({ history: HISTORY });
    const leases = leasesOn(engine);
    leases.start();
    try {
      assert.equal(leases.renewing, false);
      assert.equal(await leases.admit('mia', 'c1'), true);
      assert.equal(await leases.admit('mia', 'c2'), false, 'the cap still holds');
    } finally {
      leases.stop();
      await engine.close();
    }
  });

  it('are renewed on the Redis engine while the connection is open, so they do not expire', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const engine = new RedisEngine({ url: redis.url, history: HISTORY, prefix: 'leases' });
    t.after(() => engine.close());
    const conn = { id: 'c1', userId: 'rio' } as Connection;
    const leases = leasesOn(engine, [conn]);
    leases.start();
    t.after(() => leases.stop());
    assert.equal(leases.renewing, true);
    assert.equal(await leases.admit('rio', 'c1'), true);
    await new Promise((r) => setTimeout(r, LEASE_MS * 3));
    assert.equal(await leases.admit('rio', 'c2'), false, 'c1 still holds its lease');
    leases.release('rio', 'c1');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await leases.admit('rio', 'c2'), true);
  });
});
