// A ranked poll's finalized ballots as a BLT file, the exchange format of STV/IRV counting
// programs (OpenSTV, OpaVote, Droop, ERS), so a recount can use the program one already trusts.
// Pure: the caller folds the poll's export (or the log) and passes the shards.
import { type BltContest, formatBlt } from './count/blt.ts';
import type { Poll } from './events.ts';
import type { ShardState } from './fold-state.ts';
import { rankingProfile } from './ranking-profile.ts';

/**
 * The contest of `poll`'s finalized ballots over `shards`: candidates are the option ids (unique
 * and safe to quote; labels may be neither), seats the poll's (1 for IRV and Schulze), one
 * ballot line per distinct ranking with its count, in canonical order. The title is the
 * poll's, with double quotes and line breaks (which BLT cannot quote) replaced.
 * @throws TypeError for a plurality poll: its ballots are sets, not rankings.
 */
export function pollBallotContest(poll: Poll, shards: readonly ShardState[]): BltContest {
  if (poll.method === undefined)
    throw new TypeError(`poll ${poll.id} is a plurality poll: its ballots are not rankings`);
  const profile = rankingProfile(poll.id, shards, 'finalized');
  return {
    title: poll.title.replace(/"/g, "'").replace(/[\r\n]+/g, ' '),
    seats: poll.seats ?? 1,
    profile: {
      options: poll.options.map((option) => option.id),
      ballots: profile.rankings,
    },
  };
}

/** {@link pollBallotContest} written as BLT text. */
export function pollBallotFile(poll: Poll, shards: readonly ShardState[]): string {
  return formatBlt(pollBallotContest(poll, shards));
}
