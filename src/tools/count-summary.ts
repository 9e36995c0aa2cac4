// A count result as a person reads it on a terminal: winners, then each round's votes and
// what happened in it; and a recount of an export (`tally --from-file`), poll by poll. The JSON
// form (--json) is the result object, or the recount, itself: the text shows the same figures.
import type { CountResult } from '../domain/count/result.ts';
import type { Recount } from './recount.ts';

/**
 * Lines describing `result` (no trailing newline). `winnersLabel`: what its winners are called
 * (a count of a poll that is not final yet says 'winners so far (not final)').
 */
export function describeCount(result: CountResult, winnersLabel = 'winners'): string[] {
  const lines = [`${result.method}: ${result.seats} seat(s), ${result.ballots} ballots`];
  if (result.method === 'stv') lines.push(`quota ${result.quota}`);
  lines.push(`${winnersLabel}: ${result.winners.join(', ') || '(none)'}`);
  if (result.method === 'irv') {
    for (const r of result.rounds) {
      const votes = Object.entries(r.tally).map(([c, v]) => `${c} ${v}`);
      const out = r.eliminated.length ? `; eliminated ${r.eliminated.join(', ')}` : '';
      const won = r.elected.length ? `; elected ${r.elected.join(', ')}` : '';
      lines.push(`round ${r.round}: ${votes.join(', ')} (exhausted ${r.exhausted})${won}${out}`);
    }
  } else if (result.method === 'stv') {
    for (const r of result.rounds) {
      const what = r.candidate ? `${r.action} of ${r.candidate}` : r.action;
      const won = r.elected.length ? `; elected ${r.elected.join(', ')}` : '';
      const out = r.excluded.length ? `; excluded ${r.excluded.join(', ')}` : '';
      lines.push(`stage ${r.round} (${what}): non-transferable ${r.nonTransferable}${won}${out}`);
    }
    const finals = Object.entries(result.finalVotes).map(([c, v]) => `${c} ${v}`);
    lines.push(`final votes: ${finals.join(', ')}`);
  } else {
    lines.push(`ranking: ${result.ranking.join(' > ')}`);
  }
  for (const t of result.tieBreaks)
    lines.push(
      `tie (${t.reason}, round ${t.round}) among ${t.candidates.join(', ')}: ${t.chosen} by ${t.by === 'lot' ? `lot (${t.lot})` : `round ${t.decidedAt}`}`,
    );
  return lines;
}

/**
 * Lines describing a recount (no trailing newline): each poll's state (open, closed, or final
 * as the nodes decide it), its counts, weight and roll where it has them, its winners; then
 * the chains' summary and the first 20 problems.
 */
export function describeRecount(recount: Recount): string[] {
  const lines: string[] = [];
  for (const t of recount.polls) {
    const state = t.final ? 'final' : t.closed ? 'closed' : 'open';
    lines.push(`poll ${t.pollId}${t.title ? ` "${t.title}"` : ''} (${state})`);
    lines.push('  option\tfinalized\tpending');
    for (const option of Object.keys(t.finalized))
      lines.push(`  ${option}\t${t.finalized[option]}\t${t.pending[option] ?? 0}`);
    lines.push(`  ballots: ${t.ballots.finalized} finalized, ${t.ballots.pending} pending`);
    if (t.weight)
      lines.push(
        `  weight: ${t.weight.finalized} finalized, ${t.weight.pending} pending (the option figures are weights)`,
      );
    if (t.roll) lines.push(`  roll: ${t.roll.voters} voters, weight ${t.roll.weight}`);
    // Until the poll is final its ballots can still change: the winners so far, said so.
    const label = t.final ? 'winners' : 'winners so far (not final)';
    if (t.result?.method === 'plurality')
      lines.push(`  ${label}: ${t.result.winners.join(', ') || '(none)'}`);
    else if (t.result) for (const line of describeCount(t.result, label)) lines.push(`  ${line}`);
  }
  const broken = recount.shards.filter((s) => s.broken).length;
  lines.push(
    `${recount.entries} entries; ${recount.shards.length} shards followed from genesis, ${broken} broken; ${recount.markers} commit markers (${recount.markersUnchecked} at elided seqs, hash not checkable here)`,
  );
  for (const p of recount.problems.slice(0, 20)) lines.push(`  ${p}`);
  return lines;
}
