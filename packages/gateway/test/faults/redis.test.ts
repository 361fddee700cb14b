// Fault suite, Redis side: a real redis-server killed and restarted empty, stalled with SIGSTOP,
// and real gateway processes SIGKILLed. Every wait is bounded; everything listens on 127.0.0.1.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { RedisEngine } from '@agentwire/gateway';
import { ErrorCode, ResyncReason, type ServerFrame } from '@agentwire/protocol';
import {
  type GatewayProcess,
  mintToken,
  startGateway,
  startGatewayProcess,
  startRedis,
  type TestGateway,
  type TestRedis,
  waitFor,
} from '@agentwire/testkit';
import { Redis } from 'ioredis';
import {
  connectUser,
  openClient,
  publishHttp,
  type TestClient,
  thinking,
} from '../helpers/harness.js';

const HISTORY = { maxEvents: 1000, maxAgeMs: 60_000 };
/** The gateway's bound on engine calls in these tests, and the slack a loaded machine gets. */
const BOUND_MS = 500;
const SLACK_MS = 700;

async function redisFor(t: TestContext): Promise<TestRedis> {
  const redis = await startRedis();
  t.after(() => redis.stop());
  return redis;
}

async function gatewayOn(
  t: TestContext,
  redis: TestRedis,
  prefix: string,
  maxConnectionsPerUser?: number,
): Promise<TestGateway> {
  const engine = new RedisEngine({ url: redis.url, history: HISTORY, prefix, timeoutMs: 300 });
  const gw = await startGateway({
    engine,
    engineTimeoutMs: BOUND_MS,
    ...(maxConnectionsPerUser !== undefined && { limits: { maxConnectionsPerUser } }),
  });
  t.after(async () => {
    await gw.close();
    await engine.close();
  });
  return gw;
}

