import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { planSend, type Routed } from '../../src/domain/append-batching.ts';

/** A waiting vote: a name to follow it by, its shard and its voteId's claim shard. */
interface Vote extends Routed {
  name: string;
}

const vote = (name: string, shard: number, claimShard = shard): Vote => ({
  name,
  shard,
  claimShard,
});

/** A plan as the names of the votes in each script call, and whether it ends with WAIT. */
interface Calls {
  claims: string[][];
  appends: string[][];
  releases: string[][];
  wait: boolean;
}

/**
 * given the votes waiting for one master, when the appender plans its pipeline under `rules`,
 * then the plan has the calls (and WAIT) `expected` names; fields left out are not checked.
 */
function given(waiting: { claims?: Vote[]; appends?: Vote[]; releases?: Vote[] }) {
  return {
    when: (rules: { maxPerCall: number; durable: boolean }) => ({
      thenCalls(expected: Partial<Calls>) {
        const plan = planSend(
          {
            claims: waiting.claims ?? [],
            appends: waiting.appends ?? [],
            releases: waiting.releases ?? [],
          },
          rules,
        );
        const names = (groups: Vote[][]) => groups.map((g) => g.map((v) => v.name));
        const got: Calls = {
          claims: names(plan.claims),
          appends: names(plan.appends),
          releases: names(plan.releases),
          wait: plan.wait,
        };
        for (const key of Object.keys(expected) as (keyof Calls)[]) {
          assert.equal(got[key], expected[key], key);
        }
      },
    }),
  };
}

const DURABLE = { maxPerCall: 500, durable: true };

const grouping = suite('append batching: one script call per shard, votes in arrival order');

grouping('appends to one shard go in one call, in the order they came', () => {
  given({ appends: [vote('a', 3), vote('b', 3), vote('c', 3)] })
    .when(DURABLE)
    .thenCalls({ appends: [['a', 'b', 'c']] });
});

grouping('appends to several shards: a call per shard, in the order each shard first came', () => {
  given({ appends: [vote('a', 3), vote('b', 1), vote('c', 3), vote('d', 7), vote('e', 1)] })
    .when(DURABLE)
    .thenCalls({ appends: [['a', 'c'], ['b', 'e'], ['d']] });
});

grouping('appends go by the vote shard; claims and releases by the claim shard', () => {
  const [a, b, c] = [vote('a', 1, 5), vote('b', 2, 5), vote('c', 1, 6)];
  given({ claims: [a, b, c], appends: [a, b, c], releases: [a, b, c] })
    .when(DURABLE)
    .thenCalls({
      claims: [['a', 'b'], ['c']],
      appends: [['a', 'c'], ['b']],
      releases: [['a', 'b'], ['c']],
    });
});

grouping('a group larger than maxPerCall is split in order, the last call shorter', () => {
  given({
    claims: ['a', 'b', 'c', 'd', 'e'].map((n) => vote(n, 0, 4)),
    appends: ['f', 'g', 'h', 'i', 'j'].map((n) => vote(n, 2)),
  })
    .when({ maxPerCall: 2, durable: false })
    .thenCalls({
      claims: [['a', 'b'], ['c', 'd'], ['e']],
      appends: [['f', 'g'], ['h', 'i'], ['j']],
    });
});

grouping('a group of exactly maxPerCall is one call', () => {
  given({ appends: ['a', 'b', 'c'].map((n) => vote(n, 9)) })
    .when({ maxPerCall: 3, durable: false })
    .thenCalls({ appends: [['a', 'b', 'c']] });
});

grouping('whatever comes in, every vote is in exactly one call, in arrival order per shard', () => {
  const shards = fc.record({ shard: fc.nat(15), claimShard: fc.nat(15) });
  fc.assert(
    fc.property(
      fc.array(shards, { maxLength: 60 }),
      fc.integer({ min: 1, max: 8 }),
      (list, max) => {
        const votes = list.map((v, i) => vote(String(i), v.shard, v.claimShard));
        const plan = planSend(
          { claims: [], appends: votes, releases: [] },
          { maxPerCall: max, durable: true },
        );
        const sent = plan.appends.flat();
        assert.is(sent.length, votes.length);
        for (const call of plan.appends) {
          assert.ok(call.length >= 1 && call.length <= max, `a call of ${call.length}`);
          assert.ok(
            call.every((v) => v.shard === call[0]!.shard),
            'one shard per call',
          );
        }
        for (let shard = 0; shard < 16; shard++) {
          const inShard = (v: Vote) => v.shard === shard;
          assert.equal(sent.filter(inShard), votes.filter(inShard), `shard ${shard}, in order`);
        }
      },
    ),
  );
});

grouping.run();

const waits = suite('append batching: the pipeline waits for a replica when it must');

waits('durable claims or appends: the pipeline ends with a WAIT', () => {
  given({ claims: [vote('a', 1, 2)] })
    .when(DURABLE)
    .thenCalls({ wait: true });
  given({ appends: [vote('a', 1)] })
    .when(DURABLE)
    .thenCalls({ wait: true });
});

waits('releases alone need no WAIT', () => {
  given({ releases: [vote('a', 1, 2)] })
    .when(DURABLE)
    .thenCalls({ releases: [['a']], wait: false });
});

waits('without durability nothing waits', () => {
  given({ claims: [vote('a', 1, 2)], appends: [vote('b', 1)] })
    .when({ maxPerCall: 500, durable: false })
    .thenCalls({ wait: false });
});

waits('with nothing waiting, the plan is empty', () => {
  given({}).when(DURABLE).thenCalls({ claims: [], appends: [], releases: [], wait: false });
});

waits('maxPerCall must be a positive integer', () => {
  for (const maxPerCall of [0, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => planSend({ claims: [], appends: [], releases: [] }, { maxPerCall, durable: true }),
      RangeError,
    );
  }
});

waits.run();
