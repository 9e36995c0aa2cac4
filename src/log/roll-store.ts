// Voter rolls in the log: a poll's roll entries live in its voters' shards (the roll hash in
// each shard's slot, which the append script reads), and each addition is committed to, in
// the same script, by a chained RollChanged in that shard.
import type { Poll, RollChanged } from '../domain/events.ts';
import {
  isWeighted,
  MAX_ROLL_WEIGHT,
  planRollChange,
  type RollEntry,
  rollCommitment,
  tooHeavy,
} from '../domain/roll.ts';
import { shardOf } from '../domain/shard-of.ts';
import { VoteStreamError } from '../errors.ts';
import { encodePayload } from './codec.ts';
import { controlKeys, shardKeys } from './keys.ts';
import { execDurable } from './poll-store.ts';
import type { LogTarget } from './redis-client.ts';
import { ADD_TO_ROLL, codedReply, RESERVE_ROLL_WEIGHT } from './script-codes.ts';

/** One shard's part of a roll change: the RollChanged appended there. */
export interface RollCommitment {
  shard: number;
  seq: number;
  count: number;
  weight: number;
  sha256: string;
}

/** What a roll request did. */
export interface RollChange {
  /** Voters added, and their weight. */
  added: number;
  weight: number;
  /** Voters of the request already on the roll with the same weight (a retry). */
  unchanged: number;
  /** The RollChanged entries appended, by shard. */
  commitments: RollCommitment[];
}

/** How often one shard's part is read and tried again when another request got there first. */
const ATTEMPTS = 3;

/**
 * The roll weights of `voterIds` in `poll` (the voter ids the log records: `recordedVoterId`), in order;
 * undefined for a voter not on the roll.
 */
export async function rollWeights(
  target: LogTarget,
  pollId: string,
  voterIds: readonly string[],
): Promise<(number | undefined)[]> {
  const byShard = groupByShard(target, pollId, voterIds);
  const weights = new Array<number | undefined>(voterIds.length);
  await Promise.all(
    [...byShard].map(async ([shard, indexes]) => {
      const ids = indexes.map((i) => voterIds[i]!);
      const values = await target.client.hmget(
        shardKeys(target.prefix, shard).roll(pollId),
        ...ids,
      );
      indexes.forEach((i, k) => {
        const value = values[k];
        weights[i] = value === null || value === undefined ? undefined : Number(value);
      });
    }),
  );
  return weights;
}

/**
 * Adds `entries` (checked by `rollEntries`) to `poll`'s roll: per shard, the voters not on the
 * roll yet go in with a RollChanged that commits to them (add-to-roll-4.lua), made durable.
 * Voters already on it with the same weight are left as they are (a retried request adds
 * nothing); a voter on it with another weight refuses the whole request before anything is
 * written (ROLL_CONFLICT). A weighted poll's added weight is reserved first against the
 * bound on the roll's total weight (ROLL_TOO_HEAVY).
 *
 * A request that fails part way (a shard unavailable, or the poll closed meanwhile) may have
 * added its voters in some shards: each of those additions is complete and in the log, and
 * the same request sent again adds the rest.
 * @throws VoteStreamError ROLL_CONFLICT, ROLL_TOO_HEAVY, POLL_CLOSED, NOT_DURABLE
 */
export async function addToRoll(
  target: LogTarget,
  poll: Poll,
  entries: readonly RollEntry[],
  at: number,
): Promise<RollChange> {
  const byShard = groupByShard(
    target,
    poll.id,
    entries.map((e) => e.voterId),
  );
  const parts = [...byShard].map(([shard, indexes]) => ({
    shard,
    entries: indexes.map((i) => entries[i]!),
  }));
  const plans = await Promise.all(parts.map((part) => planShard(target, poll.id, part)));
  const conflicts = plans.flatMap((plan) => plan.conflicts);
  if (conflicts.length > 0) {
    throw new VoteStreamError(
      'ROLL_CONFLICT',
      `${conflicts.length} voter(s) are on the roll of poll ${poll.id} with another weight`,
      { voters: conflicts.slice(0, 10) },
    );
  }
  const added = plans.flatMap((plan) => plan.added);
  const weight = added.reduce((sum, entry) => sum + entry.weight, 0);
  if (isWeighted(poll) && added.length > 0) await reserveWeight(target, poll, weight);
  const commitments = (
    await Promise.all(
      parts.map((part, i) =>
        plans[i]!.added.length > 0 ? addShardPart(target, poll, part, plans[i]!.added, at) : [],
      ),
    )
  ).flat();
  const addedCount = commitments.reduce((sum, c) => sum + c.count, 0);
  const addedWeight = commitments.reduce((sum, c) => sum + c.weight, 0);
  return {
    added: addedCount,
    weight: addedWeight,
    unchanged: entries.length - addedCount,
    commitments: commitments.sort((a, b) => a.shard - b.shard),
  };
}

