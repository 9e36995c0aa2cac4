// The dashboard in a real browser (Debian's Chromium driven by playwright-core; no browser is
// ever downloaded) against three real node processes: the admin panel creates a poll, votes
// sent over HTTP show up as finalized bars without a reload, the leader is shown, and after
// the leader is killed the page shows the new one. Screenshots go to test-artifacts/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ownedProcesses } from '../../ops/redis-processes.ts';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../helpers/chromium.ts';
import { ADMIN_TOKEN, until } from '../helpers/node.ts';
import { get, leaderAmong, type NodeProcess, post, startNodes } from '../helpers/node-process.ts';
import { sharedCluster, startTestCluster } from '../helpers/redis-cluster.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const XSS_TITLE = '<img src=x onerror=alert(1)>';

const browser = suite('the dashboard in Chromium, on three node processes');
let nodes: NodeProcess[] = [];
let context: BrowserContext;
let page: Page;
let profile = '';
const dialogs: string[] = [];
const pageErrors: string[] = [];
let navigations = 0;

browser.before(async () => {
  requireChromium();
  const cluster = await sharedCluster();
  nodes = (await startNodes(cluster.seeds, ['w1', 'w2', 'w3'])).nodes;
  profile = mkdtempSync(join(tmpdir(), 'votestream-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

browser.after(async () => {
  await context?.close();
  await Promise.all(nodes.map((n) => n.stop()));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** The page's finalized and pending counts per option, as shown. */
function shownCounts(): Promise<Record<string, [number, number]>> {
  // This runs in the page. The project's types have no DOM, so `row` is untyped here.
  return page.$$eval('#bars .bar-row', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.dataset.option,
        [
          Number(row.querySelector('.count-finalized')?.textContent),
          Number(row.querySelector('.count-pending')?.textContent),
        ],
      ]),
    ),
  );
}

/** Waits (polling, never reloading) until the bars show `expected`. */
async function waitForCounts(expected: Record<string, [number, number]>, timeoutMs = 15_000) {
  const wanted = JSON.stringify(expected);
  const shown = async () => JSON.stringify(await shownCounts()) === wanted;
  await until(shown, timeoutMs, '').catch(async () =>
    assert.equal(await shownCounts(), expected, 'the bars never showed these counts'),
  );
}

/** Waits until the element's text is `text`. */
async function waitForText(selector: string, text: string, timeoutMs = 10_000) {
  const read = () => page.textContent(selector, { timeout: 1000 }).catch(() => null);
  await until(async () => (await read()) === text, timeoutMs, '').catch(async () =>
    assert.is(await read(), text, `${selector} never showed ${text}`),
  );
}

async function vote(voterId: string, choice: string, n: NodeProcess): Promise<string> {
  const res = await post(n, '/votes', { pollId: 'dash', voterId, choices: [choice] });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return (res.body as unknown as { receipt: { voteId: string } }).receipt.voteId;
}

browser('create a poll, watch votes finalize live, see the leader and its successor', async () => {
  const { node: leader, term } = await leaderAmong(nodes, 10_000);
  // The page is served by a node that survives the leader's death.
  const viewer = nodes.find((n) => n !== leader)!;
  await page.goto(`${viewer.url}/`);
  await waitForText('#leader', leader.nodeId);
  assert.is(await page.textContent('#node'), viewer.nodeId);
  assert.is(
    await page.locator('#members tr.is-leader').getAttribute('data-node'),
    leader.nodeId,
    'the leader row is highlighted',
  );

  // The admin panel appears once a token is typed; its poll is then selected and live.
  assert.ok(await page.locator('#admin-panel').isHidden());
  await page.fill('#admin-token', ADMIN_TOKEN);
  await page.fill('#create-form [name=id]', 'dash');
  await page.fill('#create-form [name=title]', XSS_TITLE);
  await page.fill('#create-form [name=options]', 'red\ngreen: <b>Green</b>\nblue: Blue');
  await page.click('#create-form button[type=submit]');
  await page.waitForSelector('#poll-list button[data-poll-id="dash"]');
  assert.is(await page.textContent('#admin-message'), 'created poll dash');
  await page.waitForSelector('#live.on');

  // Markup in a title or label is text: no element made from it, no script run.
  assert.is(await page.textContent('#poll-list [data-poll-id="dash"] .poll-title'), XSS_TITLE);
  assert.is(await page.textContent('#poll-title'), XSS_TITLE);
  assert.is(await page.locator('main img, main b').count(), 0);
  await waitForCounts({ red: [0, 0], green: [0, 0], blue: [0, 0] });
  assert.is(await page.textContent('#bars [data-option="green"] .label'), '<b>Green</b>');

  // Votes at every node, in two rounds: the same page follows both.
  const first = { red: 5, green: 3, blue: 2 };
  let voter = 0;
  for (const [choice, count] of Object.entries(first))
    for (let i = 0; i < count; i++) await vote(`v${voter}`, choice, nodes[voter++ % 3]!);
  await waitForCounts({ red: [5, 0], green: [3, 0], blue: [2, 0] });
  // The most-voted option's finalized bar spans the whole track.
  assert.is(
    await page.getAttribute('#bars [data-option="red"] .bar-finalized', 'style'),
    'width: 100%;',
  );
  for (const [choice, count] of Object.entries({ red: 1, blue: 4 }))
    for (let i = 0; i < count; i++) await vote(`v${voter}`, choice, nodes[voter++ % 3]!);
  await waitForCounts({ red: [6, 0], green: [3, 0], blue: [6, 0] });
  assert.match(String(await page.textContent('#poll-totals')), /^15 finalized · 0 pending ballots/);
  assert.match(String(await page.textContent('#poll-position')), /^committed position: seq \d+/);

  // The lookup box shows a vote's receipt and status.
  const voteId = await vote('lookup-voter', 'green', nodes[0]!);
  await waitForCounts({ red: [6, 0], green: [4, 0], blue: [6, 0] });
  await page.fill('#lookup-id', voteId);
  await page.click('#lookup-form button[type=submit]');
  await page.waitForSelector('#lookup-result[data-status="finalized"]');
  const shown = await page.$$eval('#lookup-result dd', (dds) => dds.map((d) => d.textContent));
  assert.equal(shown.slice(0, 4), ['finalized', 'yes', voteId, 'dash']);
  // Every shard of the shared cluster can be made durable: its master has a replica.
  const durable = await page.$$eval('#shards [data-role="durable"]', (tds) =>
    tds.map((td) => td.textContent),
  );
  assert.equal(durable, Array(16).fill('yes'));
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

  // Kill the leader: the page, still on the same load, shows the new leader and the dead one.
  leader.child.kill('SIGKILL');
  await leader.child;
  const next = await leaderAmong(
    nodes.filter((n) => n !== leader),
    10_000,
  );
  assert.ok(next.term > term, `term ${next.term} after ${term}`);
  await waitForText('#leader', next.node.nodeId);
  assert.is(
    await page.locator('#members tr.is-leader').getAttribute('data-node'),
    next.node.nodeId,
  );
  await waitForText(`#members tr[data-node="${leader.nodeId}"] [data-role="status"]`, 'dead');
  // Its role is shown as what it was, not as if it still led.
  await waitForText(`#members tr[data-node="${leader.nodeId}"] [data-role="role"]`, 'was leader');
  assert.match(String(await page.textContent('#term')), new RegExp(`^term ${next.term}$`));

  // The admin panel closes the poll; the new leader commits its barriers: final.
  await page.click('#close-poll');
  await waitForText('#admin-message', 'closed dash');
  await waitForText('#poll-list [data-poll-id="dash"] .badge', 'final', 15_000);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-failover.png'), fullPage: true });

  assert.is(navigations, 1, 'the page was reloaded');
  assert.equal(dialogs, [], 'a dialog opened: markup from data ran');
  assert.equal(pageErrors, [], 'the page threw');
});

/** A ranking and how many voters cast it. */
type Profile = [ranking: string[], voters: number][];

/** Creates a ranked poll over HTTP and casts `profile` into it, spread over `over`. */
async function rankedPoll(
  over: NodeProcess[],
  id: string,
  definition: Record<string, unknown>,
  profile: Profile,
) {
  const options = [
    { id: 'a', label: 'Alice' },
    { id: 'b', label: 'Bob' },
    { id: 'c', label: 'Carol' },
    { id: 'd', label: 'Dave' },
  ];
  const created = await post(over[0]!, '/polls', { id, title: id, options, ...definition }, true);
  assert.is(created.status, 201, JSON.stringify(created.body));
  await castRanked(over, id, profile, 'r');
}

/** Casts `profile` into poll `pollId`, voters `${prefix}0`, `${prefix}1`, … spread over `over`. */
async function castRanked(over: NodeProcess[], pollId: string, profile: Profile, prefix: string) {
  let voter = 0;
  for (const [choices, count] of profile)
    for (let i = 0; i < count; i++) {
      const res = await post(over[voter % over.length]!, '/votes', {
        pollId,
        voterId: `${prefix}${voter++}`,
        choices,
      });
      assert.is(res.status, 201, JSON.stringify(res.body));
    }
}

async function closePoll(n: NodeProcess, id: string) {
  const res = await fetch(`${n.url}/polls/${id}/close`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  assert.is(res.status, 200, await res.text());
}

/** Each round as shown: its heading, then per candidate [name, votes, mark], then transfers. */
function shownRounds() {
  return page.$$eval('#rounds .round', (rounds) =>
    rounds.map((round) => ({
      heading: round.querySelector('h4')?.firstChild?.textContent,
      rows: [...round.querySelectorAll('.round-row')].map((row) =>
        ['.label', '.votes', '.mark'].map((part) => row.querySelector(part)?.textContent),
      ),
      transfers: [...round.querySelectorAll('.transfers li')].map((li) => li.textContent),
    })),
  );
}

/** Schulze's final order as shown, best first. */
function shownRanking() {
  return page.$$eval('#schulze .ranking li', (items) => items.map((li) => li.textContent));
}

type ShownRound = Awaited<ReturnType<typeof shownRounds>>[number];

/** Waits until the rounds shown are `expected` (the count is fetched at most once a second). */
async function waitForRounds(expected: ShownRound[]) {
  const wanted = JSON.stringify(expected);
  await until(async () => JSON.stringify(await shownRounds()) === wanted, 15_000, '').catch(
    async () => assert.equal(await shownRounds(), expected, 'the rounds never showed this count'),
  );
}

async function choose(pollId: string) {
  await page.click(`#poll-list button[data-poll-id="${pollId}"]`);
  await page.waitForSelector(`#poll-list button.selected[data-poll-id="${pollId}"]`);
}

const ROUND_ROW = /^(\S+) (\S+(?: \+\S+)?)(?: (.+))?$/;

/**
 * A round as shown: its heading, its rows as the page prints them, comma-separated ("Alice 4,
 * Bob 5 +2 ✓ elected": name, votes with the change they received, mark if any), and its
 * transfers.
 */
function round(heading: string, rows: string, ...transfers: string[]): ShownRound {
  return {
    heading,
    rows: rows.split(/,\s*/).map((row) => {
      const [, name, votes, mark] = ROUND_ROW.exec(row) ?? [];
      if (name === undefined) throw new Error(`not a round's row: ${JSON.stringify(row)}`);
      return [name, votes, mark ?? ''];
    }),
    transfers,
  };
}

// Alice leads on first preferences, but Carol's ballots go to Bob: Bob wins in round 3.
const IRV_ROUNDS = [
  round(
    'Round 1',
    'Alice 4, Bob 3, Carol 2, Dave 1 ✗ eliminated',
    "Dave's votes (eliminated): 1 exhausted",
  ),
  round(
    'Round 2',
    'Alice 4, Bob 3, Carol 2 ✗ eliminated',
    "Carol's votes (eliminated): 2 → Bob, 0 exhausted",
  ),
  round('Round 3', 'Alice 4, Bob 5 +2 ✓ elected'),
];

// Two more ballots for Alice alone: she has a majority once Dave is out.
const IRV_LATE_ROUNDS = [
  round(
    'Round 1',
    'Alice 6, Bob 3, Carol 2, Dave 1 ✗ eliminated',
    "Dave's votes (eliminated): 1 exhausted",
  ),
  round('Round 2', 'Alice 6 ✓ elected, Bob 3, Carol 2'),
];

// Two seats, quota 5: Alice's surplus goes to Bob, Carol and Dave are excluded, Bob is elected
// as the last continuing candidate for the last seat.
const STV_ROUNDS = [
  round(
    'Stage 1 · first preferences',
    'Alice 6.00000 ✓ elected, Bob 2.00000, Carol 2.00000, Dave 3.00000',
  ),
  round(
    'Stage 2 · surplus of Alice (1.00000) transferred',
    'Alice 5.00000 elected at stage 1, Bob 2.99996 +0.99996, Carol 2.00000, Dave 3.00000',
    "Alice's votes (surplus): 0.99996 → Bob, 0.00000 non-transferable, 0.00004 lost to rounding",
  ),
  round(
    'Stage 3 · Carol excluded',
    'Alice 5.00000 elected at stage 1, Bob 4.99996 +2.00000, Dave 3.00000, Carol – ✗ excluded',
    "Carol's votes (excluded): 2.00000 → Bob, 0.00000 non-transferable",
  ),
  round(
    'Stage 4 · Dave excluded',
    'Alice 5.00000 elected at stage 1, Bob 4.99996 ✓ elected, Dave – ✗ excluded',
    "Dave's votes (excluded): 3.00000 non-transferable",
  ),
];

browser(
  'ranked polls show their rounds, marks and transfers, provisional until final',
  async () => {
    // The first test killed its leader: the ranked polls go to the nodes still running.
    const alive = nodes.filter((n) => n.child.exitCode === null && !n.child.killed);
    await rankedPoll(alive, 'irv-dash', { method: 'irv' }, [
      [['a', 'b', 'c'], 4],
      [['b', 'c', 'a'], 3],
      [['c', 'b'], 2],
      [['d'], 1],
    ]);
    await rankedPoll(alive, 'stv-dash', { method: 'stv', seats: 2 }, [
      [['a', 'b'], 6],
      [['b', 'c'], 2],
      [['c', 'b'], 2],
      [['d', 'c'], 2],
      [['d'], 1],
    ]);
    await rankedPoll(alive, 'schulze-dash', { method: 'schulze' }, [
      [['a', 'b', 'c'], 3],
      [['b', 'c', 'a'], 2],
      [['c', 'a', 'b'], 2],
    ]);
    // Every count the page asks for, by poll: one poll's fetches must be a second apart.
    const fetches = new Map<string, number[]>();
    const noteFetch = (request: { url(): string }) => {
      const url = new URL(request.url());
      const poll = url.pathname.match(/^\/polls\/([^/]+)\/results$/)?.[1];
      if (poll) fetches.set(poll, [...(fetches.get(poll) ?? []), Date.now()]);
    };
    page.on('request', noteFetch);
    await page.goto(`${alive[0]!.url}/`);
    await page.waitForSelector('#poll-list button[data-poll-id="schulze-dash"]');

    // Open polls: the count of every voter's latest ballot, said to be provisional.
    await choose('irv-dash');
    await waitForRounds(IRV_ROUNDS);
    await waitForText('#ranked-state', 'provisional');
    assert.match(String(await page.textContent('#ranked-note')), /^Provisional: .* open/);
    assert.is(
      await page.textContent('#ranked-summary'),
      'Winner: Bob · 10 ballots (0 blank) · 1 exhausted',
    );
    // New ballots: the rounds follow the tally, on the same load of the page.
    await castRanked(alive, 'irv-dash', [[['a'], 2]], 'late');
    await waitForRounds(IRV_LATE_ROUNDS);
    assert.is(
      await page.textContent('#ranked-summary'),
      'Winner: Alice · 12 ballots (0 blank) · 1 exhausted',
    );
    await choose('stv-dash');
    await waitForRounds(STV_ROUNDS);
    await waitForText('#ranked-state', 'provisional');
    assert.is(
      await page.textContent('#ranked-summary'),
      'Elected: Alice, Bob · 13 ballots (0 blank) · quota 5.00000 · 3.00000 non-transferable',
    );
    await choose('schulze-dash');
    await waitForText('#ranked-state', 'provisional');
    assert.equal(await shownRanking(), ['Alice ✓ winner', 'Bob', 'Carol', 'Dave']);
    assert.equal(await shownRounds(), [], 'Schulze has no rounds');
    // Alice beats Bob 5 to 2, Bob beats Carol 5 to 2, Carol beats Alice 4 to 3; nobody ranked
    // Dave, so every ranked option is above him on every ballot.
    const pairwise = await page.$$eval('#schulze .matrix', (tables) =>
      [...(tables[0]?.querySelectorAll('tbody tr') ?? [])].map((tr) =>
        [...tr.children].map((cell) => cell.textContent),
      ),
    );
    assert.equal(pairwise, [
      ['Alice', '–', '5 ▲', '3', '7 ▲'],
      ['Bob', '2', '–', '5 ▲', '7 ▲'],
      ['Carol', '4 ▲', '2', '–', '7 ▲'],
      ['Dave', '0', '0', '0', '–'],
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-schulze.png'), fullPage: true });

    // Closed and final: the finalized count, no longer provisional, with the same rounds.
    for (const id of ['irv-dash', 'stv-dash', 'schulze-dash']) await closePoll(alive[0]!, id);
    await waitForText('#poll-list [data-poll-id="schulze-dash"] .badge', 'final', 15_000);
    await waitForText('#ranked-state', 'final');
    assert.equal(await shownRanking(), ['Alice ✓ winner', 'Bob', 'Carol', 'Dave']);
    await choose('irv-dash');
    await waitForText('#poll-list [data-poll-id="irv-dash"] .badge', 'final', 15_000);
    await waitForText('#ranked-state', 'final');
    await waitForRounds(IRV_LATE_ROUNDS);
    assert.not.match(String(await page.textContent('#ranked')), /provisional/i);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-irv.png'), fullPage: true });
    await choose('stv-dash');
    await waitForText('#ranked-state', 'final');
    await waitForRounds(STV_ROUNDS);
    assert.not.match(String(await page.textContent('#ranked')), /provisional/i);

    // Narrow: every round still fits, nothing scrolls sideways.
    await page.setViewportSize({ width: 360, height: 900 });
    await page.waitForTimeout(100);
    const overflow = await page.$$eval('#ranked, #ranked .round-row', (els) =>
      els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.className || e.id),
    );
    assert.equal(overflow, [], 'wider than the screen');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-stv-narrow.png'), fullPage: true });
    await page.setViewportSize({ width: 1400, height: 1000 });

    // A plurality poll shows no count section, and asks for none.
    await choose('dash');
    assert.ok(await page.locator('#ranked').isHidden(), 'a plurality poll shows a ranked count');
    page.off('request', noteFetch);
    assert.equal([...fetches.keys()].sort(), ['irv-dash', 'schulze-dash', 'stv-dash']);
    for (const [poll, times] of fetches) {
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      // 1000 ms in the page; a little less as the test process sees the requests.
      assert.ok(
        gaps.every((gap) => gap >= 800),
        `${poll} fetched again within ${Math.min(...gaps)} ms`,
      );
    }
    assert.equal(dialogs, [], 'a dialog opened');
    assert.equal(pageErrors, [], 'the page threw');
  },
);

browser(
  'a master that lost its replica: its shards show why they cannot be made durable',
  async () => {
    // A private cluster: one replica is killed and stays dead.
    const cluster = await startTestCluster({ masters: 3, replicas: 1 });
    const [solo] = (await startNodes(cluster.seeds, ['d1'])).nodes;
    try {
      await page.goto(`${solo!.url}/`);
      const replica = cluster.status.replicas[0]!;
      const orphan = cluster.status.masters.find((m) => m.id === replica.masterId)!;
      process.kill(
        ownedProcesses(cluster.dir).find((p) => p.port === replica.port)!.pid,
        'SIGKILL',
      );
      type Shard = { shard: number; durable: boolean; durableReason: string | null };
      let view: Shard[] = [];
      await until(
        async () => {
          view = (await get<{ shards: Shard[] }>(solo!, '/cluster')).shards;
          return view.some((s) => s.durable === false);
        },
        10_000,
        'no shard lost its durability',
      );
      const lost = view.filter((s) => !s.durable).map((s) => s.shard);
      assert.ok(view.every((s) => s.durable || s.durableReason === 'no replica in sync'));
      assert.ok(lost.length < 16, `every shard shown as lost, not only ${orphan.address}'s`);
      const shown = async () =>
        page.$$eval('#shards tbody tr', (rows) =>
          rows.map((row) => [
            row.querySelector('td')?.firstChild?.textContent,
            row.querySelector('[data-role="durable"]')?.textContent,
            row.querySelector('[data-role="durable"] .badge.bad') !== null,
          ]),
        );
      const wanted = view.map((s) => [
        String(s.shard),
        s.durable ? 'yes' : 'no replica in sync',
        !s.durable,
      ]);
      await until(
        async () => JSON.stringify(await shown()) === JSON.stringify(wanted),
        10_000,
        '',
      ).catch(async () => assert.equal(await shown(), wanted, 'the shard table'));
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-not-durable.png'), fullPage: true });
      assert.equal(pageErrors, [], 'the page threw');
    } finally {
      await solo?.stop();
      await cluster.stop();
    }
  },
);

browser.run();
