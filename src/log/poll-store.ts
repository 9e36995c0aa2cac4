// Polls in the log: created once in the catalogue (vs:{ctl}:polls), closed by a PollClosed
// there plus a chained barrier in every shard.
import { createHash } from 'node:crypto';
import type { Poll, PollClosed, PollCreated } from '../domain/events.ts';
import { pollCreatedVersion, pollDefinition } from '../domain/poll-rules.ts';
import { VoteStreamError } from '../errors.ts';
import { encodePayload } from './codec.ts';
import { controlKeys, shardKeys } from './keys.ts';
import type { LogTarget } from './redis-client.ts';
import { validateEvent } from './schemas.ts';

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
  const pipeline = target.client.pipeline() as unknown as ScriptPipeline;
  pipeline.createPoll(keys.pollIds, keys.polls, poll.id, definition, JSON.stringify(event));
  const [code, payload] = (await execDurable(target, pipeline)) as [number, string];
  const stored = (JSON.parse(payload) as PollCreated).poll;
  if (code === -1) {
    throw new VoteStreamError('POLL_EXISTS', `a different poll with id ${poll.id} exists`, {
      pollId: poll.id,
    });
  }
  return { created: code === 1, poll: stored };
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
  const pipeline = target.client.pipeline() as unknown as ScriptPipeline;
  pipeline.closePoll(keys.pollIds, keys.pollsClosed, keys.polls, pollId, payload);
  const [code] = (await execDurable(target, pipeline)) as [number];
  if (code === -1) throw new VoteStreamError('POLL_NOT_FOUND', `no poll ${pollId}`, { pollId });
  const barriers = await Promise.all(
    Array.from({ length: target.shards }, async (_, shard) => {
      const s = shardKeys(target.prefix, shard);
      const p = target.client.pipeline() as unknown as ScriptPipeline;
      p.closeShard(s.head, s.closed, s.log, pollId, payload);
      const [, seq] = (await execDurable(target, p)) as [number, number];
      return { shard, seq };
    }),
  );
  return { alreadyClosed: code === 0, barriers };
}

/** Runs a one-script pipeline, then WAIT on the same connection when durable; the script's reply. */
export async function execDurable(target: LogTarget, pipeline: ScriptPipeline): Promise<unknown> {
  if (target.durable) pipeline.call('WAIT', '1', String(target.waitTimeoutMs));
  const replies = (await pipeline.exec()) ?? [];
  const [error, reply] = replies[0] ?? [new Error('no reply'), undefined];
  if (error) throw error;
  if (target.durable && Number(replies[1]?.[1] ?? 0) < 1) throw new VoteStreamError('NOT_DURABLE');
  return reply;
}

export interface ScriptPipeline {
  createPoll(...args: string[]): ScriptPipeline;
  closePoll(...args: string[]): ScriptPipeline;
  closeShard(...args: string[]): ScriptPipeline;
  markCommit(...args: (string | number)[]): ScriptPipeline;
  call(...args: string[]): ScriptPipeline;
  exec(): Promise<[Error | null, unknown][] | null>;
}
