// One entry for the API, the CLI and a recount: the poll's method picks the tabulator.
import { countIrv, type IrvRules } from './irv.ts';
import type { Countable } from './profile.ts';
import type { CountResult } from './result.ts';
import { countSchulze, type SchulzeRules } from './schulze.ts';
import { countScottishStv, type ScottishStvRules } from './stv-scottish.ts';

/** A ranked poll's method and its options, as PollCreated records them. */
export type CountRules =
  | ({ method: 'irv' } & IrvRules)
  | ({ method: 'stv' } & ScottishStvRules)
  | ({ method: 'schulze' } & SchulzeRules);

/**
 * Counts `profile` by `rules.method`: {@link countIrv}, {@link countScottishStv} (the only STV
 * rule so far) or {@link countSchulze}. Pure: the same profile and rules give the same result,
 * byte for byte once serialized, on every node and in every recount.
 *
 * @throws ProfileError as the chosen tabulator does.
 */
export function countBallots(profile: Countable, rules: CountRules): CountResult {
  switch (rules.method) {
    case 'irv':
      return countIrv(profile, rules);
    case 'stv':
      return countScottishStv(profile, rules);
    case 'schulze':
      return countSchulze(profile, rules);
  }
}
