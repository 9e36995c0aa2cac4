// A ranked count's rounds: IRV's rounds and STV's stages, each a bar per candidate on one scale
// for the whole count, the threshold or quota as a dashed line, who was elected, eliminated or
// excluded there (in words; the colour only repeats them) and the votes that moved.
import { el } from './dom.js';

/** The largest vote of any round, or the threshold if higher: one scale for every round. */
function scaleOf(rounds, votesOf, lineOf) {
  const values = rounds.flatMap((r) => [...Object.values(votesOf(r)), lineOf(r)]);
  return Math.max(1, ...values.map(Number));
}

/** IRV: each round's tally (as it stood when the round began) and who won or went out. */
export function irvRounds(result, name) {
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
export function stvStages(result, name) {
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
