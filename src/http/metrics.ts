// GET /metrics in Prometheus text format (prom-client), one registry per node (tests run
// several nodes in one process). What moves per request is counted as it happens; what is a
// state (lag, term, membership) is read from the node when Prometheus scrapes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { coordinatorStatus } from '../cluster/coordinator-status.ts';
import type { FoldBatch } from '../log/shard-reader.ts';
import { headSeq } from '../log/view-reads.ts';
import type { AppContext } from './context.ts';
import { replies } from './route-replies.ts';

export interface NodeMetrics {
  registry: Registry;
  /** Counts one vote's result by its HTTP-like status (201, 200, 409 …). */
  vote(status: number): void;
  appendSeconds: Histogram<string>;
  /** Counts one HTTP response by method, route pattern and status code (an onResponse hook). */
  response(request: FastifyRequest, reply: FastifyReply): void;
}

/** The `route` label of a request that matched no route (a 404, or refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * prom-client's gauges of the totals of `nodejs_active_handles`, `_requests` and `_resources`
 * (by type). Prometheus reserves `_total` for counters and `promtool check metrics` rejects
 * them; each is the sum of the family beside it (`sum without (type) (nodejs_active_handles)`),
 * so they are dropped rather than renamed into a second series of the same number.
 */
const REDUNDANT_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export function createMetrics(ctx: AppContext): NodeMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ node: ctx.config.nodeId });
  collectDefaultMetrics({ register: registry });
  for (const name of REDUNDANT_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  const readers = () => ctx.projections.readers;

  const votes = new Counter({
    name: 'votestream_votes_total',
    help: 'Votes by result: 201 appended, 200 replayed voteId, 4xx refused, 503 not stored',
    labelNames: ['status'],
    registers: [registry],
  });
  const appendSeconds = new Histogram({
    name: 'votestream_append_seconds',
    help: 'POST /votes: from the handler to the receipt (durable when durability is replica)',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [registry],
  });
  const finalizeSeconds = new Histogram({
    name: 'votestream_finalize_seconds',
    help: "From a vote's XADD to this node folding the marker that commits it",
    buckets: [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'votestream_fold_lag_entries',
    help: "Entries in the shard's chain that this node has not folded yet",
    labelNames: ['shard'],
    registers: [registry],
    async collect() {
      const { client, prefix } = ctx.target;
      await Promise.all(
        readers().map(async (r) => {
          // A head Redis could not give (an outage: see votestream_redis_ready) leaves the
          // sample out.
          const head = await headSeq(client, prefix, r.shard);
          if (head !== null)
            this.set({ shard: String(r.shard) }, Math.max(0, head - r.state.appliedSeq));
        }),
      );
    },
  });
  new Gauge({
    name: 'votestream_committed_seq',
    help: "The shard's committed seq in this node's fold: the last chain entry a commit marker covers",
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      for (const r of readers()) this.set({ shard: String(r.shard) }, r.state.committedSeq);
    },
  });
  new Gauge({
    name: 'votestream_uncommitted_entries',
    help: 'Chain entries of the shard this node has folded that no commit marker covers yet (pending votes): with votestream_committed_seq standing still, commits are stalled',
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      for (const r of readers())
        this.set(
          { shard: String(r.shard) },
          Math.max(0, r.state.appliedSeq - r.state.committedSeq),
        );
    },
  });
  new Gauge({
    name: 'votestream_chain_breaks',
    help: 'Chain breaks this node met since it started, by shard',
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      for (const r of readers()) this.set({ shard: String(r.shard) }, r.breaks);
    },
  });
  new Gauge({
    name: 'votestream_shard_broken',
    help: '1 while the shard log itself is broken (the same break after a full refold)',
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      for (const r of readers()) this.set({ shard: String(r.shard) }, r.broken ? 1 : 0);
    },
  });
  new Gauge({
    name: 'votestream_shard_durable',
    help: 'Whether a vote of the shard can be made durable now (1) or not (0: its master has no replica in sync, is unreachable, or its slot is not served; GET /cluster says which)',
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      for (const r of readers()) {
        const { durable } = ctx.durability.shard(r.shard);
        // Left out before the first check, like any sample the node cannot give.
        if (durable !== null) this.set({ shard: String(r.shard) }, durable ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'votestream_snapshot_age_seconds',
    help: "Seconds since the shard's last snapshot was written (absent before the first)",
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      for (const r of readers()) {
        if (r.snapshotAt !== undefined)
          this.set({ shard: String(r.shard) }, (Date.now() - r.snapshotAt) / 1000);
      }
    },
  });
  new Gauge({
    name: 'votestream_leader_term',
    help: 'The highest leader term this node knows of',
    registers: [registry],
    collect() {
      this.set(coordinatorStatus(ctx.coordinator).term);
    },
  });
  new Gauge({
    name: 'votestream_is_leader',
    help: '1 while this node holds a valid leader lease',
    registers: [registry],
    collect() {
      this.set(ctx.coordinator.isLeader ? 1 : 0);
    },
  });
  new Gauge({
    name: 'votestream_members',
    help: 'Members of the quorum set by liveness, as this node sees them',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const counts: Record<string, number> = { alive: 0, suspect: 0, dead: 0 };
      for (const m of coordinatorStatus(ctx.coordinator).members)
        if (m.member) counts[m.status] = (counts[m.status] ?? 0) + 1;
      for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'votestream_commit_markers',
    help: 'Commit markers this node wrote as leader since it started',
    registers: [registry],
    collect() {
      this.set(ctx.coordinator.committer.markers);
    },
  });
  new Gauge({
    name: 'votestream_redis_ready',
    help: '1 while the node is connected to Redis and can serve writes',
    registers: [registry],
    collect() {
      this.set(ctx.ready() ? 1 : 0);
    },
  });

  const responses = new Counter({
    name: 'votestream_http_responses_total',
    help: 'HTTP responses by method, route pattern (never the raw URL: "unmatched" when no route matched) and status code',
    labelNames: ['method', 'route', 'code'],
    registers: [registry],
  });

  const redisErrors = new Counter({
    name: 'votestream_redis_errors_total',
    help: 'Errors of the Redis connection (failed connects, lost cluster nodes) since start',
    registers: [registry],
  });
  // ioredis emits 'error' on each failed attempt (Cluster: 'node error' per node as well).
  ctx.target.client.on('error', () => redisErrors.inc());
  ctx.target.client.on('node error', () => redisErrors.inc());

  // Time to finalized: remember each folded vote's XADD time until a marker covers it.
  const appended = new Map<number, Map<number, number>>();
  const committed = new Map<number, number>();
  const snapshotSeconds = new Histogram({
    name: 'votestream_snapshot_busy_seconds',
    help: "A periodic snapshot of one shard: the node's thread busy with its digest and serialization (the file write not counted)",
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [registry],
  });
  ctx.projections.on('snapshot', ({ busyMs }: { busyMs: number }) => {
    snapshotSeconds.observe(busyMs / 1000);
  });
  const snapshotFailures = new Counter({
    name: 'votestream_snapshot_failures_total',
    help: 'Snapshots of the shard that could not be written (the node folds on; its next start folds from an older snapshot or from zero)',
    labelNames: ['shard'],
    registers: [registry],
  });
  // Every shard's series from 0, so that a first failure is an increase Prometheus can see.
  for (const r of ctx.projections.readers) snapshotFailures.inc({ shard: String(r.shard) }, 0);
  ctx.projections.on('snapshot-failed', ({ shard }: { shard: number }) => {
    snapshotFailures.inc({ shard: String(shard) });
  });
  ctx.projections.on('batch', (batch: FoldBatch) => {
    let pending = appended.get(batch.shard);
    if (!pending) {
      pending = new Map();
      appended.set(batch.shard, pending);
    }
    for (let i = 0; i < batch.votes.length; i += 2)
      pending.set(batch.votes[i]!, batch.votes[i + 1]!);
    const from = committed.get(batch.shard) ?? 0;
    if (batch.committedSeq <= from) return;
    for (const [seq, at] of pending) {
      if (seq > batch.committedSeq) continue;
      // A marker met in a catch-up finalized its votes before this node read them.
      if (batch.live) finalizeSeconds.observe(Math.max(0, batch.at - at) / 1000);
      pending.delete(seq);
    }
    committed.set(batch.shard, batch.committedSeq);
  });

  return {
    registry,
    vote: (status) => votes.inc({ status: String(status) }),
    appendSeconds,
    response(request, reply) {
      responses.inc({
        method: request.method,
        // The pattern (/polls/:pollId), so the label's values are as few as the routes.
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        code: String(reply.statusCode),
      });
    },
  };
}

/**
 * Counts every response of `app` in `metrics` (votestream_http_responses_total): 429s and 503s
 * of the abuse limits, 404s and framework errors too. Call it on the root instance before the
 * routes are registered, so that every route inherits the hook.
 */
export function countResponses(app: FastifyInstance, metrics: NodeMetrics): void {
  app.addHook('onResponse', async (request, reply) => metrics.response(request, reply));
}

export function metricsRoutes(metrics: NodeMetrics) {
  return async (app: FastifyInstance) => {
    const schema = {
      summary: 'Prometheus metrics',
      tags: ['cluster'],
      response: replies(
        {
          200: [
            'The text exposition format',
            { content: { 'text/plain': { schema: { type: 'string' } } } },
          ],
        },
        [],
        { shed: false },
      ),
    };
    app.get('/metrics', { schema }, async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  };
}
