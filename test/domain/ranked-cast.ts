// Random ranked ballots folded into three shards, for tests that count what a fold holds.
import fc from 'fast-check';
import { evolveShard } from '../../src/domain/fold.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import { ChainBuilder } from './chain-builder.ts';

/** One ballot: a voter (revotes when drawn again), a ranking, and whether a marker follows. */
export interface CastBallot {
  voter: number;
  ranking: string[];
  mark: boolean;
}

/** Ballots of up to `voters` voters ranking some of `options`, in poll `p`. */
export function castLog(options: string[], voters: number, maxLength: number) {
  return fc.array(
    fc.record({
      voter: fc.integer({ min: 0, max: voters - 1 }),
      ranking: fc.shuffledSubarray(options, { minLength: 1 }),
      mark: fc.boolean(),
    }),
    { minLength: 1, maxLength },
  );
}

/** The ballots folded into shards 0–2 (a voter always in the same shard, as shardOf places them). */
export function foldCast(cast: readonly CastBallot[]): ShardState[] {
  const logs = [0, 1, 2].map(() => new ChainBuilder());
  const states = [0, 1, 2].map((shard) => createShardState(shard));
  for (const { voter, ranking, mark } of cast) {
    const shard = voter % 3;
    evolveShard(states[shard]!, logs[shard]!.rank('p', `v${voter}`, ranking));
    if (mark) evolveShard(states[shard]!, logs[shard]!.mark());
  }
  return states;
}
