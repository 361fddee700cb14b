// End-to-end: the demo page in Debian's Chromium, driven by playwright-core. A person signs in,
// chats, drops the connection mid-run and reloads mid-run; another user's tab sees nothing.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromiumUnavailable, launchChromium } from '@agentwire/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDemo } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const resultsDir = `${root}test-results`;

// Installs Debian's chromium when it is missing and we are root (CI on a fresh machine).
const unavailable = chromiumUnavailable();

const AGENT = { stepMs: 150, tokenMs: 40 };
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

let demo: Awaited<ReturnType<typeof startDemo>>;
let browser: Browser;
let aliceContext: BrowserContext;
let bobContext: BrowserContext;
let alice: Page;
let bob: Page;
const pageErrors: string[] = [];
const failedResponses: string[] = [];

before(async () => {
  if (unavailable) return;
  mkdirSync(resultsDir, { recursive: true });
  // Slow enough that a person (and this test) can act mid-run.
  demo = await startDemo(AGENT);
  browser = await launchChromium();
  aliceContext = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  bobContext = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  alice = await aliceContext.newPage();
  bob = await bobContext.newPage();
  for (const page of [alice, bob]) {
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.url()}`);
    });
    page.setDefaultTimeout(15_000);
  }
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

const skip = unavailable || false;

async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${resultsDir}/${name}.png`, fullPage: true });
}

/** The run cards' `data-seqs`, concatenated: every seq the page rendered, in page order. */
async function renderedSeqs(page: Page): Promise<number[]> {
  return page.$$eval('.run[data-seqs]', (cards) =>
    cards.flatMap((card) =>
      (card.getAttribute('data-seqs') ?? '').split(',').filter(Boolean).map(Number),
    ),
  );
}

function assertContiguous(seqs: number[], from = 1): void {
  assert.deepEqual(
    seqs,
    Array.from({ length: seqs.length }, (_, i) => from + i),
    `no gap and no duplicate: ${seqs.join(',')}`,
  );
}

async function timelineTypes(page: Page, runIndex: number): Promise<string[]> {
  return page
    .locator('.run[data-run-id]')
    .nth(runIndex)
    .locator('.timeline > li')
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-type') ?? ''));
}

/** axe-core's violations on the page as it is now (injected through the devtools protocol). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const { violations } = await axe.run();
    return violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`,
    );
  });
}

/** Records every text the polite live region is given, from now on. */
async function recordAnnouncements(page: Page): Promise<void> {
  await page.evaluate(() => {
    const region = document.getElementById('announcer') as HTMLElement;
    const seen: string[] = [];
    (window as unknown as { announced: string[] }).announced = seen;
    new MutationObserver(() => seen.push(region.textContent ?? '')).observe(region, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
}

async function announced(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { announced: string[] }).announced);
}

function count(haystack: string[], needle: string): number {
  return haystack.join(' ').split(needle).length - 1;
}

/** No horizontal scroll, and the header's controls inside the viewport. */
async function assertFits(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 844 });
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    controls: ['drop', 'other', 'sign-out'].map((id) => {
      const box = (document.getElementById(id) as HTMLElement).getBoundingClientRect();
      return { id, left: box.left, right: box.right, width: box.width };
    }),
  }));
  assert.ok(
    layout.scrollWidth <= layout.innerWidth,
    `no horizontal scroll at ${width} px: scrollWidth ${layout.scrollWidth}`,
  );
  for (const control of layout.controls) {
    assert.ok(
      control.width > 0 && control.left >= 0 && control.right <= width,
      `${control.id} visible at ${width} px`,
    );
  }
}

async function send(page: Page, text: string): Promise<void> {
  await page.locator('#input').fill(text);
  await page.locator('#input').press('Enter');
}

test('sign in, send a message, see all five events and the final text', { skip }, async () => {
  await alice.goto(demo.url);
  await alice.locator('button[data-user="alice"]').click();
  await alice.locator('body[data-state="open"]').waitFor();
  await bob.goto(`${demo.url}/?user=bob`);
  await bob.locator('body[data-state="open"]').waitFor();
  await recordAnnouncements(alice);

  await send(alice, 'What is 17 * 23?');
  const run = alice.locator('.run[data-run-id]').first();
  await run.locator('li[data-type="agent_message"]').waitFor(); // streaming has begun
  await alice.locator('.run[data-status="completed"]').first().waitFor();

  const types = await timelineTypes(alice, 0);
  assert.equal(types[0], 'agent_started');
  assert.equal(types.at(-1), 'agent_completed');
  for (const type of ['agent_thinking', 'tool', 'agent_message']) {
    assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
  }
  const tool = run.locator('li[data-type="tool"]');
  assert.equal(await tool.getAttribute('data-status'), 'completed');
  assert.match(
    await tool.innerText(),
    /tool_completed\s*calculator\(\{"expression":"17 \* 23"\}\) → \{"value":391\}\s*[\d.]+ ms/,
  );
  // The duration is the calculator's own work, not the agent's pacing (stepMs).
  const duration = Number((await tool.locator('.duration').innerText()).replace(' ms', ''));
  assert.ok(duration >= 0 && duration < AGENT.stepMs / 3, `calculator took ${duration} ms`);
  // The polite live region said each new event once; the log itself is not a live region.
  const said = await announced(alice);
  for (const line of [
    'The agent started.',
    'Calling calculator.',
    'calculator finished.',
    'Answer: 17 * 23 = 391.',
  ]) {
    assert.equal(count(said, line), 1, `"${line}" announced once in ${JSON.stringify(said)}`);
  }
  assert.equal(count(said, 'Costs'), 0);
  assert.equal(await alice.locator('#log').getAttribute('aria-live'), null);
  assert.equal(await alice.locator('#announcer').getAttribute('role'), 'status');
  assert.equal(await run.locator('.answer').innerText(), '17 * 23 = 391.');
  assert.equal(await run.getAttribute('data-answer'), '17 * 23 = 391.');
  assertContiguous(await renderedSeqs(alice));
});

