// The votestream dashboard: one ES module, no framework, no build step. It reads the node's
// own JSON API (GET /cluster every second, GET /polls every two seconds, the chosen poll's
// tally over SSE and, for a ranked poll, its count, fetched again as that tally moves) and
// writes the page only inside requestAnimationFrame: data handlers just store the latest
// value and mark a part dirty, so a flood of updates costs one render per frame at most. Everything that comes from data is written with textContent / DOM APIs,
// never as markup: a poll titled "<img src=x onerror=…>" shows as those characters.

const CLUSTER_EVERY_MS = 1000;
const POLLS_EVERY_MS = 2000;
const SPARK_POINTS = 60;
/** A ranked count is fetched at most this often per poll: a recount under load is not free. */
const RESULTS_EVERY_MS = 1000;

const state = {
  cluster: undefined,
  clusterError: '',
  polls: [],
  /** The last GET /polls body: the list is rebuilt only when it changes. */
  pollsJson: '',
  pollsError: '',
  selected: '',
  tally: undefined,
  live: false,
  rates: { appends: [], commits: [], last: undefined },
  /** Kept in memory only: a reload asks for it again. */
  token: '',
};

// ---- rendering, coalesced per animation frame ----

const dirty = new Set();
let frame = 0;

function invalidate(part) {
  dirty.add(part);
  if (!frame) frame = requestAnimationFrame(renderDirty);
}

function renderDirty() {
  frame = 0;
  const parts = [...dirty];
  dirty.clear();
  for (const part of parts) RENDER[part]();
}

const RENDER = {
  cluster: renderCluster,
  polls: renderPolls,
  tally: renderTally,
  results: renderResults,
};

const $ = (id) => document.getElementById(id);

/** An element with properties and children (strings become text nodes, never markup). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

// ---- data ----

/** GET or POST JSON; throws an Error whose message is the API's `code: message`. */
async function api(path, init = {}) {
  const res = await fetch(path, {
    ...init,
    headers: { accept: 'application/json', ...(init.headers ?? {}) },
  });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = body?.error;
    throw new Error(error ? `${error.code}: ${error.message}` : `HTTP ${res.status}`);
  }
  return body;
}

async function refreshCluster() {
  try {
    const cluster = await api('/cluster');
    state.cluster = cluster;
    state.clusterError = '';
    sampleRates(cluster);
  } catch (error) {
    state.clusterError = error.message;
  }
  invalidate('cluster');
  setTimeout(refreshCluster, CLUSTER_EVERY_MS);
}

/** appends/s and commits/s from the change of the summed head and committed seqs. */
function sampleRates(cluster) {
  const heads = cluster.shards.map((s) => s.headSeq);
  if (heads.some((h) => h === null)) return;
  const now = performance.now();
  const totals = {
    at: now,
    head: heads.reduce((a, b) => a + b, 0),
    committed: cluster.shards.reduce((a, s) => a + s.committedSeq, 0),
  };
  const last = state.rates.last;
  state.rates.last = totals;
  if (!last) return;
  const seconds = (now - last.at) / 1000;
  if (seconds <= 0) return;
  push(state.rates.appends, Math.max(0, (totals.head - last.head) / seconds));
  push(state.rates.commits, Math.max(0, (totals.committed - last.committed) / seconds));
}

function push(series, value) {
  series.push(value);
  if (series.length > SPARK_POINTS) series.shift();
}

async function refreshPolls() {
  let error = '';
  try {
    const { polls } = await api('/polls');
    const json = JSON.stringify(polls);
    // Rebuilding the list under the pointer would swallow a click: only when it changed.
    if (json !== state.pollsJson) {
      state.polls = polls;
      state.pollsJson = json;
      invalidate('polls');
      // The chosen poll may have just become known as ranked, or closed, or final.
      invalidate('results');
      wantResults();
    }
  } catch (failure) {
    error = failure.message;
  }
  if (error !== state.pollsError) {
    state.pollsError = error;
    invalidate('polls');
  }
}

