// A sealed poll on the dashboard, in Debian's Chromium (playwright-core, no browser download):
// created from the admin panel with results "sealed until final", it shows the turnout and
// "Sealed until the close", no bar, count or option name anywhere in the Polls section while
// open — a plurality and an IRV poll — and, once the close is committed, the bars and the
// rounds. Screenshots go to test-artifacts/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../helpers/chromium.ts';
import { ADMIN, ADMIN_TOKEN, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const OPTIONS = ['zircon', 'quartz', 'basalt'];

/** The options a text names (ids or labels, any case): in the Polls section, a leak. */
const named = (text: string | null) =>
  OPTIONS.filter((option) => (text ?? '').toLowerCase().includes(option));

const browser = suite('a sealed poll on the dashboard, in Chromium');
let node: RunningNode;
let context: BrowserContext;
let page: Page;
let profile = '';
const pageErrors: string[] = [];
const dialogs: string[] = [];
/** Bodies of every results request the page made, by poll. */
const resultBodies: { pollId: string; at: number; text: string }[] = [];

browser.before(async () => {
  requireChromium();
  node = await startTestNode(
    await sharedCluster(),
    {
      VS_NODE_ID: 'sealed-dash',
      VS_MEMBERS: 'sealed-dash',
      VS_HEARTBEAT_MS: '100',
      VS_LEASE_MS: '1000',
    },
    { listen: true },
  );
  profile = mkdtempSync(join(tmpdir(), 'votestream-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('response', async (response) => {
    const pollId = new URL(response.url()).pathname.match(/^\/polls\/([^/]+)\/results$/)?.[1];
    if (pollId)
      resultBodies.push({ pollId, at: Date.now(), text: await response.text().catch(() => '') });
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

browser.after(async () => {
  await context?.close();
  await node?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function waitForText(selector: string, text: string | RegExp, timeoutMs = 15_000) {
  const read = () => page.textContent(selector, { timeout: 1000 }).catch(() => null);
  const matches = (shown: string | null) =>
    typeof text === 'string' ? shown === text : text.test(shown ?? '');
  await until(async () => matches(await read()), timeoutMs, '').catch(async () =>
    assert.ok(false, `${selector} never showed ${text}: it shows ${JSON.stringify(await read())}`),
  );
}

async function castAll(pollId: string, profile: [string[], number][]) {
  let voter = 0;
  for (const [choices, count] of profile)
    for (let i = 0; i < count; i++) {
      const res = await node.app.inject({
        method: 'POST',
        url: '/votes',
        payload: { pollId, voterId: `${pollId}-${voter++}`, choices },
      });
      assert.is(res.statusCode, 201, res.body);
    }
}

async function choose(pollId: string) {
  await page.click(`#poll-list button[data-poll-id="${pollId}"]`);
  await page.waitForSelector(`#poll-list button.selected[data-poll-id="${pollId}"]`);
}

/** What the Polls section shows of the chosen sealed poll: turnout, the note, no option. */
async function expectSealedView(pollId: string, turnout: RegExp) {
  await waitForText('#poll-totals', turnout);
  await waitForText('#sealed-note', /^Sealed until the close: /);
  assert.ok(await page.locator('#sealed-note').isVisible());
  assert.is(await page.locator('#bars .bar-row').count(), 0, 'bars of a sealed poll');
  assert.match(String(await page.textContent('#poll-meta')), /results sealed until final/);
  assert.is(
    await page.textContent(`#poll-list [data-poll-id="${pollId}"] .badge.sealed`),
    'sealed',
  );
  assert.equal(named(await page.textContent('#polls')), [], 'the Polls section names an option');
}

browser('sealed until final: turnout and a note, then the bars and the rounds', async () => {
  await page.goto(`${node.url}/`);
  await page.fill('#admin-token', ADMIN_TOKEN);
  await page.fill('#create-form [name=id]', 'sealed-dash');
  await page.fill('#create-form [name=title]', 'A sealed poll');
  await page.fill('#create-form [name=options]', 'zircon\nquartz: Quartz\nbasalt');
  await page.selectOption('#create-form [name=results]', 'afterClose');
  await page.click('#create-form button[type=submit]');
  await page.waitForSelector('#poll-list button.selected[data-poll-id="sealed-dash"]');
  await page.waitForSelector('#live.on');
  const created = await node.app.inject({ url: '/polls/sealed-dash' });
  assert.is(created.json().poll.results, 'afterClose', 'the form created a sealed poll');

  // Open: the turnout moves with the votes; nothing per option appears.
  await expectSealedView('sealed-dash', /^0 finalized · 0 pending ballots/);
  await castAll('sealed-dash', [
    [['zircon'], 3],
    [['quartz'], 2],
    [['basalt'], 1],
  ]);
  await expectSealedView('sealed-dash', /^6 finalized · 0 pending ballots/);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-sealed.png'), fullPage: true });

  // A ranked poll: its count is sealed too.
  const irv = await node.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: {
      id: 'sealed-irv-dash',
      title: 'A sealed IRV poll',
      options: OPTIONS,
      method: 'irv',
      results: 'afterClose',
    },
  });
  assert.is(irv.statusCode, 201, irv.body);
  await castAll('sealed-irv-dash', [
    [['zircon', 'quartz'], 2],
    [['quartz', 'zircon'], 2],
    [['basalt', 'quartz'], 1],
  ]);
  await page.waitForSelector('#poll-list button[data-poll-id="sealed-irv-dash"]');
  await choose('sealed-irv-dash');
  await expectSealedView('sealed-irv-dash', /^5 finalized · 0 pending ballots/);
  await waitForText('#ranked-state', 'sealed');
  await waitForText('#ranked-summary', '5 ballots');
  assert.match(String(await page.textContent('#ranked-note')), /^Sealed until the close: /);
  assert.is(await page.locator('#rounds .round').count(), 0, 'rounds of a sealed poll');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-sealed-irv.png'), fullPage: true });

  // The admin panel closes both; once the close is committed everything is shown.
  const closing = Date.now();
  for (const id of ['sealed-dash', 'sealed-irv-dash']) {
    await choose(id);
    await page.click('#close-poll');
    await waitForText('#admin-message', `closed ${id}`);
  }
  await waitForText('#poll-list [data-poll-id="sealed-irv-dash"] .badge', 'final');
  await waitForText('#ranked-state', 'final');
  await waitForText('#ranked-summary', /^Winner: quartz · 5 ballots/);
  assert.is(await page.locator('#rounds .round').count(), 2);
  assert.ok(await page.locator('#sealed-note').isHidden());
  assert.is(await page.locator('#poll-list .badge.sealed').count(), 0);

  await choose('sealed-dash');
  await waitForText('#poll-list [data-poll-id="sealed-dash"] .badge', 'final');
  await page.waitForSelector('#bars .bar-row');
  const bars = () =>
    page.$$eval('#bars .bar-row', (rows) =>
      rows.map((row) => [
        row.querySelector('.label')?.textContent,
        row.querySelector('.count-finalized')?.textContent,
      ]),
    );
  await until(async () => (await bars()).length === 3, 10_000, '').catch(() => undefined);
  assert.equal(await bars(), [
    ['zircon', '3'],
    ['Quartz', '2'],
    ['basalt', '1'],
  ]);
  assert.ok(await page.locator('#sealed-note').isHidden());
  assert.not.match(String(await page.textContent('#poll-meta')), /results sealed/);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-sealed-final.png'), fullPage: true });

  // Every count the page fetched before the close was the sealed body.
  const early = resultBodies.filter((r) => r.at < closing);
  assert.ok(early.length > 0, 'the page never asked for the sealed count');
  for (const r of early) {
    assert.equal(named(r.text), [], `${r.pollId}: ${r.text}`);
    assert.match(r.text, /"sealed":true/);
  }
  assert.equal(pageErrors, [], 'the page threw');
  assert.equal(dialogs, [], 'a dialog opened');
});

browser.run();
