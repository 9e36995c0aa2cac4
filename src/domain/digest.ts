// The digest of a shard's projection: sha1 over a canonical serialization, so two nodes that
// folded the same entries in the same order agree on it, whatever the Map insertion order, the
// interning order of options or whether the state came from a snapshot. Everything that
// decides the state's future answers is in it: chain position, counts, each voter's latest and
// committed vote, each seq's kind (vote, void vote, barrier) and voter, and the uncommitted
// tail's hashes and choices. Vote ids are not kept (the head hash commits to every payload).
import { createHash, type Hash } from 'node:crypto';
import {
  asFold,
  BARRIER,
  choicesOf,
  optionCounts,
  type PollFold,
  ROLL,
  type ShardState,
} from './fold-state.ts';
import { recordedHash, tailSetAt } from './fold-tail.ts';

const FLUSH_CHARS = 1 << 16;

/** A sha1 fed with one JSON array per line, in chunks. */
class LineHash {
  private readonly hash: Hash = createHash('sha1');
  private buffer = '';

  line(values: unknown[]): void {
    this.text(JSON.stringify(values));
  }

  /** A line already in JSON (the voter and vote lines, built without an array each). */
  text(json: string): void {
    this.buffer += `${json}\n`;
    if (this.buffer.length >= FLUSH_CHARS) this.flush();
  }

  hex(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private flush(): void {
    this.hash.update(this.buffer);
    this.buffer = '';
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Non-zero counts per option id, sorted by option id. */
function counts(poll: PollFold, perOption: readonly number[]): [string, number][] {
  return poll.options
    .map((option, i): [string, number] => [option, perOption[i]!])
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => byCodeUnits(a, b));
}

/** sha1 hex of the shard's projection, canonically serialized (format 2: no vote ids). */
export function digestShard(state: ShardState): string {
  const fold = asFold(state);
  const out = new LineHash();
  out.line(['votestream-shard-digest', 2, fold.shard, fold.appliedSeq, fold.headHash]);
  out.line(['committed', fold.committedSeq, fold.committedHash]);

  /** Each slot's voter id as JSON. */
  const slotVoter: string[] = new Array(fold.slotCount);
  const polls = [...fold.polls].sort((a, b) => byCodeUnits(a.id, b.id));
  for (const poll of polls) {
    out.line(['poll', poll.id, poll.barrierSeq, poll.ballotsFinalized, poll.ballotsPending]);
    // Lines that only rolls and weights add, so a log without them keeps its digest.
    if (poll.rollCount > 0) out.line(['roll', poll.rollCount, poll.rollWeight]);
    const perOption = optionCounts(poll, 'every');
    out.line([
      'counts',
      poll.revotesPending,
      counts(poll, perOption.finalized),
      counts(poll, perOption.pending),
    ]);
    // sort() without a comparator orders strings by UTF-16 code units, as byCodeUnits does,
    // without a call into JavaScript per comparison.
    const voters = [...poll.voters.keys()].sort();
    // Each choice set's JSON once, not once per voter.
    const setJson: (string | undefined)[] = [];
    const choicesJson = (set: number) => (setJson[set] ??= JSON.stringify(choicesOf(poll, set)));
    for (const voterId of voters) {
      const slot = poll.voters.get(voterId)!;
      // JSON.stringify([...]) of these values, written out: a string's JSON, integers as is.
      const voterJson = JSON.stringify(voterId);
      slotVoter[slot] = voterJson;
      const committedSeq = fold.slotCommittedSeq[slot]!;
      const committed = committedSeq > 0 ? choicesJson(fold.slotCommittedSet[slot]!) : 'null';
      const latest = choicesJson(fold.slotLatestSet[slot]!);
      out.text(
        `["voter",${voterJson},${fold.slotLatestSeq[slot]!},${latest},${committedSeq},${committed}]`,
      );
      const weight = fold.slotWeight[slot]!;
      if (weight !== 1) out.line(['weight', weight]);
    }
  }

  const pollJson = new Map(fold.polls.map((poll) => [poll, JSON.stringify(poll.id)]));
  for (let seq = 1; seq <= fold.appliedSeq; seq++) {
    const slot = fold.seqSlot[seq]!;
    if (slot === BARRIER) out.line(['barrier', seq]);
    else if (slot === ROLL) out.line(['roll', seq]);
    else if (slot < 0) out.line(['void', seq]);
    else {
      const poll = fold.polls[fold.slotPoll[slot]!]!;
      out.text(`["vote",${seq},${pollJson.get(poll)},${slotVoter[slot]!}]`);
    }
  }

  for (let seq = fold.committedSeq + 1; seq <= fold.appliedSeq; seq++) {
    const slot = fold.seqSlot[seq]!;
    const choices =
      slot < 0 ? null : choicesOf(fold.polls[fold.slotPoll[slot]!]!, tailSetAt(fold, seq));
    out.line(['tail', seq, recordedHash(fold, seq), choices]);
  }
  return out.hex();
}