interface ShardPart {
  shard: number;
  entries: RollEntry[];
}

async function planShard(target: LogTarget, pollId: string, part: ShardPart) {
  const key = shardKeys(target.prefix, part.shard).roll(pollId);
  const values = await target.client.hmget(key, ...part.entries.map((e) => e.voterId));
  const existing = values.map((v) => (v === null || v === undefined ? undefined : Number(v)));
  return planRollChange(part.entries, existing);
}

/** Appends one shard's new voters with their RollChanged; reads again if another request won. */
async function addShardPart(
  target: LogTarget,
  poll: Poll,
  part: ShardPart,
  added: RollEntry[],
  at: number,
): Promise<RollCommitment[]> {
  const keys = shardKeys(target.prefix, part.shard);
  let entries = added;
  for (let attempt = 1; ; attempt++) {
    const commitment = rollCommitment(entries);
    const event: RollChanged = { type: 'RollChanged', v: 1, pollId: poll.id, ...commitment, at };
    const pairs = entries.flatMap((e) => [e.voterId, String(e.weight)]);
    const pipeline = target.client
      .pipeline()
      .addToRoll(
        keys.head,
        keys.closed,
        keys.log,
        keys.roll(poll.id),
        poll.id,
        encodePayload(event),
        ...pairs,
      );
    const { code, detail } = codedReply(await execDurable(target, pipeline));
    if (code === ADD_TO_ROLL.added)
      return [{ shard: part.shard, seq: Number(detail), ...commitment }];
    if (code === ADD_TO_ROLL.pollClosed)
      throw new VoteStreamError('POLL_CLOSED', `poll ${poll.id} is closed`);
    if (code !== ADD_TO_ROLL.onRoll || attempt >= ATTEMPTS)
      throw new VoteStreamError('STORAGE_UNAVAILABLE', `add-to-roll replied ${code}`);
    const plan = await planShard(target, poll.id, { shard: part.shard, entries });
    if (plan.conflicts.length > 0)
      throw new VoteStreamError(
        'ROLL_CONFLICT',
        `a voter was added to the roll of poll ${poll.id} with another weight meanwhile`,
        { voters: plan.conflicts.slice(0, 10) },
      );
    if (plan.added.length === 0) return [];
    entries = plan.added;
  }
}

async function reserveWeight(target: LogTarget, poll: Poll, weight: number): Promise<void> {
  const keys = controlKeys(target.prefix);
  const pipeline = target.client
    .pipeline()
    .reserveRollWeight(keys.rollWeights, poll.id, String(weight), String(MAX_ROLL_WEIGHT));
  const { code, detail } = codedReply(await execDurable(target, pipeline));
  if (code === RESERVE_ROLL_WEIGHT.tooHeavy) {
    const { code: error, message, details } = tooHeavy(poll, MAX_ROLL_WEIGHT - Number(detail));
    throw new VoteStreamError(error, message, details);
  }
}

/** Indexes of `voterIds` by the shard that holds each voter's votes and roll entry. */
function groupByShard(
  target: LogTarget,
  pollId: string,
  voterIds: readonly string[],
): Map<number, number[]> {
  const byShard = new Map<number, number[]>();
  voterIds.forEach((voterId, i) => {
    const shard = shardOf(pollId, voterId, target.shards);
    const list = byShard.get(shard);
    if (list) list.push(i);
    else byShard.set(shard, [i]);
  });
  return byShard;
}