function schedulePolls() {
  void refreshPolls().finally(() => setTimeout(schedulePolls, POLLS_EVERY_MS));
}

// ---- the chosen poll: live tally over SSE ----

let events;

function selectPoll(pollId) {
  if (state.selected === pollId) return;
  events?.close();
  state.selected = pollId;
  state.tally = undefined;
  state.live = false;
  $('bars').replaceChildren();
  resetResults();
  events = new EventSource(`/polls/${encodeURIComponent(pollId)}/events`);
  events.addEventListener('open', () => {
    state.live = true;
    invalidate('tally');
  });
  events.addEventListener('error', () => {
    // EventSource reconnects by itself (the server says retry: 1000).
    state.live = false;
    invalidate('tally');
  });
  events.addEventListener('tally', (event) => {
    // Only the newest tally matters: it is a whole state, not a delta.
    state.tally = JSON.parse(event.data);
    invalidate('tally');
    // A new tally means new ballots or commits: the ranked count may have moved too.
    wantResults();
  });
  invalidate('polls');
  invalidate('tally');
  wantResults();
}

// ---- the chosen ranked poll: its count, following the tally ----

/**
 * The count of the chosen poll. Fetches are throttled to one a second and never overlap; a
 * request made meanwhile is remembered (`again`) so the newest tally is always counted once.
 * `generation` discards an answer that arrives after another poll was chosen.
 */
const results = {
  generation: 0,
  body: undefined,
  /** The body without its log position, which moves with every commit in any poll. */
  key: '',
  renderedKey: '',
  error: '',
  lastAt: Number.NEGATIVE_INFINITY,
  busy: false,
  again: false,
  timer: 0,
};

function resetResults() {
  clearTimeout(results.timer);
  Object.assign(results, {
    generation: results.generation + 1,
    body: undefined,
    key: '',
    // Not a key any count has: the previous poll's count is cleared at the next frame.
    renderedKey: undefined,
    error: '',
    lastAt: Number.NEGATIVE_INFINITY,
    busy: false,
    again: false,
    timer: 0,
  });
  invalidate('results');
}

function isRanked(poll) {
  return poll !== undefined && poll.method !== undefined && poll.method !== 'plurality';
}

/** Asks for the chosen ranked poll's count, at most once a second; no-op for plurality. */
function wantResults() {
  const poll = selectedPoll();
  if (!isRanked(poll)) return;
  // A final poll's finalized count can no longer change.
  if (results.body && !results.body.provisional) return;
  if (results.busy) {
    results.again = true;
    return;
  }
  if (results.timer) return;
  const wait = results.lastAt + RESULTS_EVERY_MS - performance.now();
  if (wait > 0) {
    results.timer = setTimeout(() => {
      results.timer = 0;
      wantResults();
    }, wait);
    return;
  }
  void fetchResults(poll);
}

/**
 * The finalized count once the poll is final; until then every voter's latest ballot
 * (`?include=pending`), which the API marks provisional.
 */
async function fetchResults(poll) {
  const generation = results.generation;
  results.busy = true;
  results.lastAt = performance.now();
  const query = poll.status === 'final' ? '' : '?include=pending';
  let body;
  let error = '';
  try {
    body = await api(`/polls/${encodeURIComponent(poll.id)}/results${query}`);
  } catch (failure) {
    error = failure.message;
  }
  if (generation !== results.generation) return;
  results.busy = false;
  results.error = error;
  if (body) {
    results.body = body;
    results.key = JSON.stringify({ ...body, position: undefined });
  }
  // A failed fetch is tried again (a second later): an idle poll sends no tally to wait for.
  if (error) results.again = true;
  invalidate('results');
  if (results.again) {
    results.again = false;
    wantResults();
  }
}

// ---- cluster ----

