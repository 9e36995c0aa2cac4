import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { digestShard } from '../../src/domain/digest.ts';
import type { ShardEvent } from '../../src/domain/events.ts';
import { evolveShard } from '../../src/domain/fold.ts';
import { voterVote, voteStatusAt } from '../../src/domain/fold-lookup.ts';
import { createShardState, type ShardState } from '../../src/domain/fold-state.ts';
import { restoreShard, serializeShard } from '../../src/domain/projection-snapshot.ts';
import { tallyPoll } from '../../src/domain/tally.ts';
import { ChainBuilder } from './chain-builder.ts';
import { APPLIED, thenFold as then, when } from './fold-scenario.ts';
import { ReferenceFold } from './reference-fold.ts';

const POLLS = ['p0', 'p1', 'p2'];
const OPTIONS = ['a', 'b', 'c', 'd'];

type Op =
  | { t: 'vote'; poll: number; voter: number; choices: string[] }
  | { t: 'mark'; at: number }
  | { t: 'close'; poll: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('vote' as const),
      poll: fc.nat({ max: POLLS.length - 1 }),
      voter: fc.nat({ max: 5 }),
      choices: fc.subarray(OPTIONS, { maxLength: 3 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('mark' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('close' as const),
      poll: fc.nat({ max: POLLS.length - 1 }),
    }),
  },
);
const ops = fc.array(op, { maxLength: 80 });
const STALE = { kind: 'skipped', reason: 'stale-commit' } as const;

/** Entries for `ops`: votes and closes extend the chain, markers land at a seq ≤ applied. */
function entriesOf(list: Op[]): ShardEvent[] {
  const log = new ChainBuilder();
  return list.map((o) => {
    if (o.t === 'vote') return log.vote(POLLS[o.poll]!, `voter-${o.voter}`, o.choices);
    if (o.t === 'close') return log.close(POLLS[o.poll]!);
    return log.mark(o.at % (log.seq + 1));
  });
}

function foldAll(entries: ShardEvent[], state: ShardState = createShardState(3)): ShardState {
  for (const entry of entries) evolveShard(state, entry);
  return state;
}

/** The tally of `pollId` in `state` (without its id and shard progress), counted by `method`. */
function counted(state: ShardState, pollId: string, method?: 'irv') {
  const {
    pollId: _id,
    shards: _s,
    ...tally
  } = tallyPoll(pollId, [state], {
    id: pollId,
    title: pollId,
    options: OPTIONS.map((id) => ({ id })),
    maxChoices: 3,
    revote: 'replace',
    createdAt: 0,
    ...(method ? { method } : {}),
  });
  return tally;
}

const invariants = suite('fold properties: invariants after every step');

invariants('counts, ballots and statuses match a naive model of the rules', () => {
  fc.assert(
    fc.property(ops, (list) => {
      const state = createShardState(3);
      const model = new ReferenceFold();
      let finalizedBefore = 0;
      for (const entry of entriesOf(list)) {
        const stale = entry.type === 'CommitMarked' && entry.seq <= state.committedSeq;
        then(when(state, entry), { outcome: stale ? STALE : APPLIED });
        model.entries.push(entry);
        let finalizedNow = 0;
        for (const pollId of POLLS) {
          const tally = counted(state, pollId);
          assert.equal(tally, model.tally(pollId, OPTIONS));
          // The same ballots as a ranked poll's: first preferences only.
          assert.equal(counted(state, pollId, 'irv'), model.tally(pollId, OPTIONS, true));
          const voters = model.voters(pollId);
          assert.is(tally.ballots.finalized + tally.ballots.pending, voters.size);
          finalizedNow += tally.ballots.finalized;
          const sum = (counts: Record<string, number>) =>
            Object.values(counts).reduce((a, b) => a + b, 0);
          let chosenFinal = 0;
          for (const [voterId, voter] of voters) {
            const vote = voterVote(state, pollId, voterId);
            assert.is(vote?.seq, voter.latest.seq);
            assert.equal(vote?.choices, voter.latest.choices);
            assert.is(vote?.finalized?.seq, voter.committed?.seq);
            chosenFinal += vote?.finalized?.choices.length ?? 0;
          }
          assert.is(sum(tally.finalized), chosenFinal);
        }
        assert.ok(finalizedNow >= finalizedBefore, 'finalized ballots never decrease');
        finalizedBefore = finalizedNow;
      }
      // Every seq: votes, void votes, barriers (undefined), 0 and one beyond the head.
      for (let seq = 0; seq <= state.appliedSeq + 1; seq++) {
        assert.equal(voteStatusAt(state, seq), model.statusAt(seq), `seq ${seq}`);
      }
    }),
    { numRuns: 300 },
  );
});

invariants.run();

const determinism = suite('fold properties: digest determinism');

determinism('folding the same entries twice gives the same digest', () => {
  fc.assert(
    fc.property(ops, (list) => {
      const entries = entriesOf(list);
      assert.is(digestShard(foldAll(entries)), digestShard(foldAll(entries)));
    }),
    { numRuns: 100 },
  );
});

determinism('serialize, restore and fold on gives the same digest as folding on directly', () => {
  fc.assert(
    fc.property(ops, fc.nat(), (list, cut) => {
      const entries = entriesOf(list);
      const at = list.length === 0 ? 0 : cut % (list.length + 1);
      const direct = foldAll(entries.slice(0, at));
      const restored = restoreShard(serializeShard(direct));
      assert.is(digestShard(restored), digestShard(direct));
      foldAll(entries.slice(at), direct);
      foldAll(entries.slice(at), restored);
      assert.is(digestShard(restored), digestShard(direct));
      assert.is(serializeShard(restored), serializeShard(direct));
      for (const pollId of POLLS)
        assert.equal(tallyPoll(pollId, [restored]), tallyPoll(pollId, [direct]));
    }),
    { numRuns: 150 },
  );
});

determinism('states that applied different entries have different digests', () => {
  const applied = (entries: ShardEvent[]) => {
    const state = createShardState(3);
    const kept = entries.filter((entry) => evolveShard(state, entry).kind === 'applied');
    return { kept: JSON.stringify(kept), digest: digestShard(state) };
  };
  fc.assert(
    fc.property(ops, ops, (a, b) => {
      const [left, right] = [applied(entriesOf(a)), applied(entriesOf(b))];
      fc.pre(left.kept !== right.kept);
      assert.is.not(left.digest, right.digest);
    }),
    { numRuns: 100 },
  );
});

determinism.run();
