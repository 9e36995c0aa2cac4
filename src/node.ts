// One votestream node: Redis connections, the appender, the poll catalogue and the HTTP API.
import type { FastifyInstance } from 'fastify';
import { AppliedProgress } from './cluster/applied-progress.ts';
import { Coordinator } from './cluster/coordinator.ts';
import { ClusterClock } from './cluster/heartbeats.ts';
import { DurabilityWatch } from './cluster/shard-durability.ts';
import type { Config } from './config.ts';
import { build } from './http/app.ts';
import type { AppContext } from './http/context.ts';
import { Appender } from './log/append-vote.ts';
import { Folder } from './log/folder.ts';
import { PollCatalogue } from './log/poll-catalogue.ts';
import {
  checkCredentials,
  connectRedis,
  dedicatedConnection,
  hasReplicas,
  isReady,
  type LogTarget,
} from './log/redis-client.ts';
import type { Logger } from './logger.ts';

export interface RunningNode {
  app: FastifyInstance;
  ctx: AppContext;
  /** http://host:port the node listens on (after listen). */
  url: string;
  /** Stops accepting, finishes in-flight requests, closes Redis. */
  close(): Promise<void>;
}

/** Starts a node. With `listen: false` the app is built but not bound (tests use inject). */
export async function startNode(
  config: Config,
  log: Logger,
  { listen = true } = {},
): Promise<RunningNode> {
  const client = connectRedis(config, log.child({ component: 'redis' }));
  await checkCredentials(client).catch((error: Error) => {
    client.disconnect();
    throw error;
  });
  const target: LogTarget = {
    client,
    prefix: config.prefix,
    shards: config.shards,
    durable: config.durability === 'replica',
    waitTimeoutMs: config.waitTimeoutMs,
  };
  let resolved = config.durability !== 'auto';
  const resolveDurability = async () => {
    if (resolved || !isReady(client)) return;
    try {
      target.durable = await hasReplicas(client);
      resolved = true;
      log.info(
        { event: 'durability', durability: target.durable ? 'replica' : 'local' },
        'durability resolved',
      );
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not read replication state yet');
    }
  };
  client.on('ready', () => void resolveDurability());
  const catalogue = new PollCatalogue(client, config.prefix, log.child({ component: 'catalogue' }));
  const reader = dedicatedConnection(client);
  reader.on('error', () => {
    // The catalogue reader logs its own failures and retries.
  });
  catalogue.follow(reader);

  const folder = new Folder({
    client,
    prefix: config.prefix,
    shards: config.shards,
    nodeId: config.nodeId,
    snapshotDir: config.snapshotDir,
    snapshotMs: config.snapshotMs,
    log: log.child({ component: 'fold' }),
  });
  folder.start();
  const progress = new AppliedProgress(
    client,
    config.prefix,
    config.nodeId,
    folder,
    log.child({ component: 'progress' }),
  );
  progress.start();

  const clock = new ClusterClock(config.clockSkewMs);
  let url = '';
  const coordinator = new Coordinator({
    config,
    client,
    target,
    folder,
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
    folder,
    coordinator,
    durability,
    now: () => clock.now(),
    ready: () => isReady(client) && resolved,
  };
  const app = build(ctx);
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
  coordinator.start();
  durability.start();
  return {
    app,
    ctx,
    url,
    async close() {
      await app.close();
      durability.stop();
      await coordinator.stop();
      await folder.stop();
      progress.stop();
      await progress.publish();
      catalogue.stop();
      await client.quit().catch(() => client.disconnect());
    },
  };
}
