// Fault suite: SIGTERM drain of a real gateway process under load (SPEC §8), with a second node
// on the same real redis-server taking over. Bounded, loopback only.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { CloseCode, ErrorCode } from '@agentwire/protocol';
import {
  type GatewayProcess,
  mintToken,
  startGatewayProcess,
  startRedis,
  TEST_API_KEY,
  type TestGateway,
} from '@agentwire/testkit';
import { openClient, publishHttp, type TestClient, thinking } from '../helpers/harness.js';

const WINDOW_MS = 1500;

/** A tab that resumes on `fallback` with its position when the server closes it with 1012. */
class Tab {
  seqs: number[] = [];
  closedAt: number | undefined;
  closeCode: number | undefined;
  current!: TestClient;

  constructor(
    readonly userId: string,
    private readonly fallback: GatewayProcess,
  ) {}

  async open(node: GatewayProcess): Promise<void> {
    const last = this.seqs.at(-1);
    const resume =
      this.epoch && last !== undefined ? { epoch: this.epoch, after: last } : undefined;
    const c = openClient(node.wsUrl, {
      token: await mintToken(this.userId),
      ...(resume && { resume }),
    });
    this.current = c;
    c.ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.type === 'welcome') this.epoch = f.epoch;
      if (f.type === 'event') this.seqs.push(f.seq);
      if (f.type === 'resync') throw new Error(`unexpected resync for ${this.userId}`);
    });
    await c.opened;
    await c.until((f) => f.length > 0, 5000, 'welcome');
    void c.closed.then((code) => {
      if (this.closedAt !== undefined) return;
      this.closedAt = Date.now();
      this.closeCode = code;
      void this.open(this.fallback);
    });
  }

  epoch: string | undefined;
}

describe('faults: SIGTERM drain under load', () => {
  it('keeps listening with 503s, closes tabs with 1012 spread over the window, finishes in-flight publishes, and loses no accepted event', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const env = {
      AGENTWIRE_ENGINE: 'redis',
      AGENTWIRE_REDIS_URL: redis.url,
      AGENTWIRE_REDIS_PREFIX: 'drain',
      AGENTWIRE_DRAIN_WINDOW_MS: String(WINDOW_MS),
      AGENTWIRE_DRAIN_BATCH_INTERVAL_MS: '100',
    };
    const [a, b] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
    t.after(() => Promise.all([a.kill(), b.kill()]));
    const users = Array.from({ length: 6 }, (_, i) => `d${i}`);
    const tabs = users.flatMap((u) => [new Tab(u, b), new Tab(u, b)]);
    for (const tab of tabs) await tab.open(a);

    // Like a load balancer: publish to A, and to B when A refuses.
    const accepted = new Map<string, number[]>(users.map((u) => [u, []]));
    let refusedByA = 0;
    const publishOne = async (n: number) => {
      const userId = users[n % users.length] as string;
      const body = { userId, event: thinking(`p${n}`) };
      let res = await publishHttp(a as unknown as TestGateway, body).catch(() => undefined);
      if (res?.status === 503) refusedByA++;
      if (res?.status !== 200) res = await publishHttp(b as unknown as TestGateway, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      accepted.get(userId)?.push(res.body.seq as number);
    };
    let n = 0;
    for (; n < 30; n++) await publishOne(n);

    // A publish in flight when SIGTERM arrives: headers and half the body are sent before.
    const inFlightRest: { send?: () => void } = {};
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = JSON.stringify({ userId: 'd0', event: thinking('in flight') });
      const req = request(`${a.url}/v1/publish`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TEST_API_KEY}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 20));
      inFlightRest.send = () => req.end(body.slice(20));
    });
    await new Promise((r) => setTimeout(r, 100));

    const sigtermAt = Date.now();
    a.signal('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    const ready = await fetch(`${a.url}/readyz`);
    assert.equal(ready.status, 503, '/readyz on the draining node');
    assert.ok(Date.now() - sigtermAt < 1000);
    const upgrade = openClient(a.wsUrl, { token: await mintToken('late') });
    await assert.rejects(upgrade.opened, (e: { status?: number }) => e.status === 503);
    const ticket = await fetch(`${a.url}/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await mintToken('late')}` },
    });
    assert.equal(ticket.status, 503, 'no ticket from the draining node');
    assert.deepEqual(await ticket.json(), {
      error: { code: ErrorCode.Unavailable, message: 'gateway is draining' },
    });
    // The rest of its body comes after the last batch of closes: the drain waits for it.
    setTimeout(() => inFlightRest.send?.(), WINDOW_MS + 300);

    // Load goes on through the drain and after A is gone.
    const exit = a.exited;
    let exited = false;
    void exit.then(() => {
      exited = true;
    });
    while (!exited && n < 2000) {
      await publishOne(n++);
      await new Promise((r) => setTimeout(r, 5));
    }
    for (let i = 0; i < 10; i++) await publishOne(n++);
    assert.equal(await exit, 0, 'A exits 0 after the drain');
    const finished = await inFlight;
    assert.equal(finished.status, 200, `the in-flight publish finished: ${finished.body}`);
    accepted.get('d0')?.push(JSON.parse(finished.body).seq);
    assert.ok(refusedByA > 0, 'publishes to the draining node got 503');

    assert.ok(tabs.every((tab) => tab.closeCode === CloseCode.ServiceRestart));
    const times = tabs.map((tab) => tab.closedAt as number);
    const spread = Math.max(...times) - Math.min(...times);
    assert.ok(
      spread >= WINDOW_MS * 0.4,
      `closes spread over ${spread} ms of a ${WINDOW_MS} ms window`,
    );

    for (const tab of tabs) {
      const expected = [...(accepted.get(tab.userId) ?? [])].sort((x, y) => x - y);
      await tab.current.until(
        () => tab.seqs.length >= expected.length,
        5000,
        `${tab.userId}: every accepted event`,
      );
      assert.deepEqual(tab.seqs, expected, `${tab.userId}: no loss, no duplicate, in order`);
    }
    await Promise.all(tabs.map((tab) => tab.current.close()));
  });
});