function renderCluster() {
  const c = state.cluster;
  $('connection').textContent = state.clusterError ? `⚠ ${state.clusterError}` : '';
  if (!c) return;
  $('node').textContent = c.nodeId;
  $('role').textContent = c.role;
  $('leader').textContent = c.leader ? c.leader.nodeId : 'none';
  $('leader-box').classList.toggle('missing', !c.leader);
  $('term').textContent = `term ${c.term}`;
  const { offsetMs, uncertaintyMs } = c.clock;
  $('clock').textContent =
    `clock offset ${signed(offsetMs)} ms` +
    (uncertaintyMs === null ? '' : ` ± ${uncertaintyMs} ms`);

  $('members').tBodies[0].replaceChildren(
    ...c.members.map((m) => {
      const leads = c.leader?.nodeId === m.nodeId;
      const row = el(
        'tr',
        { className: leads ? 'is-leader' : '', dataset: { node: m.nodeId } },
        el(
          'td',
          {},
          m.nodeId,
          leads ? el('span', { className: 'badge', title: 'leader' }, '★ leader') : undefined,
          m.nodeId === c.nodeId ? el('small', {}, ' (this node)') : undefined,
          m.member ? undefined : el('small', {}, ' observer'),
        ),
        // A dead node's role is only what its last heartbeat said.
        m.status === 'dead' && m.role
          ? el('td', { className: 'stale', dataset: { role: 'role' } }, `was ${m.role}`)
          : el('td', { dataset: { role: 'role' } }, m.role ?? '–'),
        el('td', {}, m.term ?? '–'),
        el('td', { className: `status-${m.status}`, dataset: { role: 'status' } }, m.status),
        el('td', {}, duration(m.lastHeartbeatAgeMs)),
        el('td', {}, m.clockDeltaMs === null ? '–' : `${signed(m.clockDeltaMs)} ms`),
        el('td', {}, duration(m.uptimeMs)),
      );
      if (m.divergent?.length) row.classList.add('divergent');
      return row;
    }),
  );

  renderShards(c);
  renderSpark('appends', state.rates.appends);
  renderSpark('commits', state.rates.commits);
}

function renderShards(c) {
  const nodes = [...new Set(c.shards.flatMap((s) => Object.keys(s.appliedBy ?? {})))].sort();
  const table = $('shards');
  table.tHead.replaceChildren(
    el(
      'tr',
      {},
      el('th', {}, 'shard'),
      el(
        'th',
        { title: 'can a vote of this shard be made durable now, and if not, why' },
        'durable',
      ),
      el('th', {}, 'head'),
      el('th', {}, 'committed'),
      ...nodes.map((n) => el('th', {}, n)),
    ),
  );
  table.tBodies[0].replaceChildren(
    ...c.shards.map((s) =>
      el(
        'tr',
        {},
        el('td', {}, s.shard, s.broken ? el('span', { className: 'badge bad' }, 'broken') : ''),
        durableCell(s),
        el('td', {}, s.headSeq ?? '?'),
        el('td', { className: s.committedSeq < (s.headSeq ?? 0) ? 'behind' : '' }, s.committedSeq),
        ...nodes.map((n) => {
          const applied = s.appliedBy?.[n];
          if (applied === undefined) return el('td', {}, '–');
          const lag = Math.max(0, (s.headSeq ?? applied) - applied);
          return el(
            'td',
            { className: lag ? 'behind' : '' },
            applied,
            lag ? el('small', {}, ` (${lag})`) : '',
          );
        }),
      ),
    ),
  );
}

/** Whether a vote of the shard can be made durable now: yes, or a red badge saying why not. */
function durableCell(s) {
  const replicas =
    s.replicasInSync === null || s.replicasInSync === undefined
      ? ''
      : `${s.replicasInSync} replica${s.replicasInSync === 1 ? '' : 's'} in sync`;
  if (s.durable === true)
    return el(
      'td',
      { dataset: { role: 'durable' }, title: replicas },
      s.durableReason ? el('small', {}, s.durableReason) : 'yes',
    );
  if (s.durable === false)
    return el(
      'td',
      { dataset: { role: 'durable' }, title: replicas },
      el('span', { className: 'badge bad' }, s.durableReason ?? 'no'),
    );
  return el('td', { dataset: { role: 'durable' }, className: 'muted' }, '?');
}

