// The Polls section: GET /polls every two seconds, drawn as the list; the chosen poll's header
// and its live tally over SSE, a bar of finalized and pending votes per option — or, for a
// sealed poll until it is final, no bars: the node sends only its turnout.
import { api } from './api.js';
import { methodName, resetResults, wantResults } from './count-view.js';
import { $, el } from './dom.js';
import { invalidate } from './frame.js';
import { isRanked, isSealed, selectedPoll, state } from './state.js';

const POLLS_EVERY_MS = 2000;

/** Reads GET /polls once; the list and the count are redrawn only if it changed. */
export async function refreshPolls() {
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

/** Reads GET /polls now and then two seconds after each answer. */
export function schedulePolls() {
  void refreshPolls().finally(() => setTimeout(schedulePolls, POLLS_EVERY_MS));
}

// ---- the chosen poll: live tally over SSE ----

let events;

/** Chooses a poll: its tally is followed over SSE, and its count if it is ranked. */
export function selectPoll(pollId) {
  if (state.selected === pollId) return;
  events?.close();
  state.selected = pollId;
  state.tally = undefined;
  state.live = false;
  $('bars').replaceChildren();
  $('sealed-note').hidden = true;
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

// ---- drawing ----

/** Draws the poll list and the chosen poll's header. */
export function renderPolls() {
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
          isSealed(p) ? el('span', { className: 'badge sealed' }, 'sealed') : undefined,
        ),
      ),
    ),
  );
  $('close-poll').disabled = !state.selected;
  renderPollHeader();
}

function renderPollHeader() {
  const poll = selectedPoll();
  // The stream's latest tally knows before the next GET /polls whether the poll is final.
  const streamed = poll !== undefined && state.tally?.pollId === poll.id;
  const sealed = streamed ? state.tally.sealed === true : isSealed(poll);
  $('poll-detail').hidden = !state.selected;
  $('poll-title').textContent = poll?.title ?? state.selected;
  $('poll-meta').textContent = poll
    ? [
        poll.id,
        poll.status,
        `revote: ${poll.revote ?? 'reject'}`,
        poll.closesAt ? `closes ${new Date(poll.closesAt).toLocaleString()}` : '',
        sealed ? 'results sealed until final' : '',
        // A sealed poll has no bars until it is final.
        isRanked(poll) && sealed ? methodName(poll) : '',
        isRanked(poll) && !sealed ? `${methodName(poll)}; the bars: first preferences` : '',
      ]
        .filter(Boolean)
        .join(' · ')
    : '';
  $('ranked').hidden = !isRanked(poll);
}

/** One bar per option; rows are made once per poll and then only updated. */
export function renderTally() {
  renderPollHeader();
  $('live').textContent = state.live ? '● live' : '○ connecting…';
  $('live').classList.toggle('on', state.live);
  const tally = state.tally;
  if (!tally || tally.pollId !== state.selected) return;
  const poll = selectedPoll();
  renderTurnout(tally);
  $('sealed-note').hidden = !tally.sealed;
  if (tally.sealed) {
    // The node sent no figure per option: there is nothing to draw but the turnout.
    $('bars').replaceChildren();
    $('sealed-note').textContent =
      'Sealed until the close: votes per option are shown once the poll is final. Until then, turnout only.';
    return;
  }
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
}

/** The ballot totals (a sealed poll's turnout) and the tally's committed position. */
function renderTurnout(tally) {
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
