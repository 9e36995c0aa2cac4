// One votestream node: Redis connections, the appender, the poll catalogue and the HTTP API.
import type { FastifyInstance } from 'fastify';
import { AppliedProgress } from './cluster/applied-progress.ts';
import { Coordinator } from './cluster/coordinator.ts';
import { ClusterClock } from './cluster/heartbeats.ts';
import { DurabilityWatch } from './cluster/shard-durability.ts';
import type { Config, ConfigError } from './config.ts';
import { type BuildOptions, build } from './http/app.ts';
import type { AppContext } from './http/context.ts';
import { describeOpenRequest, trackOpenRequests } from './http/open-requests.ts';
import { Appender } from './log/append-vote.ts';
import { PollCatalogue } from './log/poll-catalogue.ts';
import { Projections } from './log/projections.ts';
import {
  checkCredentials,
  connectRedis,
  dedicatedConnection,
  hasReplicas,
  isReady,
  type LogTarget,
} from './log/redis-client.ts';
import { ShardCountWatch } from './log/shard-count.ts';
import type { Logger } from './logger.ts';
import { type AbandonedStep, StopDeadline } from './stop-deadline.ts';

/** How often VS_DURABILITY=auto looks for a replica again while it has seen none (ms). */
const AUTO_DURABILITY_RECHECK_MS = 1000;
/** While the shard count is unchecked (Redis did not answer at start), how often to try again. */
const SHARD_COUNT_RECHECK_MS = 1000;

export interface RunningNode {
  app: FastifyInstance;
  ctx: AppContext;
  /** http://host:port the node listens on (after listen). */
  url: string;
  /**
   * Stops accepting, finishes in-flight requests, resigns, snapshots, closes Redis — within
   * `deadline` (default: a new one of VS_STOP_TIMEOUT_MS). Never waits past it and never
   * rejects: what it could not do is in the result (and logged as `stop_abandoned`).
   */
  close(deadline?: StopDeadline): Promise<NodeStopOutcome>;
}

export interface NodeStopOutcome {
  /** True when every step finished: nothing was abandoned. */
  clean: boolean;
  abandoned: AbandonedStep[];
}

export interface StartOptions extends BuildOptions {
  /** Bind the HTTP port (default true); false builds the app only (tests use inject). */
  listen?: boolean;
  /**
   * Called once when the node finds, after it started, that it must not run: its shard count
   * differs from the log's (a ConfigError), checked only once Redis answered. The node then
   * serves nothing but /health and /metrics and folds nothing; `votestream node` stops it with
   * exit 2. Default: only that (and the error is logged).
   */
  onFatal?: (error: ConfigError) => void;
}

/**
 * Starts a node. With `listen: false` the app is built but not bound (tests use inject);
 * `observeReply` sees every reply (the contract test's recorder; see BuildOptions).
 * @throws ConfigError when Redis answers and the log's shard count is not VS_SHARDS.
 */
