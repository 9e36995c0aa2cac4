// The counter-only Redis peer: `node --import tsx bench/peers/redis-counter-peer.ts --port P
// --seeds host:port,…`. One vote = one Lua script (count-vote-2.lua: HSETNX the voter, then
// HINCRBY the chosen options) in the slot of the vote's votestream shard, then WAIT 1 on the
// same connection (the pipeline goes to that slot's master): acknowledged once one replica
// has it in memory, as votestream's appends are. No log, no hash chain, no fold, no quorum.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Cluster, type Result } from 'ioredis';
import { loadConfig } from '../../src/config.ts';
import { shardOf } from '../../src/domain/shard-of.ts';
import { VoteStreamError } from '../../src/errors.ts';
import type { VoteRequest } from '../../src/log/append-vote.ts';
import { type PeerStore, type Recorded, servePeer } from './front.ts';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** count-vote-2.lua: null when counted, else the voter's earlier voteId. */
    countVote(
      voters: string,
      counts: string,
      voterId: string,
      voteId: string,
      ...choices: string[]
    ): Result<string | null, Context>;
  }
}

/** Slots the votes spread over, as votestream's default 16 shards. */
const SHARDS = 16;
const keys = (pollId: string, shard: number) => ({
  voters: `peer:{${pollId}:${shard}}:voters`,
  counts: `peer:{${pollId}:${shard}}:counts`,
});

/** A PeerStore on a Redis Cluster; `waitTimeoutMs`: WAIT's timeout, then 503 NOT_DURABLE. */
function redisCounterStore(seeds: string[], waitTimeoutMs: number): PeerStore {
  const redis = new Cluster(
    seeds.map((s) => ({ host: s.split(':')[0]!, port: Number(s.split(':')[1]) })),
    { enableAutoPipelining: true },
  );
  redis.defineCommand('countVote', {
    numberOfKeys: 2,
    lua: readFileSync(new URL('count-vote-2.lua', import.meta.url), 'utf8'),
  });
  return {
    async record(vote: VoteRequest): Promise<Recorded> {
      const k = keys(vote.pollId, shardOf(vote.pollId, vote.voterId, SHARDS));
      const replies = await redis
        .pipeline()
        .countVote(k.voters, k.counts, vote.voterId, vote.voteId, ...vote.choices)
        .call('WAIT', '1', String(waitTimeoutMs))
        .exec();
      const [[error, earlier] = [new Error('no reply')], [waitError, acks] = [null, 0]] =
        replies ?? [];
      if (error) throw error;
      if (waitError) throw waitError;
      if (Number(acks) < 1) throw new VoteStreamError('NOT_DURABLE');
      if (earlier === null) return { status: 'recorded' };
      // Only the voteId is kept: a retry with other choices cannot be told from a replay.
      return earlier === vote.voteId
        ? { status: 'replayed' }
        : { status: 'refused', code: 'ALREADY_VOTED' };
    },
    async tally(pollId: string) {
      const total: Record<string, number> = {};
      for (let shard = 0; shard < SHARDS; shard++) {
        const counts = await redis.hgetall(keys(pollId, shard).counts);
        for (const [option, n] of Object.entries(counts))
          total[option] = (total[option] ?? 0) + Number(n);
      }
      return total;
    },
    async close() {
      await redis.quit();
    },
  };
}

const { values } = parseArgs({ options: { port: { type: 'string' }, seeds: { type: 'string' } } });
if (!values.port || !values.seeds)
  throw new Error('usage: redis-counter-peer.ts --port P --seeds host:port,…');
const store = redisCounterStore(values.seeds.split(','), loadConfig().waitTimeoutMs);
await servePeer('redis-counter-peer', store, Number(values.port));
