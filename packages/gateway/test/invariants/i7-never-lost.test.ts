import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateEvent } from '@agentwire/protocol';
import { startGateway, type TestGateway } from '@agentwire/testkit';
import { connectUser, type TestClient, thinking } from '../helpers/harness.js';

describe('I7 an accepted publish is never lost', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ history: { maxEvents: 10_000, maxAgeMs: 60_000 } });
  });
  after(() => gw.close());

  it('delivers every acknowledged seq to open tabs and to tabs that resume within history', async () => {
    const user = gw.gateway.forUser('durable');
    const steady = await connectUser(gw, 'durable');
    let flaky: TestClient = await connectUser(gw, 'durable');
    const flakySeen = new Map<number, string>();
    const record = (c: TestClient) => {
      for (const e of c.events()) flakySeen.set(e.seq, e.event.id);
    };
    // The client's position: what it has seen, never the head a later welcome reports.
    let position = flaky.welcome().seq;
    const acked = new Map<number, string>();
    for (let round = 0; round < 10; round++) {
      const burst = Array.from({ length: 50 }, (_, i) => user.publish(thinking(`r${round}-${i}`)));
      // Drop the flaky tab in the middle of the burst, then resume from what it saw.
      await new Promise((r) => setImmediate(r));
      flaky.ws.terminate();
      await flaky.closed;
      record(flaky);
      position = Math.max(position, ...flakySeen.keys());
      for (const r of await Promise.all(burst)) acked.set(r.seq, r.id);
      flaky = await connectUser(gw, 'durable', {
        resume: { epoch: flaky.welcome().epoch, after: position },
      });
      assert.equal(flaky.welcome().resumed, true);
    }
    const total = acked.size;
    await steady.until(() => steady.events().length === total, 5000, 'steady tab caught up');
    await flaky.until(
      () => (flaky.events().at(-1)?.seq ?? 0) === total,
      5000,
      'flaky tab caught up',
    );
    record(flaky);
    assert.deepEqual(new Map(steady.events().map((e) => [e.seq, e.event.id])), acked);
    assert.deepEqual(
      new Map([...flakySeen].sort((a, b) => a[0] - b[0])),
      new Map([...acked].sort((a, b) => a[0] - b[0])),
    );
    await steady.close();
    await flaky.close();
  });

  it('returns the original seq for a repeated event id and delivers it once', async () => {
    const tab = await connectUser(gw, 'idem');
    const user = gw.gateway.forUser('idem');
    const first = await user.publish({ ...thinking('once'), id: 'evt_fixed' });
    const again = await user.publish({ ...thinking('once'), id: 'evt_fixed' });
    assert.deepEqual(again, first);
    await user.publish(thinking('next'));
    await tab.until(() => tab.events().length === 2);
    assert.deepEqual(
      tab
        .events()
        .map((e) => e.event.id)
        .slice(0, 1),
      ['evt_fixed'],
    );
    await tab.close();
  });

  it('generates unique, valid event ids that are idempotency keys when published again', async () => {
    const tab = await connectUser(gw, 'gen-ids');
    const user = gw.gateway.forUser('gen-ids');
    const other = gw.gateway.forUser('gen-ids-other');
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const a = await user.publish(thinking(`a${i}`));
      const b = await other.publish(thinking(`b${i}`));
      for (const id of [a.id, b.id]) {
        assert.match(id, /^evt_[A-Za-z0-9_-]+$/);
        assert.ok(id.length <= 128, 'fits the protocol limit on ids');
        const checked = validateEvent({ ...thinking('x'), id }, 'event');
        assert.ok(checked.ok, 'the protocol accepts a generated id as a caller id');
        ids.add(id);
      }
    }
    assert.equal(ids.size, 1000, 'no generated id repeats, across users');
    await tab.until(() => tab.events().length === 500);
    const delivered = tab.events().map((e) => e.event.id);
    assert.equal(new Set(delivered).size, 500);
    // Publishing an event again with the id it was given returns its seq and delivers nothing.
    const [firstId] = delivered;
    assert.deepEqual(await user.publish({ ...thinking('a0'), id: firstId as string }), {
      seq: 1,
      epoch: tab.welcome().epoch,
      id: firstId,
    });
    await user.publish(thinking('after'));
    await tab.until(() => tab.events().length === 501);
    assert.deepEqual(
      tab.events().map((e) => e.seq),
      Array.from({ length: 501 }, (_, i) => i + 1),
    );
    await tab.close();
  });
});