export async function startNode(
  config: Config,
  log: Logger,
  { listen = true, observeReply, onFatal = () => {} }: StartOptions = {},
): Promise<RunningNode> {
  const client = connectRedis(config, log.child({ component: 'redis' }));
  // A node that would put voters in other shards than the rest must not start. A Redis that
  // does not answer yet cannot be asked: the node starts anyway (it answers 503 until Redis
  // is back) but takes no request and folds nothing until it has checked (ShardCountWatch).
  const shardCount = new ShardCountWatch(
    client,
    config.prefix,
    config.shards,
    log.child({ component: 'shards' }),
  );
  try {
    await checkCredentials(client);
    await shardCount.checkAtStart();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  const target: LogTarget = {
    client,
    prefix: config.prefix,
    shards: config.shards,
    durable: config.durability === 'replica',
    waitTimeoutMs: config.waitTimeoutMs,
  };
  let resolved = config.durability !== 'auto';
  // VS_DURABILITY=auto: local until the cluster shows a replica, replica from then on, never
  // back (a replica lost later makes its master's shards refuse votes, as with `replica`). It
  // is looked at again every second while local: a cluster just created may not list its
  // replicas yet, and a node that looked once then acknowledged every vote unreplicated for
  // good (the cause of cluster/no-replica's rare failures).
  let watching = config.durability === 'auto';
  let looking: Promise<void> | undefined;
  // One look at a time; a caller while one is on its way waits for that one.
  const resolveDurability = (): Promise<void> =>
    (looking ??= lookForReplicas().finally(() => {
      looking = undefined;
    }));
  const lookForReplicas = async () => {
    if (!watching || !isReady(client)) return;
    try {
      const replicas = await hasReplicas(client);
      if (!resolved || replicas !== target.durable)
        log.info(
          { event: 'durability', durability: replicas ? 'replica' : 'local' },
          'durability resolved',
        );
      target.durable = replicas;
      resolved = true;
      if (replicas) watching = false;
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not read replication state yet');
    }
  };
  client.on('ready', () => void resolveDurability());
  const durabilityWatch = setInterval(() => void resolveDurability(), AUTO_DURABILITY_RECHECK_MS);
  durabilityWatch.unref();
  const catalogue = new PollCatalogue(client, config.prefix, log.child({ component: 'catalogue' }));
  const reader = dedicatedConnection(client);
  reader.on('error', () => {
    // The catalogue reader logs its own failures and retries.
  });
  catalogue.follow(reader);

  const projections = new Projections({
    client,
    prefix: config.prefix,
    shards: config.shards,
    nodeId: config.nodeId,
    snapshotDir: config.snapshotDir,
    snapshotMs: config.snapshotMs,
    log: log.child({ component: 'fold' }),
  });
  const progress = new AppliedProgress(
    client,
    config.prefix,
    config.nodeId,
    projections,
    log.child({ component: 'progress' }),
  );

  const clock = new ClusterClock(config.clockSkewMs);
  let url = '';
  const coordinator = new Coordinator({
    config,
    client,
    target,
    projections,
    catalogue,
    clock,
    log: log.child({ component: 'cluster' }),
    address: () => url,
  });

  const durability = new DurabilityWatch(target);
  target.onWait = (shards, replicas) => durability.noteWait(shards, replicas);
  target.cannotReplicate = (shard) => durability.cannotReplicate(shard);
  const ctx: AppContext = {
    config,
    log,
    target,
    appender: new Appender(target, log.child({ component: 'append' })),
    catalogue,
    projections,
    coordinator,
    durability,
    now: () => clock.now(),
    ready: () => isReady(client) && resolved && shardCount.checked,
    notServing: () => {
      if (shardCount.mismatch) return `this node cannot serve: ${shardCount.mismatch.message}`;
      if (!shardCount.checked)
        return 'this node has not yet checked its shard count against the log (Redis did not answer when it started); retry (on another node)';
      return undefined;
    },
  };
  const app = build(ctx, { observeReply });
  const openRequests = trackOpenRequests(app);
  await resolveDurability();
  if (listen) {
    url = await app.listen({ host: config.httpHost, port: config.httpPort });
    log.info(
      { event: 'listening', url, nodeId: config.nodeId },
      `votestream node ${config.nodeId} listening on ${url}`,
    );
  } else {
    await app.ready();
  }
  // The fold, its progress reports and the heartbeats start once the shard count is checked.
  let working = false;
  const startWork = () => {
    working = true;
    projections.start();
    progress.start();
    coordinator.start();
  };
  if (shardCount.checked) startWork();
  else shardCount.start(startWork, onFatal, SHARD_COUNT_RECHECK_MS);
  durability.start();
  return {
    app,
    ctx,
    url,
    async close(deadline = new StopDeadline(config.stopTimeoutMs)) {
      // Each step that waits on a client, Redis or the disk gets what is left of the budget;
      // a Redis write is not even tried while Redis is away (it would only sit in the queue).
      const redisAway = (step: string, what: string) => {
        if (isReady(client)) return false;
        deadline.abandon(step, `Redis is unavailable: ${what}`);
        return true;
      };
      // Requests get half the budget at most, so that resigning and snapshotting keep theirs.
      const drained = await deadline.step('finish in-flight requests', () => app.close(), {
        capMs: deadline.remainingMs / 2,
        detail: () => {
          const open = openRequests.list();
          return `${open.length} still open, cut off: ${open.map(describeOpenRequest).join(', ')}`;
        },
      });
      if (!drained) app.server.closeAllConnections();
      shardCount.stop();
      clearInterval(durabilityWatch);
      durability.stop();
      coordinator.halt();
      coordinator.view.stop();
      await Promise.all([
        coordinator.role === 'leader' &&
        !redisAway('resign leadership', 'the lease expires by itself within VS_LEASE_MS')
          ? deadline.step('resign leadership', () => coordinator.resign(), {
              detail: () => 'Redis did not answer; the lease expires by itself within VS_LEASE_MS',
            })
          : coordinator.resign({ locally: true }),
        deadline.step('stop folding and write snapshots', () => projections.stop()),
      ]);
      progress.stop();
      // A node that never started its fold (its shard count unchecked) has nothing to report.
      if (
        working &&
        progress.unpublished &&
        !redisAway('publish fold progress', 'the last Applied entry is not written')
      )
        await deadline.step('publish fold progress', () => progress.publishLast());
      catalogue.stop();
      // QUIT lets Redis finish this client's replies; past the budget, just drop the sockets.
      if (!isReady(client) || !(await quitWithin(client, deadline.remainingMs)))
        client.disconnect();
      for (const { step, reason } of deadline.abandoned)
        log.warn({ event: 'stop_abandoned', step, reason }, `stop: gave up "${step}": ${reason}`);
      return { clean: deadline.clean, abandoned: deadline.abandoned };
    },
  };
}

/** QUIT within `ms`: true when Redis answered. */
async function quitWithin(client: LogTarget['client'], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const answered = await Promise.race([
    client.quit().then(
      () => true,
      () => false,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return answered;
}