function renderSpark(name, series) {
  const last = series[series.length - 1];
  const max = Math.max(1, ...series);
  $(`${name}-rate`).textContent = last === undefined ? '–' : Math.round(last).toLocaleString();
  $(`${name}-peak`).textContent =
    series.length > 1 ? `peak ${Math.round(max).toLocaleString()} in ${series.length} s` : '';
  const step = 120 / (SPARK_POINTS - 1);
  const offset = SPARK_POINTS - series.length;
  const points = series
    .map((v, i) => `${((offset + i) * step).toFixed(1)},${(29 - (v / max) * 28).toFixed(1)}`)
    .join(' ');
  $(`${name}-spark`).querySelector('polyline').setAttribute('points', points);
}

// ---- polls ----

function renderPolls() {
  $('no-polls').hidden = state.polls.length > 0;
  $('polls-error').textContent = state.pollsError ? `⚠ ${state.pollsError}` : '';
  $('poll-list').replaceChildren(
    ...[...state.polls].reverse().map((p) =>
      el(
        'li',
        {},
        el(
          'button',
          {
            type: 'button',
            className: p.id === state.selected ? 'selected' : '',
            dataset: { pollId: p.id },
            onclick: () => selectPoll(p.id),
          },
          el('span', { className: 'poll-title' }, p.title),
          el('small', {}, ` ${p.id} `),
          el('span', { className: `badge poll-${p.status}` }, p.status),
        ),
      ),
    ),
  );
  $('close-poll').disabled = !state.selected;
  renderPollHeader();
}

function selectedPoll() {
  return state.polls.find((p) => p.id === state.selected);
}

function renderPollHeader() {
  const poll = selectedPoll();
  $('poll-detail').hidden = !state.selected;
  $('poll-title').textContent = poll?.title ?? state.selected;
  $('poll-meta').textContent = poll
    ? [
        poll.id,
        poll.status,
        `revote: ${poll.revote ?? 'reject'}`,
        poll.closesAt ? `closes ${new Date(poll.closesAt).toLocaleString()}` : '',
        isRanked(poll) ? `${methodName(poll)}; the bars: first preferences` : '',
      ]
        .filter(Boolean)
        .join(' · ')
    : '';
  $('ranked').hidden = !isRanked(poll);
}

/** One bar per option; rows are made once per poll and then only updated. */
function renderTally() {
  renderPollHeader();
  $('live').textContent = state.live ? '● live' : '○ connecting…';
  $('live').classList.toggle('on', state.live);
  const tally = state.tally;
  if (!tally || tally.pollId !== state.selected) return;
  const poll = selectedPoll();
  const labels = new Map((poll?.options ?? []).map((o) => [o.id, o.label ?? o.id]));
  const options = Object.keys(tally.finalized);
  const bars = $('bars');
  if (bars.childElementCount !== options.length) bars.replaceChildren(...options.map(barRow));
  const most = Math.max(1, ...options.map((o) => tally.finalized[o] + tally.pending[o]));
  options.forEach((option, i) => {
    const row = bars.children[i];
    const finalized = tally.finalized[option];
    const pending = tally.pending[option];
    row.dataset.option = option;
    row.querySelector('.label').textContent = labels.get(option) ?? option;
    row.querySelector('.bar-finalized').style.width = `${(100 * finalized) / most}%`;
    row.querySelector('.bar-pending').style.width = `${(100 * pending) / most}%`;
    row.querySelector('.count-finalized').textContent = String(finalized);
    row.querySelector('.count-pending').textContent = String(pending);
  });
  const { finalized, pending } = tally.ballots;
  $('poll-totals').textContent =
    `${finalized} finalized · ${pending} pending ballots` +
    (tally.revotesPending ? ` · ${tally.revotesPending} revotes pending` : '');
  const committed = tally.shards.reduce((a, s) => a + s.committedSeq, 0);
  const applied = tally.shards.reduce((a, s) => a + s.appliedSeq, 0);
  const caughtUp = tally.shards.filter((s) => s.committedSeq === s.appliedSeq).length;
  $('poll-position').textContent =
    `committed position: seq ${committed} of ${applied} applied, summed over ` +
    `${tally.shards.length} shards (${caughtUp} fully committed)`;
}