/** Publishes until accepted (retrying 503s, which must come within the bound); returns the result. */
async function publishAccepted(gw: TestGateway, userId: string, text: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const started = Date.now();
    const res = await publishHttp(gw, { userId, event: thinking(text) });
    if (res.status === 200) return res.body as { seq: number; epoch: string; id: string };
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal((res.body.error as { code: string }).code, ErrorCode.Unavailable);
    assert.ok(Date.now() - started < BOUND_MS + SLACK_MS, 'a 503 comes within the bound');
    assert.ok(Date.now() < deadline, 'the gateway recovers by itself');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * What a tab saw, epoch by epoch: the events it got, and where a resync told it to continue
 * from. An accepted (epoch, seq) is covered when it arrived or a resync of its epoch is at or
 * past it — anything else is a silent gap.
 */
function coverage(frames: ServerFrame[]) {
  const delivered = new Set<string>();
  const resyncedTo = new Map<string, number>();
  const duplicates: string[] = [];
  let epoch = '';
  for (const f of frames) {
    if (f.type === 'welcome') epoch = f.epoch;
    else if (f.type === 'resync') {
      epoch = f.epoch;
      resyncedTo.set(epoch, Math.max(resyncedTo.get(epoch) ?? 0, f.seq));
    } else if (f.type === 'event') {
      const key = `${epoch}:${f.seq}`;
      if (delivered.has(key)) duplicates.push(key);
      delivered.add(key);
    }
  }
  const covers = (a: { epoch: string; seq: number }) =>
    delivered.has(`${a.epoch}:${a.seq}`) || (resyncedTo.get(a.epoch) ?? 0) >= a.seq;
  return { covers, duplicates };
}

describe('faults: Redis killed and restarted empty mid-stream', () => {
  it('every accepted event reaches the open tab or the tab gets resync(epoch_changed) — never a silent gap', async (t) => {
    const redis = await redisFor(t);
    const gw = await gatewayOn(t, redis, 'restart');
    const tab = await connectUser(gw, 'ruth');
    const accepted: { epoch: string; seq: number }[] = [];
    for (let i = 0; i < 20; i++) accepted.push(await publishAccepted(gw, 'ruth', `before ${i}`));
    await tab.until(() => tab.events().length === 20, 5000, 'the first 20 events');

    await redis.restart();
    for (let i = 0; i < 30; i++) accepted.push(await publishAccepted(gw, 'ruth', `after ${i}`));
    const epochs = new Set(accepted.map((a) => a.epoch));
    assert.equal(epochs.size, 2, 'an empty Redis is a new epoch, not a silent renumbering');

    await tab.until(
      (frames) => accepted.every(coverage(frames).covers),
      5000,
      'every accepted event delivered or covered by a resync',
    );
    const { duplicates } = coverage(tab.frames);
    assert.deepEqual(duplicates, []);
    const resyncs = tab.frames.filter((f) => f.type === 'resync');
    assert.ok(resyncs.length >= 1, 'the tab was told');
    assert.ok(resyncs.every((f) => f.type === 'resync' && f.reason === ResyncReason.EpochChanged));
    // A second tab that resumes from the old epoch is told too.
    const old = tab.welcome();
    const late = openClient(gw.wsUrl, {
      token: await mintToken('ruth'),
      resume: { epoch: old.epoch, after: 20 },
    });
    await late.opened;
    await late.until((f) => f.some((x) => x.type === 'resync'), 5000, 'resync on resume');
    await late.close();
    await tab.close();
  });
});

describe('faults: the gateway’s Redis subscription is cut (CLIENT KILL TYPE pubsub)', () => {
  it('events published while it was reconnecting still reach the open tab (catch-up after resubscribe)', async (t) => {
    const redis = await redisFor(t);
    const gw = await gatewayOn(t, redis, 'cut');
    const tab = await connectUser(gw, 'cora');
    await publishAccepted(gw, 'cora', 'before');
    await tab.until(() => tab.events().length === 1);
    const raw = new Redis(redis.url);
    t.after(() => raw.quit());
    await raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    // Published at once, while the subscriber reconnects: live fan-out misses them, and no
    // later event comes to reveal the gap.
    for (let i = 0; i < 5; i++) await publishAccepted(gw, 'cora', `during ${i}`);
    await tab.until(() => tab.events().length === 6, 5000, 'the events published meanwhile');
    assert.deepEqual(
      tab.events().map((e) => e.seq),
      [1, 2, 3, 4, 5, 6],
    );
    await tab.close();
  });
});

describe('faults: Redis stalled (SIGSTOP) and unreachable (killed)', () => {
  it('publishes get 503 unavailable and /readyz 503 within the bound, and both recover by themselves', async (t) => {
    const redis = await redisFor(t);
    const gw = await gatewayOn(t, redis, 'stall');
    await publishAccepted(gw, 'sam', 'warm');
    const timed = async <T>(fn: () => Promise<T>) => {
      const started = Date.now();
      const value = await fn();
      return { value, ms: Date.now() - started };
    };

    redis.pause();
    try {
      const pub = await timed(() => publishHttp(gw, { userId: 'sam', event: thinking('stalled') }));
      assert.equal(pub.value.status, 503);
      assert.equal((pub.value.body.error as { code: string }).code, ErrorCode.Unavailable);
      assert.ok(pub.ms < BOUND_MS + SLACK_MS, `503 after ${pub.ms} ms`);
      const ready = await timed(() => fetch(`${gw.url}/readyz`));
      assert.equal(ready.value.status, 503);
      assert.ok(ready.ms < BOUND_MS + SLACK_MS, `/readyz after ${ready.ms} ms`);
      const batch = await publishHttp(gw, { batch: [{ userId: 'sam', event: thinking('b') }] });
      assert.equal(batch.status, 503);
    } finally {
      redis.resume();
    }
    await publishAccepted(gw, 'sam', 'resumed');
    await waitFor(() => true, 'noop');
    assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);

    await redis.kill();
    const down = await timed(() => publishHttp(gw, { userId: 'sam', event: thinking('down') }));
    assert.equal(down.value.status, 503, JSON.stringify(down.value.body));
    assert.ok(down.ms < BOUND_MS + SLACK_MS, `503 after ${down.ms} ms`);
    assert.equal((await fetch(`${gw.url}/readyz`)).status, 503);
    await redis.restart();
    await publishAccepted(gw, 'sam', 'back');
    let readyz = 0;
    for (let i = 0; i < 50 && readyz !== 200; i++) {
      readyz = (await fetch(`${gw.url}/readyz`)).status;
      if (readyz !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(readyz, 200);
  });
});

describe('faults: new WebSocket upgrades while Redis is stalled (SIGSTOP)', () => {
  it('refuses them with HTTP 503 unavailable within the bound (no upgrade then 1011), and admits again after, with no lease left behind', async (t) => {
    const redis = await redisFor(t);
    const gw = await gatewayOn(t, redis, 'stall-upgrade', 1);
    const before = await connectUser(gw, 'una');
    await before.close();
    const token = await mintToken('una');

    redis.pause();
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const started = Date.now();
        const client = openClient(gw.wsUrl, { token });
        const refusal = await client.opened.then(
          () => undefined,
          (error: { status?: number; body?: string }) => error,
        );
        const ms = Date.now() - started;
        if (!refusal) await client.close();
        assert.ok(refusal, 'no WebSocket is opened while the engine is stalled');
        assert.equal(refusal.status, 503);
        assert.equal(JSON.parse(refusal.body ?? '{}').error?.code, ErrorCode.Unavailable);
        assert.ok(ms < BOUND_MS + SLACK_MS, `503 after ${ms} ms`);
      }
    } finally {
      redis.resume();
    }
    // The leases Redis took late (after SIGCONT) were given back: with a cap of 1 the user
    // gets in at once, not after the lease (30 s) expires.
    const after = openClient(gw.wsUrl, { token });
    await after.opened;
    await after.until((f) => f.length > 0 || after.closeCode !== undefined, 5000, 'welcome');
    assert.equal(after.closeCode, undefined, `closed with ${after.closeCode}`);
    assert.equal(after.welcome().userId, 'una');
    await after.close();
  });
});

