import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RedisEngine } from '@agentwire/gateway';
import {
  mintToken,
  startGateway,
  startRedis,
  TEST_API_KEY,
  TEST_SECRET,
  type TestGateway,
  type TestRedis,
} from '@agentwire/testkit';
import { Redis } from 'ioredis';
import { connectUser, openClient, thinking } from '../helpers/harness.js';
import { engineConformance } from './conformance.js';

let redis: TestRedis;
let prefixes = 0;
before(async () => {
  redis = await startRedis();
});
after(() => redis.stop());

/** Each engine gets its own key prefix, so tests never see each other's streams. */
const engineFor = (
  history: { maxEvents: number; maxAgeMs: number },
  prefix = `t${++prefixes}`,
  now?: () => number,
) => new RedisEngine({ url: redis.url, history, prefix, ...(now !== undefined && { now }) });

engineConformance('redis', {
  create: async (history, now) => engineFor(history, undefined, now),
});

describe('RedisEngine', () => {
  it('carries ids and JSON with any characters through fan-out intact', async () => {
    const engine = engineFor({ maxEvents: 10, maxAgeMs: 60_000 });
    const got: { id: string; json: string }[] = [];
    const unsubscribe = await engine.subscribe('ünï|code', (_u, e) =>
      got.push({ id: e.id, json: e.json }),
    );
    const id = 'evt_|ü|\n2';
    const json = JSON.stringify({ text: 'a|b ✓ \u2028 "q"' });
    await engine.append('ünï|code', id, json);
    const deadline = Date.now() + 2000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, [{ id, json }]);
    await unsubscribe();
    await engine.close();
  });

  it('expires the leases a dead process no longer renews', async () => {
    const engine = engineFor({ maxEvents: 10, maxAgeMs: 60_000 });
    assert.equal(await engine.shared.admitConnection('lease', 'dead', 1, 200), true);
    assert.equal(await engine.shared.admitConnection('lease', 'new', 1, 200), false);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await engine.shared.admitConnection('lease', 'new', 1, 200), true);
    await engine.close();
  });

  it('starts a new epoch, not an error, when only the meta hash was evicted', async () => {
    const engine = engineFor({ maxEvents: 10, maxAgeMs: 60_000 }, 'evict');
    const first = await engine.append('ev', 'a', '{}');
    await engine.append('ev', 'b', '{}');
    const raw = new Redis(redis.url);
    await raw.del('evict:{ev}:meta');
    await raw.quit();
    const after = await engine.append('ev', 'c', '{}');
    assert.notEqual(after.epoch, first.epoch);
    assert.equal(after.seq, 1, 'the new epoch starts afresh; the old stream went with it');
    const read = await engine.read('ev', 0);
    assert.deepEqual(
      read.events.map((e) => e.id),
      ['c'],
    );
    await engine.close();
  });

  it('is not ready when Redis is unreachable', async () => {
    const engine = new RedisEngine({
      url: 'redis://127.0.0.1:1',
      history: { maxEvents: 10, maxAgeMs: 1000 },
      redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true },
    });
    assert.equal(await engine.ready(), false);
    await engine.close();
  });
});

describe('two gateway nodes over one Redis (no sticky sessions)', () => {
  let a: TestGateway;
  let b: TestGateway;
  let engineA: RedisEngine;
  let engineB: RedisEngine;
  before(async () => {
    const history = { maxEvents: 1000, maxAgeMs: 60_000 };
    engineA = engineFor(history, 'nodes');
    engineB = engineFor(history, 'nodes');
    a = await startGateway({ engine: engineA });
    b = await startGateway({ engine: engineB });
  });
  after(async () => {
    await a.close();
    await b.close();
    await engineA.close();
    await engineB.close();
  });

  it('delivers a publish on one node to the user’s tabs on both nodes, and to no one else (I1, I2)', async () => {
    const onA = await connectUser(a, 'nina');
    const onB = await connectUser(b, 'nina');
    const other = await connectUser(a, 'otto');
    for (let i = 0; i < 50; i++) {
      await (i % 2 ? a : b).gateway.forUser('nina').publish(thinking(`n${i}`));
    }
    for (const tab of [onA, onB]) {
      await tab.until(() => tab.events().length === 50, 5000, '50 events');
      assert.deepEqual(
        tab.events().map((e) => e.seq),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(other.events().length, 0);
    for (const c of [onA, onB, other]) await c.close();
  });

  it('resumes on another node after the serving node went away (I3, I7)', async () => {
    const tab = await connectUser(a, 'rita');
    const user = b.gateway.forUser('rita');
    for (let i = 1; i <= 5; i++) await user.publish(thinking(`e${i}`));
    await tab.until(() => tab.events().length === 5);
    const epoch = tab.welcome().epoch;
    tab.ws.terminate();
    await tab.closed;
    for (let i = 6; i <= 9; i++) await user.publish(thinking(`e${i}`));
    const elsewhere = await connectUser(b, 'rita', { resume: { epoch, after: 5 } });
    assert.equal(elsewhere.welcome().resumed, true);
    await a.gateway.forUser('rita').publish(thinking('e10'));
    await elsewhere.until(() => elsewhere.events().length === 5, 5000, 'replay and live');
    assert.deepEqual(
      elsewhere.events().map((e) => e.seq),
      [6, 7, 8, 9, 10],
    );
    await elsewhere.close();
  });

  it('answers the same seq for a repeated id on either node', async () => {
    const first = await a.gateway.forUser('idem').publish({ ...thinking('x'), id: 'evt_same' });
    const second = await b.gateway.forUser('idem').publish({ ...thinking('x'), id: 'evt_same' });
    assert.deepEqual(second, first);
  });
});

describe('two gateway processes started from the CLI with AGENTWIRE_ENGINE=redis', () => {
  const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

  async function startNode(t: import('node:test').TestContext): Promise<number> {
    const child = spawn(process.execPath, [cli, '--port', '0', '--engine', 'redis'], {
      env: {
        ...process.env,
        AGENTWIRE_JWT_SECRET: TEST_SECRET,
        AGENTWIRE_API_KEYS: TEST_API_KEY,
        AGENTWIRE_REDIS_URL: redis.url,
        AGENTWIRE_REDIS_PREFIX: 'cli',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    });
    let out = '';
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
  }

  it('a publish over HTTP to one process reaches a tab connected to the other', async (t) => {
    const [portA, portB] = await Promise.all([startNode(t), startNode(t)]);
    const tab = openClient(`ws://127.0.0.1:${portA}/ws`, { token: await mintToken('cli-user') });
    await tab.opened;
    await tab.until((f) => f.length > 0);
    const res = await fetch(`http://127.0.0.1:${portB}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'cli-user', event: thinking('across processes') }),
    });
    assert.equal(res.status, 200);
    await tab.until(() => tab.events().length === 1, 5000, 'cross-process delivery');
    assert.deepEqual(tab.events()[0]?.event.data, { text: 'across processes' });
    assert.equal((await fetch(`http://127.0.0.1:${portB}/readyz`)).status, 200);
    await tab.close();
  });
});
