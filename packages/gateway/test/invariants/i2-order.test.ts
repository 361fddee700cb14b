import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type TestGateway } from '@agentwire/testkit';
import { connectUser, publishHttp, thinking } from '../helpers/harness.js';

describe('I2 order', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  it('gives each user one gapless seq stream, delivered in order to every tab', async () => {
    const tabs = [
      await connectUser(gw, 'u'),
      await connectUser(gw, 'u'),
      await connectUser(gw, 'u'),
    ];
    const emitter = gw.gateway.forUser('u');
    // In-process and HTTP publishes interleaved, without awaiting each other.
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      pending.push(
        i % 3 === 0
          ? publishHttp(gw, { userId: 'u', event: thinking(`h${i}`) })
          : emitter.publish(thinking(`p${i}`)),
      );
    }
    await Promise.all(pending);
    for (const tab of tabs) {
      await tab.until(() => tab.events().length === 300, 5000, '300 events');
      assert.deepEqual(
        tab.events().map((e) => e.seq),
        Array.from({ length: 300 }, (_, i) => i + 1),
      );
    }
    // Every tab saw the same event at the same seq.
    const ids = tabs.map((t) =>
      t
        .events()
        .map((e) => e.event.id)
        .join(),
    );
    assert.equal(new Set(ids).size, 1);
    for (const tab of tabs) await tab.close();
  });

  it('starts a new connection after the current head', async () => {
    await gw.gateway.forUser('late').publish(thinking('before'));
    const tab = await connectUser(gw, 'late');
    assert.equal(tab.welcome().seq, 1);
    await gw.gateway.forUser('late').publish(thinking('after'));
    await tab.until(() => tab.events().length === 1);
    assert.equal(tab.events()[0]?.seq, 2);
    await tab.close();
  });
});