test('drop the connection mid-run: the page reconnects, resumes, and the timeline is complete and in order', {
  skip,
}, async () => {
  const before = await renderedSeqs(alice);
  await send(alice, 'What is (2 + 3) ^ 4 and how far is Neptune?');
  const run = alice.locator('.run[data-run-id]').nth(1);
  await run.locator('li[data-type="agent_message"]').waitFor();
  // Drop in the same tick as reading the status, so the drop is known to hit a running run.
  const statusAtDrop = await alice.evaluate(() => {
    const card = document.querySelectorAll('.run[data-run-id]')[1] as HTMLElement;
    const status = card.dataset.status;
    (document.getElementById('drop') as HTMLButtonElement).click();
    return status;
  });
  assert.equal(statusAtDrop, 'running');
  await alice.locator('body[data-connects="2"][data-state="open"]').waitFor();
  await run.and(alice.locator('[data-status="completed"]')).waitFor();

  const expected = '(2 + 3) ^ 4 = 625. Neptune orbits 30.07 AU from the Sun on average.';
  assert.equal(await run.getAttribute('data-answer'), expected);
  assert.equal(
    await run.locator('.answer').innerText(),
    expected,
    'every streamed token exactly once',
  );
  const types = await timelineTypes(alice, 1);
  assert.equal(types[0], 'agent_started');
  assert.equal(types.at(-1), 'agent_completed');
  assert.equal(types.filter((t) => t === 'tool').length, 2);
  const seqs = await renderedSeqs(alice);
  assertContiguous(seqs);
  assert.ok(seqs.length > before.length + 10);
  // The reconnect is drawn in the run it interrupted, with the seqs the resume replayed.
  const mark = run.locator('.timeline > li.mark[data-kind="reconnect"]');
  assert.equal(await mark.count(), 1);
  const text = await mark.innerText();
  const range = text.match(/resumed seq (\d+)–(\d+) \((\d+) missed, replayed\)/);
  const runSeqs = ((await run.getAttribute('data-seqs')) ?? '').split(',').map(Number);
  if (range) {
    const [from, to, missed] = range.slice(1).map(Number) as [number, number, number];
    assert.ok(runSeqs.includes(from) && runSeqs.includes(to) && to - from + 1 === missed, text);
  } else {
    assert.match(text, /^Reconnected · resumed after seq (\d+), nothing missed$/);
  }
  await screenshot(alice, 'demo-alice-after-drop');
});

test('reload mid-run: the page resumes from sessionStorage with no gap and no duplicate', {
  skip,
}, async () => {
  await send(alice, 'How many moons does Saturn have?');
  const run = alice.locator('.run[data-run-id]').nth(2);
  await run.locator('li[data-type="agent_message"]').waitFor();
  await alice.reload();
  await alice.locator('body[data-state="open"]').waitFor();
  const reloaded = alice.locator('.run[data-run-id]').nth(2);
  await reloaded.and(alice.locator('[data-status="completed"]')).waitFor();
  assert.equal(await reloaded.locator('.answer').innerText(), 'Saturn has 146 known moons.');
  assertContiguous(await renderedSeqs(alice));
  assert.equal(await alice.locator('.run[data-status="completed"]').count(), 3);
});

test("a second context signed in as another user sees nothing of the first user's runs", {
  skip,
}, async () => {
  assert.equal(await bob.locator('#log > li').count(), 0);
  assert.match(await bob.locator('#stats').innerText(), /^seq 0 /);
  const hint = bob.locator('#empty');
  assert.ok(await hint.isVisible(), 'an empty tab says what to try');
  assert.match(await hint.innerText(), /Bob's runs only.*Alice's tab/);
  assert.deepEqual(await axeViolations(bob), [], 'axe: the empty chat view');
  await screenshot(bob, 'demo-bob-empty');
  await send(bob, 'Which planet is the largest?');
  await bob.locator('.run[data-status="completed"]').waitFor();
  assert.equal(await bob.locator('.run[data-run-id]').count(), 1);
  assert.equal(
    await bob.locator('.run .answer').innerText(),
    'By diameter, the largest is Jupiter. Jupiter is 142,984 km across.',
  );
  assertContiguous(await renderedSeqs(bob));
  // Alice's tab did not get Bob's run either.
  assert.equal(await alice.locator('.run[data-run-id]').count(), 3);
  assert.ok(await bob.locator('#empty').isHidden());
  await screenshot(bob, 'demo-bob');
  await screenshot(alice, 'demo-alice');
});

