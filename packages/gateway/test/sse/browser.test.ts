// GET /v1/stream with the browser's own EventSource, in Debian's Chromium (playwright-core).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  chromiumUnavailable,
  FaultyProxy,
  launchChromium,
  mintToken,
  startGateway,
  type TestGateway,
} from '@agentwire/testkit';
import type { Browser, Page } from 'playwright-core';

const unavailable = chromiumUnavailable();

/**
 * The page's recipe (docs/protocol.md): a ticket per connection, since EventSource cannot send a
 * header; EventSource retries a dropped stream itself, and when its retry is refused (the ticket
 * was used) the page reopens it with a fresh ticket and `lastEventId`, resuming exactly.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>sse</title><script>
window.received = []; window.opens = 0; let last = '';
async function open() {
  const res = await fetch('/v1/tickets', { method: 'POST', headers: { authorization: 'Bearer ' + window.jwt } });
  const { ticket } = await res.json();
  const query = new URLSearchParams({ ticket });
  if (last) query.set('lastEventId', last);
  const source = new EventSource('/v1/stream?' + query);
  source.onopen = () => { window.opens++; };
  source.onmessage = (m) => { last = m.lastEventId; window.received.push({ id: m.lastEventId, frame: JSON.parse(m.data) }); };
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) open(); };
}
window.start = (jwt) => { window.jwt = jwt; return open(); };
</script>`;

let gw: TestGateway;
let proxy: FaultyProxy;
let browser: Browser;
let page: Page;

before(async () => {
  if (unavailable) return;
  gw = await startGateway({
    sseRetryMs: 100,
    fallbackHttpHandler: (req, res) => {
      if (req.url !== '/') return false;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return true;
    },
  });
  proxy = await new FaultyProxy(gw.port).listen();
  browser = await launchChromium();
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await gw?.close();
});

type Received = { id: string; frame: { type: string; seq: number; epoch?: string } }[];
const received = () => page.evaluate(() => (window as unknown as { received: Received }).received);

test('Chromium’s EventSource resumes after the server cuts the stream: every event once, in order', {
  skip: unavailable,
}, async () => {
  await page.goto(`http://127.0.0.1:${proxy.port}/`);
  await page.evaluate(
    (jwt) => (window as unknown as { start(j: string): Promise<void> }).start(jwt),
    await mintToken('alice'),
  );
  const publish = (i: number) => gw.gateway.forUser('alice').publish({ type: 'x-n', data: { i } });
  let got: Received = [];
  const poll = async (what: string, check: (r: Received) => boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      got = await received();
      if (check(got)) return;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(got.slice(-3))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await poll('welcome', (r) => r.some((m) => m.frame.type === 'welcome'));
  for (let i = 0; i < 3; i++) await publish(i);
  await poll('three events', (r) => r.filter((m) => m.frame.type === 'event').length === 3);
  proxy.cut(); // the server side of every connection goes away
  for (let i = 3; i < 6; i++) await publish(i);
  await poll('six events', (r) => r.filter((m) => m.frame.type === 'event').length === 6);
  const events = got.filter((m) => m.frame.type === 'event');
  assert.deepEqual(
    events.map((m) => m.frame.seq),
    [1, 2, 3, 4, 5, 6],
  );
  const epoch = got[0]?.frame.epoch;
  for (const m of events) assert.equal(m.id, `${epoch}:${m.frame.seq}`);
  assert.ok(
    (await page.evaluate(() => (window as unknown as { opens: number }).opens)) >= 2,
    'reopened',
  );
  // The second welcome is a resume: it says resumed and repeats nothing.
  const welcomes = got.filter((m) => m.frame.type === 'welcome') as unknown as {
    frame: { resumed: boolean };
  }[];
  assert.equal(welcomes.at(-1)?.frame.resumed, true);
});
