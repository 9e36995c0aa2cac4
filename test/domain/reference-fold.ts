// A deliberately naive model of the shard fold for tests: recomputes everything from the list
// of applied entries, the way the rules are stated, with no incremental bookkeeping.
import type { ShardEvent, VoteCast } from '../../src/domain/events.ts';
import type { VoteStatus } from '../../src/domain/fold-lookup.ts';

export interface ReferenceVoter {
  latest: VoteCast;
  committed: VoteCast | undefined;
}

export class ReferenceFold {
  readonly entries: ShardEvent[] = [];

  get committedSeq(): number {
    let committed = 0;
    for (const e of this.entries)
      if (e.type === 'CommitMarked') committed = Math.max(committed, e.seq);
    return committed;
  }

  /** Votes that count: no PollClosed of their poll before them. */
  countedVotes(): VoteCast[] {
    const closed = new Set<string>();
    const counted: VoteCast[] = [];
    for (const e of this.entries) {
      if (e.type === 'PollClosed') closed.add(e.pollId);
      if (e.type === 'VoteCast' && !closed.has(e.pollId)) counted.push(e);
    }
    return counted;
  }

  voters(pollId: string): Map<string, ReferenceVoter> {
    const committedSeq = this.committedSeq;
    const voters = new Map<string, ReferenceVoter>();
    for (const vote of this.countedVotes()) {
      if (vote.pollId !== pollId) continue;
      const voter = voters.get(vote.voterId) ?? { latest: vote, committed: undefined };
      voter.latest = vote;
      if (vote.seq <= committedSeq) voter.committed = vote;
      voters.set(vote.voterId, voter);
    }
    return voters;
  }

  /** Every choice of a ballot counts; with `firstOnly`, only its first (a ranked poll's tally). */
  tally(pollId: string, options: string[], firstOnly = false) {
    const counted = (choices: string[]) => (firstOnly ? choices.slice(0, 1) : choices);
    const finalized = Object.fromEntries(options.map((o) => [o, 0]));
    const pending = Object.fromEntries(options.map((o) => [o, 0]));
    const ballots = { finalized: 0, pending: 0 };
    let revotesPending = 0;
    for (const { latest, committed } of this.voters(pollId).values()) {
      if (committed) {
        ballots.finalized += 1;
        for (const c of counted(committed.choices)) finalized[c]! += 1;
        if (latest.seq > committed.seq) revotesPending += 1;
      } else {
        ballots.pending += 1;
        for (const c of counted(latest.choices)) pending[c]! += 1;
      }
    }
    return { finalized, pending, ballots, revotesPending };
  }

  /** The status of the vote at `seq`; undefined if no applied entry there is a VoteCast. */
  statusAt(seq: number): { seq: number; status: VoteStatus } | undefined {
    const vote = this.entries.find((e): e is VoteCast => e.type === 'VoteCast' && e.seq === seq);
    if (!vote) return undefined;
    if (!this.countedVotes().includes(vote)) return { seq: vote.seq, status: 'void' };
    if (vote.seq > this.committedSeq) return { seq: vote.seq, status: 'pending' };
    const voter = this.voters(vote.pollId).get(vote.voterId);
    return { seq: vote.seq, status: voter?.committed === vote ? 'finalized' : 'superseded' };
  }
}
