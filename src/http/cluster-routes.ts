// /cluster: this node's view of the cluster (roles, terms, members, clock) and of every shard
// (head, applied and committed seqs, each node's consumer-group lag and applied seq, whether
// a vote of it can be made durable now);
// /cluster/digests: the fold's per-shard digests, equal on every node that applied the same
// entries;
// POST /cluster/members (admin): replace the member set that counts toward quorum.
import type { FastifyInstance } from 'fastify';
import { digestShard } from '../domain/digest.ts';
import { appendControlEvent } from '../log/control-log.ts';
import { shardKeys } from '../log/keys.ts';
import { isReady } from '../log/redis-client.ts';
import { headSeq, viewRead } from '../log/view-reads.ts';
import { requireAdmin } from './admin-auth.ts';
import type { AppContext } from './context.ts';
import { membersBody } from './schemas.ts';

export function clusterRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.get('/cluster', async () => {
      const { client, prefix } = ctx.target;
      // During a Redis outage the view answers at once from the node's own state, with what
      // only Redis knows left null / empty.
      const connected = isReady(client);
      const shards = await Promise.all(
        ctx.folder.readers.map(async (r) => {
          const [head, groups] = await Promise.all([
            headSeq(client, prefix, r.shard),
            connected
              ? viewRead(
                  client.xinfo('GROUPS', shardKeys(prefix, r.shard).log) as Promise<unknown[][]>,
                ).catch(() => [])
              : [],
          ]);
          const durability = ctx.durability.shard(r.shard);
          return {
            shard: r.shard,
            headSeq: head,
            appliedSeq: r.state.appliedSeq,
            committedSeq: r.state.committedSeq,
            lag: Object.fromEntries(groups.map((g) => groupLag(g))),
            appliedBy: appliedBy(ctx, r.shard, r.state.appliedSeq),
            chainBreaks: r.breaks,
            ...(r.broken ? { broken: r.broken } : {}),
            // From the node's durability watch (no Redis read here): can a vote of this shard
            // be acknowledged as durable now, and why not.
            durable: durability.durable,
            durableReason: durability.reason,
            replicasInSync: durability.replicas,
          };
        }),
      );
      return { ...ctx.coordinator.status(), shards };
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

    app.post<{ Body: { members: string[] } }>(
      '/cluster/members',
      { schema: { body: membersBody }, preHandler: requireAdmin(ctx.config.adminToken) },
      async (request) => {
        const { members } = request.body;
        await appendControlEvent(ctx.target.client, ctx.target.prefix, {
          type: 'MembershipChanged',
          v: 1,
          members,
          by: ctx.config.nodeId,
          at: Math.round(ctx.now()),
        });
        request.log.info({ event: 'membership_changed', members }, 'member set changed');
        return { members };
      },
    );
  };
}

/**
 * Each node's applied seq in a shard, from the Applied reports the coordinator folds (this
 * node's own from its fold, which is fresher). A node that never reported is absent.
 */
function appliedBy(ctx: AppContext, shard: number, own: number): Record<string, number> {
  const bySeq: Record<string, number> = {};
  for (const [nodeId, report] of ctx.coordinator.view.applied) {
    const seq = report.shards.get(shard)?.seq;
    if (seq !== undefined) bySeq[nodeId] = seq;
  }
  bySeq[ctx.config.nodeId] = own;
  return bySeq;
}

/** [name, lag] from one XINFO GROUPS entry (a flat field/value list). */
function groupLag(info: unknown[]): [string, number | null] {
  const field = (name: string) => info[info.indexOf(name) + 1];
  const lag = field('lag');
  return [String(field('name')), lag === null || lag === undefined ? null : Number(lag)];
}
