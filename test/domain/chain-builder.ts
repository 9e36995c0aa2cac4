// Builds valid shard entries for domain tests: each chained entry gets the next seq and its
// chain hash; markers carry the hash the chain had at their seq.
import { chainHash, chainPayload, GENESIS_HASH } from '../../src/domain/chain.ts';
import type {
  CommitMarked,
  Entry,
  PollClosed,
  RollChanged,
  VoteCast,
} from '../../src/domain/events.ts';
import { type RollEntry, rollCommitment } from '../../src/domain/roll.ts';

export class ChainBuilder {
  seq = 0;
  /** hashes[seq] = the chain hash at seq. */
  readonly hashes: string[] = [GENESIS_HASH];
  private votes = 0;

  get head(): string {
    return this.hashes[this.seq]!;
  }

  /** A plurality ballot: `choices` are a set, stored sorted. */
  vote(pollId: string, voterId: string, choices: string[], voteId?: string): Entry<VoteCast> {
    return this.rank(pollId, voterId, [...choices].sort(), voteId);
  }

  /** A ranked ballot: `ranking` is kept in its order, most preferred first. */
  rank(pollId: string, voterId: string, ranking: string[], voteId?: string): Entry<VoteCast> {
    this.votes += 1;
    return this.chain({
      type: 'VoteCast',
      v: 1,
      voteId: voteId ?? `vote-${this.votes}`,
      pollId,
      voterId,
      choices: [...ranking],
      at: 1_700_000_000_000 + this.seq,
    });
  }

  /**
   * A weighted poll's ballot, as the append script writes it: `weight` from the roll. `ranked`
   * keeps the order; else the choices are sorted.
   */
  weighted(
    pollId: string,
    voterId: string,
    choices: string[],
    weight: number,
    ranked = false,
  ): Entry<VoteCast> {
    this.votes += 1;
    return this.chain({
      type: 'VoteCast',
      v: 1,
      voteId: `vote-${this.votes}`,
      pollId,
      voterId,
      choices: ranked ? [...choices] : [...choices].sort(),
      at: 1_700_000_000_000 + this.seq,
      weight,
    });
  }

  /** The RollChanged that commits to `entries` added to `pollId`'s roll in this shard. */
  roll(pollId: string, entries: RollEntry[]): Entry<RollChanged> {
    return this.chain({
      type: 'RollChanged',
      v: 1,
      pollId,
      ...rollCommitment(entries),
      at: 1_700_000_000_000,
    });
  }

  close(pollId: string): Entry<PollClosed> {
    return this.chain({ type: 'PollClosed', v: 1, pollId, at: 1_700_000_000_000, by: 'schedule' });
  }

  /** A commit marker at `seq` (default: the head) with the chain's hash there. */
  mark(seq = this.seq, hash = this.hashes[seq]!): Entry<CommitMarked> {
    return { type: 'CommitMarked', v: 1, term: 1, seq, hash, by: 'n1', at: 0, id: `m-${seq}` };
  }

  private chain<E extends VoteCast | PollClosed | RollChanged>(
    event: Omit<E, 'seq' | 'hash'>,
  ): Entry<E> {
    const seq = this.seq + 1;
    const hash = chainHash(this.head, seq, chainPayload(event));
    this.seq = seq;
    this.hashes.push(hash);
    return { ...event, seq, hash, id: `${seq}-0` } as unknown as Entry<E>;
  }
}
