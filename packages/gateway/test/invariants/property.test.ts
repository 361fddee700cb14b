import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerFrame } from '@agentwire/protocol';
import { mintToken, startGateway, type TestGateway, waitFor } from '@agentwire/testkit';
import fc from 'fast-check';
import WebSocket from 'ws';

const USERS = 100;
const TABS_PER_USER = 3;
const RUNS = 3;
const ROUNDS = 70;
const PUBLISHES_PER_ROUND = 500;

/** One browser tab: tracks what it must see and fails loudly on anything else. */
class Tab {
  ws: WebSocket | undefined;
  epoch = '';
  /** Seq of the last event seen (or the position a welcome/resync set). */
  position = -1;
  violations: string[] = [];
  received = 0;

  constructor(
    readonly userId: string,
    readonly jwt: string,
  ) {}

  connect(wsUrl: string, resume: boolean): void {
    const url = new URL(wsUrl);
    if (resume && this.position >= 0) {
      url.searchParams.set('epoch', this.epoch);
      url.searchParams.set('after', String(this.position));
    }
    const ws = new WebSocket(url, ['agentwire.v1', `bearer.${this.jwt}`]);
    this.ws = ws;
    const resumedFrom = resume && this.position >= 0 ? this.position : undefined;
    let welcomed = false;
    ws.on('message', (raw) => {
      if (this.ws !== ws) return;
      const frame = JSON.parse(raw.toString()) as ServerFrame;
      if (frame.type === 'welcome') {
        welcomed = true;
        if (frame.userId !== this.userId) this.violations.push(`welcome for ${frame.userId}`);
        this.epoch = frame.epoch;
        if (resumedFrom !== undefined) {
          if (!frame.resumed) this.violations.push(`resume from ${resumedFrom} refused`);
          this.position = resumedFrom;
        } else {
          this.position = frame.seq;
        }
      } else if (frame.type === 'event') {
        if (!welcomed) this.violations.push('event before welcome');
        const target = (frame.event.data as { u: string }).u;
        if (target !== this.userId)
          this.violations.push(`cross-user: ${target} delivered to ${this.userId}`);
        if (frame.seq !== this.position + 1) {
          this.violations.push(
            `${this.userId}: expected seq ${this.position + 1}, got ${frame.seq}`,
          );
        }
        this.position = frame.seq;
        this.received++;
      } else if (frame.type === 'resync') {
        this.violations.push(`unexpected resync ${frame.reason}`);
      }
    });
    ws.on('error', () => {});
  }

  drop(): void {
    const ws = this.ws;
    this.ws = undefined;
    ws?.terminate();
  }

  get open(): boolean {
    return this.ws !== undefined;
  }
}

type Op =
  | { kind: 'publish'; users: number[] }
  | { kind: 'drop'; tab: number }
  | { kind: 'connect'; tab: number; resume: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      users: fc.array(fc.nat(USERS - 1), { minLength: 1, maxLength: 40 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('drop' as const),
      tab: fc.nat(USERS * TABS_PER_USER - 1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('connect' as const),
      tab: fc.nat(USERS * TABS_PER_USER - 1),
      resume: fc.boolean(),
    }),
  },
);

describe('property: isolation, order and delivery under random connects, drops, resumes and publishes', () => {
  it(`${USERS} users × ${TABS_PER_USER} tabs, ${RUNS * ROUNDS * PUBLISHES_PER_ROUND} publishes`, async () => {
    const jwts = await Promise.all(Array.from({ length: USERS }, (_, u) => mintToken(`user${u}`)));
    let totalPublishes = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 4, maxLength: 12 }), {
          minLength: ROUNDS,
          maxLength: ROUNDS,
        }),
        async (rounds) => {
          const gw: TestGateway = await startGateway({
            history: { maxEvents: 100_000, maxAgeMs: 600_000 },
            limits: { maxConnectionsPerUser: TABS_PER_USER * 2 },
          });
          const tabs = Array.from({ length: USERS * TABS_PER_USER }, (_, i) => {
            const u = i % USERS;
            return new Tab(`user${u}`, jwts[u] as string);
          });
          try {
            for (const tab of tabs) tab.connect(gw.wsUrl, false);
            await waitFor(
              () => gw.gateway.stats().connections === tabs.length,
              'all tabs connected',
              20_000,
            );
            const heads = new Map<string, number>();
            for (const ops of rounds) {
              const publishOps = ops.filter(
                (op): op is Extract<Op, { kind: 'publish' }> => op.kind === 'publish',
              );
              const pending: Promise<{ seq: number }>[] = [];
              const targets: string[] = [];
              let n = 0;
              // Topology changes are interleaved with publishes, not awaited between them.
              for (const op of ops) {
                if (op.kind === 'drop') tabs[op.tab]?.drop();
                else if (op.kind === 'connect') {
                  const tab = tabs[op.tab] as Tab;
                  if (tab.open) tab.drop();
                  tab.connect(gw.wsUrl, op.resume);
                } else {
                  const share = Math.ceil(PUBLISHES_PER_ROUND / publishOps.length);
                  for (let i = 0; i < share && n < PUBLISHES_PER_ROUND; i++, n++) {
                    const userId = `user${op.users[i % op.users.length]}`;
                    targets.push(userId);
                    pending.push(
                      gw.gateway
                        .forUser(userId)
                        .publish({ type: 'x-probe', data: { u: userId, n } }),
                    );
                  }
                }
              }
              const results = await Promise.all(pending);
              for (const [i, r] of results.entries()) {
                const userId = targets[i] as string;
                heads.set(userId, Math.max(heads.get(userId) ?? 0, r.seq));
              }
              totalPublishes += results.length;
            }
            // Every open tab ends at its user's head: every accepted publish was delivered (I7).
            await waitFor(
              () =>
                tabs.every(
                  (t) =>
                    !t.open || t.violations.length > 0 || t.position === (heads.get(t.userId) ?? 0),
                ),
              'open tabs caught up',
              30_000,
            );
            const violations = tabs.flatMap((t) => t.violations);
            assert.deepEqual(violations.slice(0, 5), []);
            const metrics = await (await fetch(`${gw.url}/metrics`)).text();
            assert.match(metrics, /^agentwire_cross_user_deliveries_total 0$/m);
          } finally {
            for (const tab of tabs) tab.drop();
            await gw.close();
          }
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    assert.ok(totalPublishes >= 100_000, `published ${totalPublishes}`);
  });
});
