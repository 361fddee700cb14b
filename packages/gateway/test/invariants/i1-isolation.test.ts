import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintToken, startGateway, type TestGateway } from '@agentwire/testkit';
import { connectUser, openClient, publishHttp, thinking } from '../helpers/harness.js';

describe('I1 isolation', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  it('delivers a user event only to that user’s connections, in-process and over HTTP', async () => {
    const alice = [await connectUser(gw, 'alice'), await connectUser(gw, 'alice')];
    const bob = await connectUser(gw, 'bob');
    await gw.gateway.forUser('alice').publish(thinking('for alice'));
    await publishHttp(gw, { userId: 'bob', event: thinking('for bob') });
    await publishHttp(gw, { userId: 'alice', event: thinking('for alice 2') });
    for (const c of alice) {
      await c.until(() => c.events().length === 2, 2000, 'alice events');
      assert.deepEqual(
        c.events().map((e) => (e.event.data as { text: string }).text),
        ['for alice', 'for alice 2'],
      );
    }
    await bob.until(() => bob.events().length === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      bob.events().map((e) => (e.event.data as { text: string }).text),
      ['for bob'],
    );
    assert.equal(bob.welcome().userId, 'bob');
    for (const c of [...alice, bob]) await c.close();
  });

  it('takes the user id from the verified token only, never from the query string', async () => {
    const sneaky = openClient(`${gw.wsUrl}?userId=alice&sub=alice&user=alice`, {
      token: await mintToken('mallory'),
    });
    await sneaky.opened;
    await sneaky.until((f) => f.length > 0);
    assert.equal(sneaky.welcome().userId, 'mallory');
    await gw.gateway.forUser('alice').publish(thinking('secret'));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sneaky.events().length, 0);
    await sneaky.close();
  });

  it('keeps cross-user deliveries at 0 in the metric checked at the point of sending', async () => {
    const res = await fetch(`${gw.url}/metrics`);
    const text = await res.text();
    assert.match(text, /^agentwire_cross_user_deliveries_total 0$/m);
    assert.match(text, /^agentwire_deliveries_total [1-9]/m);
  });
});