function barRow() {
  return el(
    'div',
    { className: 'bar-row' },
    el('span', { className: 'label' }),
    el(
      'span',
      { className: 'bar' },
      el('span', { className: 'bar-finalized' }),
      el('span', { className: 'bar-pending' }),
    ),
    el(
      'span',
      { className: 'counts' },
      el('span', { className: 'count-finalized' }),
      ' + ',
      el('span', { className: 'count-pending' }),
    ),
  );
}

// ---- the count of a ranked poll: rounds, marks, transfers; Schulze's ranking and matrix ----

const METHOD_NAMES = { irv: 'instant-runoff', stv: 'Scottish STV', schulze: 'Schulze' };

function methodName(poll) {
  const name = METHOD_NAMES[poll.method] ?? poll.method;
  return poll.method === 'stv' ? `${name}, ${poll.seats} seats` : name;
}

/** The rounds are rebuilt whole, but only when the count changed (not merely its position). */
function renderResults() {
  $('ranked-error').textContent = results.error ? `⚠ ${results.error}` : '';
  const result = results.body?.pollId === state.selected ? results.body : undefined;
  renderCountState(result);
  if (results.key === results.renderedKey) return;
  results.renderedKey = results.key;
  // A newer count of the same poll must not shut the strongest paths under the reader's eyes.
  const pathsOpen = $('schulze').querySelector('details')?.open === true;
  for (const id of ['ranked-summary', 'rounds', 'schulze', 'tie-breaks']) $(id).replaceChildren();
  if (!result) return;
  const name = labeller(selectedPoll());
  $('ranked-summary').replaceChildren(...summaryOf(result, name));
  if (result.method === 'irv') $('rounds').replaceChildren(...irvRounds(result, name));
  if (result.method === 'stv') $('rounds').replaceChildren(...stvStages(result, name));
  if (result.method === 'schulze')
    $('schulze').replaceChildren(...schulzeView(result, name, pathsOpen));
  $('tie-breaks').replaceChildren(
    ...result.tieBreaks.map((tie) => tieBreakItem(tie, result.method, name)),
  );
}

/** Option id → its label, falling back to the id. */
function labeller(poll) {
  const labels = new Map((poll?.options ?? []).map((o) => [o.id, o.label ?? o.id]));
  return (id) => labels.get(id) ?? id;
}

/**
 * Provisional or final, said in words (the badge's colour only repeats it). Redone on every
 * render: the poll's status changes (open → closed) while its count may not.
 */
function renderCountState(result) {
  const provisional = result?.provisional === true;
  $('ranked').classList.toggle('provisional', provisional);
  $('ranked-state').textContent = result ? (provisional ? 'provisional' : 'final') : '';
  $('ranked-note').textContent = countNote(result, selectedPoll()?.status ?? 'open');
}

function countNote(result, status) {
  if (!result) return '';
  if (!result.provisional) return 'Final: the finalized ballots of the closed poll.';
  return `Provisional: every voter's latest ballot, committed or not; the poll is ${status}, so this count can still change.`;
}

function summaryOf(result, name) {
  const names = result.winners.map(name).join(', ') || 'none yet';
  const parts = [
    `${result.method === 'stv' ? 'Elected' : 'Winner'}: `,
    el('strong', {}, names),
    ` · ${result.ballots} ballots (${result.blank} blank)`,
  ];
  if (result.method === 'irv') parts.push(` · ${result.exhausted} exhausted`);
  if (result.method === 'stv')
    parts.push(` · quota ${result.quota} · ${result.exhausted} non-transferable`);
  return parts;
}

/** The largest vote of any round, or the threshold if higher: one scale for every round. */
function scaleOf(rounds, votesOf, lineOf) {
  const values = rounds.flatMap((r) => [...Object.values(votesOf(r)), lineOf(r)]);
  return Math.max(1, ...values.map(Number));
}