test('one h1, a labelled input, a favicon, and no axe-core violations signed out or in', {
  skip,
}, async () => {
  const visitor = await aliceContext
    .browser()
    ?.newContext({ viewport: { width: 1000, height: 900 } });
  assert.ok(visitor);
  const page = await visitor.newPage();
  try {
    await page.goto(demo.url);
    assert.equal(await page.locator('h1').count(), 1);
    assert.deepEqual(await axeViolations(page), [], 'axe: the sign-in view');
    const icon = await page.request.get(`${demo.url}/favicon.svg`);
    assert.equal(icon.status(), 200);
    assert.match(icon.headers()['content-type'] ?? '', /^image\/svg\+xml/);
  } finally {
    await visitor.close();
  }
  assert.equal(await alice.locator('h1').count(), 1);
  assert.equal(await alice.locator('h1').innerText(), "Alice's agent runs");
  assert.equal(await alice.getByLabel('Message to the agent').getAttribute('id'), 'input');
  assert.deepEqual(
    await axeViolations(alice),
    [],
    'axe: the chat view with runs and a reconnect mark',
  );
});

test('the log follows new events only while the reader is at the bottom', { skip }, async () => {
  await alice.setViewportSize({ width: 1000, height: 500 });
  await send(alice, 'Which planet is the largest?');
  const run = alice.locator('.run[data-run-id]').last();
  await run.locator('li[data-type="agent_started"]').waitFor();
  await alice.evaluate(() => window.scrollTo(0, 0));
  await run.and(alice.locator('[data-status="completed"]')).waitFor();
  assert.equal(
    await alice.evaluate(() => window.scrollY),
    0,
    'a reader scrolled up stays where they read',
  );

  await alice.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await send(alice, 'How many moons does Saturn have?');
  const next = alice.locator('.run[data-run-id]').last();
  await next.and(alice.locator('[data-status="completed"]')).waitFor();
  const bottomGap = await alice.evaluate(
    () => document.documentElement.scrollHeight - (window.scrollY + window.innerHeight),
  );
  assert.ok(bottomGap < 2, `a reader at the bottom is kept there (${bottomGap} px above the end)`);
});

test('usable at 390 px and at 1280 px: no horizontal scroll, long words wrapped, the header controls on screen', {
  skip,
}, async () => {
  await assertFits(alice, 390);
  const longWord = 'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(4);
  await send(alice, `${longWord}?`);
  await alice
    .locator('.run[data-run-id]')
    .last()
    .and(alice.locator('[data-status="completed"]'))
    .waitFor();
  await assertFits(alice, 390);
  await screenshot(alice, 'demo-alice-390');
  await assertFits(alice, 1280);
  await assertFits(bob, 390);
  await screenshot(bob, 'demo-bob-390');
});

test('a server restart under an open tab: history reset shown in place, earlier runs marked, new runs work', {
  skip,
}, async () => {
  const earlier = await alice.locator('.run[data-run-id]').count();
  const connects = Number(await alice.locator('body').getAttribute('data-connects'));
  // As `npm start` restarted: same port, new epoch, and a newly generated JWT secret (the tab's
  // cached token is refused, and the client fetches a fresh one).
  await demo.close();
  demo = await startDemo(AGENT, { port: demo.port });
  await alice.waitForFunction(
    (before) =>
      Number(document.body.dataset.connects) > before && document.body.dataset.state === 'open',
    connects,
  );
  const mark = alice.locator('#log > li.mark[data-kind="resync"]');
  await mark.waitFor();
  assert.match(await mark.innerText(), /^History reset: .* new events continue from seq 1\.$/);
  const inView = await mark.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  });
  assert.ok(inView, 'the reset is visible where the reader is');
  assert.ok(await alice.locator('#notice').isVisible());
  assert.equal(await alice.locator('.run[data-run-id][data-reset="true"]').count(), earlier);
  assert.equal(await alice.getByText('Waiting for the agent…').count(), 0);

  await send(alice, 'What is 17 * 23?');
  const fresh = alice.locator('.run[data-run-id]').last();
  await fresh.and(alice.locator('[data-status="completed"]')).waitFor();
  // A run started after the (last) resync is not marked; one a later resync overtook would be.
  const resyncs = await alice.locator('#log > li.mark[data-kind="resync"]').count();
  if (resyncs === 1) assert.equal(await fresh.getAttribute('data-reset'), null);
  else assert.ok(resyncs > 1, 'the resync mark is still there');
  assertContiguous(((await fresh.getAttribute('data-seqs')) ?? '').split(',').map(Number), 1);
  assert.deepEqual(await axeViolations(alice), [], 'axe: after a resync');
  await screenshot(alice, 'demo-alice-after-resync');
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(failedResponses, [], 'no request failed (favicon included)');
});
