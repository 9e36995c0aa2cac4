// The Count section of a chosen ranked poll: its count fetched as its tally moves (at most once
// a second, provisional until the poll is final), drawn as the winners, the rounds or stages
// (IRV, STV) or the ranking and matrices (Schulze), and how ties were broken. A sealed poll's
// count is only its ballots until the poll is final (the node sends nothing more).
import { api } from './api.js';
import { $, el } from './dom.js';
import { invalidate } from './frame.js';
import { irvRounds, stvStages } from './rounds-view.js';
import { schulzeView } from './schulze-view.js';
import { isRanked, selectedPoll, state } from './state.js';

/** A ranked count is fetched at most this often per poll: a recount under load is not free. */
const RESULTS_EVERY_MS = 1000;

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

/** Forgets the previous poll's count (and any fetch of it under way): another was chosen. */
export function resetResults() {
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

/** Asks for the chosen ranked poll's count, at most once a second; no-op for plurality. */
export function wantResults() {
  const poll = selectedPoll();
  if (!isRanked(poll)) return;
  // A final poll's finalized count can no longer change (a sealed one is not that count yet).
  if (results.body && !results.body.provisional && !results.body.sealed) return;
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

// ---- drawing ----

const METHOD_NAMES = { irv: 'instant-runoff', stv: 'Scottish STV', schulze: 'Schulze' };

/** "instant-runoff", "Scottish STV, 2 seats", "Schulze". */
export function methodName(poll) {
  const name = METHOD_NAMES[poll.method] ?? poll.method;
  return poll.method === 'stv' ? `${name}, ${poll.seats} seats` : name;
}

/** The rounds are rebuilt whole, but only when the count changed (not merely its position). */
export function renderResults() {
  $('ranked-error').textContent = results.error ? `⚠ ${results.error}` : '';
  const result = results.body?.pollId === state.selected ? results.body : undefined;
  renderCountState(result);
  if (results.key === results.renderedKey) return;
  results.renderedKey = results.key;
  // A newer count of the same poll must not shut the strongest paths under the reader's eyes.
  const pathsOpen = $('schulze').querySelector('details')?.open === true;
  for (const id of ['ranked-summary', 'rounds', 'schulze', 'tie-breaks']) $(id).replaceChildren();
  if (!result) return;
  if (result.sealed) {
    $('ranked-summary').textContent = `${result.ballots} ballots`;
    return;
  }
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
  $('ranked').classList.toggle('sealed', result?.sealed === true);
  $('ranked-state').textContent = result
    ? result.sealed
      ? 'sealed'
      : provisional
        ? 'provisional'
        : 'final'
    : '';
  $('ranked-note').textContent = countNote(result, selectedPoll()?.status ?? 'open');
}

function countNote(result, status) {
  if (!result) return '';
  if (result.sealed)
    return `Sealed until the close: the count is shown once the poll is final; the poll is ${status}.`;
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