/** IRV: each round's tally (as it stood when the round began) and who won or went out. */
function irvRounds(result, name) {
  const scale = scaleOf(
    result.rounds,
    (r) => r.tally,
    (r) => r.threshold,
  );
  return result.rounds.map((round, i) => {
    // A round's tally is taken before its eliminations: it holds what the last round moved.
    const received = receivedBy(result.rounds[i - 1]?.transfers ?? []);
    const line = { value: round.threshold, label: 'threshold', scale };
    const rows = Object.entries(round.tally).map(([candidate, votes]) =>
      candidateRow({
        candidate,
        name,
        votes,
        received: received.get(candidate),
        mark: irvMark(round, candidate),
        line,
      }),
    );
    return roundItem({
      round: round.round,
      heading: `Round ${round.round}`,
      detail: `threshold ${round.threshold} (a majority of ${round.continuing} continuing) · ${round.exhausted} exhausted so far`,
      rows,
      transfers: round.transfers.map((t) => transferItem(t, name, 'exhausted')),
    });
  });
}

/** STV: each stage's votes at its end, with the surplus or exclusion it carried out. */
function stvStages(result, name) {
  const scale = scaleOf(
    result.rounds,
    (r) => r.votes,
    () => result.quota,
  );
  const electedAt = new Map();
  const line = { value: result.quota, label: 'quota', scale };
  return result.rounds.map((stage) => {
    for (const c of stage.elected) electedAt.set(c, stage.round);
    const received = receivedBy(stage.transfers);
    // The candidates excluded in this stage have left `votes`: shown, marked, with no bar.
    const candidates = [...Object.keys(stage.votes), ...stage.excluded];
    const rows = candidates.map((candidate) =>
      candidateRow({
        candidate,
        name,
        votes: stage.votes[candidate],
        received: received.get(candidate),
        mark: stvMark(stage, candidate, electedAt.get(candidate)),
        line,
      }),
    );
    return roundItem({
      round: stage.round,
      heading: `Stage ${stage.round} · ${stageAction(stage, name)}`,
      detail: `quota ${result.quota} · ${stage.nonTransferable} non-transferable so far`,
      rows,
      transfers: stage.transfers.map((t) => transferItem(t, name, 'non-transferable')),
    });
  });
}

/** [class, words] for a candidate elected or eliminated in this round, else undefined. */
function irvMark(round, candidate) {
  if (round.elected.includes(candidate)) return ['elected', '✓ elected'];
  if (round.eliminated.includes(candidate)) return ['out', '✗ eliminated'];
  return undefined;
}

/** Like irvMark; a candidate elected at an earlier stage stays marked, quietly. */
function stvMark(stage, candidate, electedAt) {
  if (stage.excluded.includes(candidate)) return ['out', '✗ excluded'];
  if (electedAt === stage.round) return ['elected', '✓ elected'];
  if (electedAt !== undefined) return ['was-elected', `elected at stage ${electedAt}`];
  return undefined;
}

function stageAction(stage, name) {
  if (stage.action === 'surplus')
    return `surplus of ${name(stage.candidate)} (${stage.surplus}) transferred`;
  if (stage.action === 'exclusion') return `${name(stage.candidate)} excluded`;
  return 'first preferences';
}

/** Per candidate, the votes that `transfers` moved to them (summed over a batch). */
function receivedBy(transfers) {
  const received = new Map();
  for (const { to } of transfers)
    for (const [candidate, votes] of Object.entries(to))
      received.set(candidate, addDecimals(received.get(candidate) ?? '0', votes));
  return received;
}

/** One round: a heading, a bar per candidate, the votes that moved. */
function roundItem({ round, heading, detail, rows, transfers }) {
  return el(
    'li',
    { className: 'round', dataset: { round: String(round) } },
    el('h4', {}, heading, ' ', el('small', {}, detail)),
    el('div', { className: 'round-bars' }, ...rows),
    transfers.length ? el('ul', { className: 'transfers' }, ...transfers) : undefined,
  );
}

