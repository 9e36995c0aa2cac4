// /cluster: this node's view of the cluster (roles, terms, members, clock) and of every shard
// (head, applied and committed seqs, each node's consumer-group lag and applied seq, whether
// a vote of it can be made durable now);
// /cluster/digests: the fold's per-shard digests, equal on every node that applied the same
// entries;
// POST /cluster/members (admin): replace the member set that counts toward quorum.
import type { FastifyInstance } from 'fastify';
import { clusterStatus } from '../cluster/cluster-status.ts';
import { digestShard } from '../domain/digest.ts';
import { appendControlEvent } from '../log/control-log.ts';
import { groupLags, headSeq } from '../log/view-reads.ts';
import { requireAdmin } from './admin-auth.ts';
import type { AppContext } from './context.ts';
import { ensureReady } from './ensure-ready.ts';
import { clusterReply, digestsReply, membersReply } from './reply-schemas.ts';
import { ADMIN_CODES, ADMIN_SECURITY, BODY_CODES, replies } from './route-replies.ts';
import { membersBody } from './schemas.ts';

export function clusterRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    const clusterSchema = {
      summary: "This node's view of the cluster",
      tags: ['cluster'],
      response: replies({ 200: ['Roles, terms, members, clock and shards', clusterReply] }, []),
    };
    app.get('/cluster', { schema: clusterSchema }, async () => {
      const { client, prefix } = ctx.target;
      // During a Redis outage these answer at once, null / empty: the rest of the view comes
      // from the node's own state.
      const logFacts = await Promise.all(
        ctx.projections.readers.map(async (r) => {
          const [head, lag] = await Promise.all([
            headSeq(client, prefix, r.shard),
            groupLags(client, prefix, r.shard),
          ]);
          return { headSeq: head, lag };
        }),
      );
      const { coordinator, durability, projections } = ctx;
      return clusterStatus({ coordinator, readers: projections.readers, durability }, logFacts);
    });

    const digestsSchema = {
      summary: "The fold's digest per shard",
      description: 'Equal on every node that applied the same entries.',
      tags: ['cluster'],
      response: replies({ 200: ['The digests', digestsReply] }, []),
    };
    app.get('/cluster/digests', { schema: digestsSchema }, async () => ({
      nodeId: ctx.config.nodeId,
      shards: ctx.projections.readers.map((r) => ({
        shard: r.shard,
        appliedSeq: r.state.appliedSeq,
        committedSeq: r.state.committedSeq,
        headHash: r.state.headHash,
        digest: digestShard(r.state),
      })),
    }));

    app.post<{ Body: { members: string[] } }>(
      '/cluster/members',
      {
        schema: {
          summary: 'Replace the member set',
          tags: ['cluster', 'admin'],
          security: ADMIN_SECURITY,
          body: membersBody,
          response: replies({ 200: ['The new member set', membersReply] }, [
            ...BODY_CODES,
            ...ADMIN_CODES,
            'VALIDATION_FAILED',
            'STORAGE_UNAVAILABLE',
          ]),
        },
        preHandler: requireAdmin(ctx.config.adminToken),
      },
      async (request) => {
        ensureReady(ctx);
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
