// A count result as a person reads it on a terminal: winners, then each round's votes and
// what happened in it. The JSON form (--json) is the result object itself.
import type { CountResult } from '../domain/count/result.ts';

/** Lines describing `result` (no trailing newline). */
export function describeCount(result: CountResult): string[] {
  const lines = [`${result.method}: ${result.seats} seat(s), ${result.ballots} ballots`];
  if (result.method === 'stv') lines.push(`quota ${result.quota}`);
  lines.push(`winners: ${result.winners.join(', ') || '(none)'}`);
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