/**
 * A candidate's bar in one round, on the count's common `line.scale`, crossed by the threshold
 * or quota line. `mark` is [class, words]: the words carry the meaning, the colour repeats it.
 */
function candidateRow({ candidate, name, votes, received, mark, line }) {
  // Widths and offsets through the CSSOM: the CSP forbids style attributes, not these.
  const fill = el('span', { className: 'round-fill' });
  fill.style.width = `${(100 * Number(votes ?? 0)) / line.scale}%`;
  const threshold = el('span', { className: 'threshold', title: `${line.label} ${line.value}` });
  threshold.style.left = `${Math.min(100, (100 * Number(line.value)) / line.scale)}%`;
  return el(
    'div',
    { className: `round-row${mark ? ` ${mark[0]}` : ''}`, dataset: { candidate } },
    el('span', { className: 'label', title: name(candidate) }, name(candidate)),
    el('span', { className: 'round-track' }, fill, threshold),
    el(
      'span',
      { className: 'votes' },
      votes ?? '–',
      received ? el('small', { className: 'received' }, ` +${received}`) : undefined,
    ),
    el('span', { className: 'mark' }, mark ? mark[1] : ''),
  );
}

/** "Carol's votes (eliminated): 2 → Bob, 0 exhausted". */
function transferItem(transfer, name, leftover) {
  const moved = Object.entries(transfer.to).map(([to, votes]) => `${votes} → ${name(to)}`);
  moved.push(`${transfer.exhausted} ${leftover}`);
  if (transfer.residual !== undefined) moved.push(`${transfer.residual} lost to rounding`);
  const why = { elimination: 'eliminated', exclusion: 'excluded', surplus: 'surplus' };
  return el(
    'li',
    { dataset: { from: transfer.from } },
    `${name(transfer.from)}'s votes (${why[transfer.kind] ?? transfer.kind}): `,
    moved.join(', '),
  );
}

/** Schulze: the final order, then who beats whom head to head and by the strongest paths. */
function schulzeView(result, name, pathsOpen) {
  const order = result.ranking;
  return [
    el('h4', {}, 'Ranking'),
    el(
      'ol',
      { className: 'ranking' },
      ...order.map((option) =>
        el(
          'li',
          { dataset: { option } },
          name(option),
          result.winners.includes(option) ? el('span', { className: 'win' }, ' ✓ winner') : '',
        ),
      ),
    ),
    matrix(
      result.pairwise,
      order,
      name,
      "Pairwise: ballots ranking the row's option above the column's; ▲ the row beats the column",
    ),
    el(
      'details',
      { open: pathsOpen },
      el('summary', {}, 'Strongest paths'),
      matrix(
        result.strongestPaths,
        order,
        name,
        'Strongest paths (by margin); ▲ the row is stronger than the column',
      ),
    ),
  ];
}

/** A square table in ranking order; a cell that beats its mirror says so with ▲. */
function matrix(cells, order, name, caption) {
  const head = el('tr', {}, el('td'), ...order.map((o) => el('th', { scope: 'col' }, name(o))));
  const rows = order.map((row) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, name(row)),
      ...order.map((col) => {
        if (row === col) return el('td', { className: 'diagonal' }, '–');
        const value = cells[row]?.[col] ?? '0';
        const wins = Number(value) > Number(cells[col]?.[row] ?? '0');
        return el(
          'td',
          { className: wins ? 'beats' : '' },
          value,
          wins ? el('span', { className: 'win' }, ' ▲') : '',
        );
      }),
    ),
  );
  return el(
    'div',
    { className: 'scroll-x' },
    el(
      'table',
      { className: 'matrix' },
      el('caption', {}, caption),
      el('thead', {}, head),
      el('tbody', {}, ...rows),
    ),
  );
}

