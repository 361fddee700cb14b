// End-to-end: the demo page in Debian's Chromium, driven by playwright-core. A person signs in,
// chats, drops the connection mid-run and reloads mid-run; another user's tab sees nothing.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromiumUnavailable, launchChromium } from '@agentwire/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type DemoServer, startDemo } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const resultsDir = `${root}test-results`;

// Installs Debian's chromium when it is missing and we are root (CI on a fresh machine).
const unavailable = chromiumUnavailable();

let demo: DemoServer;
let browser: Browser;
let aliceContext: BrowserContext;
let bobContext: BrowserContext;
let alice: Page;
let bob: Page;
const pageErrors: string[] = [];

before(async () => {
  if (unavailable) return;
  mkdirSync(resultsDir, { recursive: true });
  // Slow enough that a person (and this test) can act mid-run.
  demo = await startDemo({ stepMs: 150, tokenMs: 40 });
  browser = await launchChromium();
  aliceContext = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  bobContext = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  alice = await aliceContext.newPage();
  bob = await bobContext.newPage();
  for (const page of [alice, bob]) {
    page.on('pageerror', (error) => pageErrors.push(error.message));
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
    /tool_completed\s*calculator\(\{"expression":"17 \* 23"\}\) → \{"value":391\}\s*\d+ ms/,
  );
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
  await screenshot(bob, 'demo-bob');
  await screenshot(alice, 'demo-alice');
  assert.deepEqual(pageErrors, []);
});
