// Polls in the log: created once in the catalogue (vs:{ctl}:polls), closed by a PollClosed
// there plus a chained barrier in every shard.
import { createHash } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import type { Poll, PollClosed, PollCreated } from '../domain/events.ts';
import { pollCreatedVersion, pollDefinition } from '../domain/poll-rules.ts';
import { VoteStreamError } from '../errors.ts';
import { encodePayload } from './codec.ts';
import { controlKeys, shardKeys } from './keys.ts';
import type { LogTarget } from './redis-client.ts';
import { validateEvent } from './schemas.ts';
import { CLOSE_POLL, CREATE_POLL, codedReply, scriptRefusal } from './script-codes.ts';

/**
 * Adds `poll` to the catalogue. An identical definition under the same id is the same poll
 * (`created: false`); a different one is POLL_EXISTS.
 */
export async function createPoll(
  target: LogTarget,
  poll: Poll,
): Promise<{ created: boolean; poll: Poll }> {
  const keys = controlKeys(target.prefix);
  // An open poll keeps the v1 form, so nodes that predate voter authentication still serve it.
  const event: PollCreated = { type: 'PollCreated', v: pollCreatedVersion(poll), poll };
  validateEvent(event);
  const definition = createHash('sha1').update(pollDefinition(poll)).digest('hex');
  const pipeline = target.client
    .pipeline()
    .createPoll(keys.pollIds, keys.polls, poll.id, definition, JSON.stringify(event));
  const { code, detail } = codedReply(await execDurable(target, pipeline));
  const stored = (JSON.parse(String(detail)) as PollCreated).poll;
  const refusal = scriptRefusal(
    'createPoll',
    code,
    { pollId: poll.id },
    `a different poll with id ${poll.id} exists`,
  );
  if (refusal) throw refusal;
  return { created: code === CREATE_POLL.created, poll: stored };
}

/**
 * Closes a poll: the catalogue's PollClosed, then the barrier in every shard. Safe to repeat:
 * a close interrupted half-way is completed by the next one.
 */
export async function closePoll(
  target: LogTarget,
  pollId: string,
  by: string,
  at: number,
): Promise<{ alreadyClosed: boolean; barriers: { shard: number; seq: number }[] }> {
  const keys = controlKeys(target.prefix);
  const event: PollClosed = { type: 'PollClosed', v: 1, pollId, at, by };
  const payload = encodePayload(event);
  const pipeline = target.client
    .pipeline()
    .closePoll(keys.pollIds, keys.pollsClosed, keys.polls, pollId, payload);
  const { code } = codedReply(await execDurable(target, pipeline));
  const refusal = scriptRefusal('closePoll', code, { pollId }, `no poll ${pollId}`);
  if (refusal) throw refusal;
  const barriers = await Promise.all(
    Array.from({ length: target.shards }, async (_, shard) => {
      const s = shardKeys(target.prefix, shard);
      const p = target.client.pipeline().closeShard(s.head, s.closed, s.log, pollId, payload);
      const { detail: seq } = codedReply(await execDurable(target, p));
      return { shard, seq: Number(seq) };
    }),
  );
  return { alreadyClosed: code === CLOSE_POLL.alreadyClosed, barriers };
}

/** Runs a one-script pipeline, then WAIT on the same connection when durable; the script's reply. */
export async function execDurable(
  target: LogTarget,
  pipeline: ChainableCommander,
): Promise<unknown> {
  if (target.durable) pipeline.call('WAIT', '1', String(target.waitTimeoutMs));
  const replies = (await pipeline.exec()) ?? [];
  const [error, reply] = replies[0] ?? [new Error('no reply'), undefined];
  if (error) throw error;
  if (target.durable && Number(replies[1]?.[1] ?? 0) < 1) throw new VoteStreamError('NOT_DURABLE');
  return reply;
}