/** "Tie in round 3 (elimination) between Ann, Ben: Ben chosen by lot." */
function tieBreakItem(tie, method, name) {
  const step = { stv: 'stage', schulze: 'place' }[method] ?? 'round';
  const how = tie.by === 'lot' ? 'by lot' : `by ${step} ${tie.decidedAt}, where they differed`;
  return el(
    'li',
    {},
    `Tie in ${step} ${tie.round} (${tie.reason}) between ${tie.candidates.map(name).join(', ')}: `,
    `${name(tie.chosen)} chosen ${how}.`,
  );
}

/** The sum of two non-negative decimal strings, exactly (STV values have five decimals). */
function addDecimals(a, b) {
  const scale = Math.max(fraction(a).length, fraction(b).length);
  const units = (v) => BigInt(v.split('.')[0] + fraction(v).padEnd(scale, '0'));
  const digits = String(units(a) + units(b)).padStart(scale + 1, '0');
  return scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
}

function fraction(decimal) {
  return decimal.split('.')[1] ?? '';
}

// ---- vote lookup ----

async function lookUp(event) {
  event.preventDefault();
  const voteId = $('lookup-id').value.trim();
  const out = $('lookup-result');
  if (!voteId) return;
  out.replaceChildren(el('dt', {}, 'looking up'), el('dd', {}, voteId));
  try {
    const { receipt, status, folded } = await api(`/votes/${encodeURIComponent(voteId)}`);
    const rows = [
      ['status', status],
      ['folded here', folded ? 'yes' : 'not yet'],
      ['voteId', receipt.voteId],
      ['pollId', receipt.pollId],
      ['shard', receipt.shard],
      ['seq', receipt.seq],
      ['entryId', receipt.entryId],
      ['hash', receipt.hash],
    ];
    out.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
    out.dataset.status = status;
  } catch (error) {
    out.replaceChildren(el('dt', {}, 'error'), el('dd', {}, error.message));
    out.dataset.status = 'error';
  }
}

// ---- admin ----

function adminHeaders(json) {
  const auth = { authorization: `Bearer ${state.token}` };
  // Declaring a JSON body without sending one is a 400: only say so when there is one.
  return json ? { ...auth, 'content-type': 'application/json' } : auth;
}

/** "id" or "id: label" per line (or comma-separated). */
function parseOptions(text) {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf(':');
      if (at < 0) return line;
      return { id: line.slice(0, at).trim(), label: line.slice(at + 1).trim() };
    });
}

async function createPoll(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  const body = {
    title: String(data.get('title')),
    options: parseOptions(String(data.get('options'))),
    revote: String(data.get('revote')),
  };
  const id = String(data.get('id') ?? '').trim();
  if (id) body.id = id;
  const closesIn = Number(data.get('closesIn'));
  if (closesIn > 0) body.closesAt = new Date(Date.now() + closesIn * 60_000).toISOString();
  const message = $('admin-message');
  try {
    const { poll } = await api('/polls', {
      method: 'POST',
      headers: adminHeaders(true),
      body: JSON.stringify(body),
    });
    message.textContent = `created poll ${poll.id}`;
    form.reset();
    await refreshPolls();
    selectPoll(poll.id);
  } catch (error) {
    message.textContent = error.message;
  }
}

async function closeSelected() {
  const pollId = state.selected;
  if (!pollId) return;
  const message = $('admin-message');
  try {
    const { alreadyClosed } = await api(`/polls/${encodeURIComponent(pollId)}/close`, {
      method: 'POST',
      headers: adminHeaders(false),
    });
    message.textContent = alreadyClosed ? `${pollId} was already closed` : `closed ${pollId}`;
    await refreshPolls();
  } catch (error) {
    message.textContent = error.message;
  }
}

// ---- formatting ----

function signed(n) {
  return n > 0 ? `+${n}` : String(n);
}

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

// ---- start ----

$('lookup-form').addEventListener('submit', lookUp);
$('create-form').addEventListener('submit', createPoll);
$('close-poll').addEventListener('click', closeSelected);
$('admin-token').addEventListener('input', (event) => {
  state.token = event.currentTarget.value.trim();
  $('admin-panel').hidden = !state.token;
});
void refreshCluster();
schedulePolls();
