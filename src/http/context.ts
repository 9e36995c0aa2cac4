// What the HTTP layer needs from a running node. The node (src/node.ts) builds it.

import type { Coordinator } from '../cluster/coordinator.ts';
import type { DurabilityWatch } from '../cluster/shard-durability.ts';
import type { Config } from '../config.ts';
import type { Appender } from '../log/append-vote.ts';
import type { PollCatalogue } from '../log/poll-catalogue.ts';
import type { Projections } from '../log/projections.ts';
import type { LogTarget } from '../log/redis-client.ts';
import type { Logger } from '../logger.ts';

export interface AppContext {
  config: Config;
  log: Logger;
  target: LogTarget;
  appender: Appender;
  catalogue: PollCatalogue;
  /** The node's projection of every shard. */
  projections: Projections;
  /** Heartbeats, membership, leadership, commits. */
  coordinator: Coordinator;
  /** Per shard: can a vote be made durable now, and why not. */
  durability: DurabilityWatch;
  /** The cluster clock, epoch ms. */
  now(): number;
  /** Whether the node can serve writes (Redis connected, durability resolved, shard count
   * checked against the log). */
  ready(): boolean;
  /** Why the node serves no request although Redis answers (its shard count is not checked
   * yet, or differs from the log's: shard-count-gate.ts); undefined when it serves. */
  notServing?(): string | undefined;
}
