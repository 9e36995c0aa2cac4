// /cluster: this node's view of the cluster and of every shard; /cluster/digests: the fold's
// per-shard digests, which agree on every node that applied the same entries.
import type { FastifyInstance } from 'fastify';
import { digestShard } from '../domain/digest.ts';
import { shardKeys } from '../log/keys.ts';
import type { AppContext } from './context.ts';

export function clusterRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.get('/cluster', async () => {
      const { client, prefix } = ctx.target;
      const heads = await Promise.all(
        ctx.folder.readers.map((r) =>
          client.hget(shardKeys(prefix, r.shard).head, 'seq').then(
            (seq) => Number(seq ?? 0),
            () => null,
          ),
        ),
      );
      return {
        nodeId: ctx.config.nodeId,
        shards: ctx.folder.readers.map((r, i) => ({
          shard: r.shard,
          headSeq: heads[i],
          appliedSeq: r.state.appliedSeq,
          committedSeq: r.state.committedSeq,
          chainBreaks: r.breaks,
          ...(r.broken ? { broken: r.broken } : {}),
        })),
      };
    });

    app.get('/cluster/digests', async () => ({
      nodeId: ctx.config.nodeId,
      shards: ctx.folder.readers.map((r) => ({
        shard: r.shard,
        appliedSeq: r.state.appliedSeq,
        committedSeq: r.state.committedSeq,
        headHash: r.state.headHash,
        digest: digestShard(r.state),
      })),
    }));
  };
}