describe('faults: tickets and the per-user cap across two nodes', () => {
  it('redeems a ticket issued by one node on the other, once', async (t) => {
    const redis = await redisFor(t);
    const a = await gatewayOn(t, redis, 'shared');
    const b = await gatewayOn(t, redis, 'shared');
    const res = await fetch(`${a.url}/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await mintToken('tia')}` },
    });
    const { ticket } = (await res.json()) as { ticket: string };
    const onB = openClient(b.wsUrl, { ticket });
    await onB.opened;
    await onB.until((f) => f.length > 0);
    assert.equal(onB.welcome().userId, 'tia');
    for (const gw of [a, b]) {
      const again = openClient(gw.wsUrl, { ticket });
      await assert.rejects(again.opened, (e: { status?: number }) => e.status === 401);
    }
    await onB.close();
  });
});

describe('faults: gateway processes SIGKILLed (Redis engine)', () => {
  const nodeEnv = (redis: TestRedis) => ({
    AGENTWIRE_ENGINE: 'redis',
    AGENTWIRE_REDIS_URL: redis.url,
    AGENTWIRE_REDIS_PREFIX: 'nodes',
    AGENTWIRE_MAX_CONNECTIONS_PER_USER: '2',
    AGENTWIRE_CONNECTION_LEASE_MS: '900',
  });
  const startNode = async (t: TestContext, redis: TestRedis) => {
    const node = await startGatewayProcess(nodeEnv(redis));
    t.after(() => node.kill());
    return node;
  };
  const asGateway = (node: GatewayProcess) => node as unknown as TestGateway;
  const connectTo = async (
    node: GatewayProcess,
    userId: string,
    resume?: { epoch: string; after: number },
  ) => {
    const c = openClient(node.wsUrl, { token: await mintToken(userId), ...(resume && { resume }) });
    await c.opened;
    await c.until((f) => f.length > 0 || c.closeCode !== undefined, 5000, 'welcome or close');
    return c;
  };

  it('holds the per-user cap over both nodes, frees a dead node’s slots when its leases expire, and a tab streaming from the killed node resumes on the other with no loss or duplicate', async (t) => {
    const redis = await redisFor(t);
    const [a, b] = await Promise.all([startNode(t, redis), startNode(t, redis)]);

    // The cap (2) counts both nodes.
    const capA1 = await connectTo(a, 'cap');
    const capB1 = await connectTo(b, 'cap');
    const third = await connectTo(b, 'cap');
    assert.equal(await third.closed, 4009);

    // A tab on A streams while B takes the publishes; A dies mid-stream.
    const tab = await connectTo(a, 'kim');
    const epoch = tab.welcome().epoch;
    const seqs: number[] = [];
    for (let i = 0; i < 100; i++) {
      if (i === 50) {
        a.signal('SIGKILL');
        await a.exited;
        // A's connection of "cap" still holds its lease: B refuses a second one meanwhile.
        const meanwhile = await connectTo(b, 'cap');
        assert.equal(await meanwhile.closed, 4009, 'the dead node’s lease counts until it expires');
      }
      const res = await publishHttp(asGateway(b), { userId: 'kim', event: thinking(`k${i}`) });
      assert.equal(res.status, 200);
      seqs.push(res.body.seq as number);
    }
    await tab.closed;
    const got = tab.events().map((e) => e.seq);
    const resumed = await connectTo(b, 'kim', { epoch, after: got.at(-1) ?? 0 });
    assert.equal(resumed.welcome().resumed, true);
    await resumed.until(() => resumed.events().at(-1)?.seq === 100, 5000, 'the rest after resume');
    const all = [...got, ...resumed.events().map((e) => e.seq)];
    assert.deepEqual(all, seqs, 'every accepted event once, in order');
    await resumed.close();

    // Once A's lease expired (nobody renews it), B admits again.
    const started = Date.now();
    let admitted: TestClient | undefined;
    while (!admitted) {
      const c = await connectTo(b, 'cap');
      if (c.closeCode === undefined && c.frames[0]?.type === 'welcome') admitted = c;
      else assert.equal(await c.closed, 4009);
      assert.ok(Date.now() - started < 5000, 'the dead node’s lease expired');
    }
    await admitted.close();
    await capB1.close();
    capA1.ws.terminate();
  });
});
