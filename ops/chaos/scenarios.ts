// The chaos scenarios: one object each, with its faults on a schedule. `at` is a fraction of
// the load's duration, counted from the load's first commit, so a scenario scales with
// --duration; each fault includes its own recovery (restart, SIGCONT, heal).
import type { Fault } from './faults.ts';

export interface Scenario {
  /** Letter of issue 8's list, accepted by --only. */
  id: string;
  name: string;
  /** One line for the report: what is done and what should happen. */
  explains: string;
  faults: { at: number; fault: Fault }[];
  /** Extra environment per node id. */
  nodeEnv?: Record<string, Record<string, string>>;
  /** Runs n3 in a network namespace (skipped where `ip netns` is not allowed). */
  needsNetns?: boolean;
  /** Start this node first and let it lead (so the fault hits the leader). */
  leaderFirst?: string;
  /** Left out of a run unless named in --only (the runner's own check, meant to fail). */
  onlyOnRequest?: boolean;
  /** Replicas per Redis master (default 1). */
  redisReplicas?: number;
  /** Run the redis-server supervisor of `votestream up` beside the cluster. */
  superviseRedis?: boolean;
  /** Connections of the load generator (default 64). */
  loadConnections?: number;
}

// The node defaults (VS_LEASE_MS 2000, VS_HEARTBEAT_MS 250, VS_FAILURE_TIMEOUT_MS 1500,
// Redis cluster-node-timeout 3000) are what these durations are measured against.
export const SCENARIOS: Scenario[] = [
  {
    id: '0',
    name: 'baseline',
    explains:
      'No fault: the same cluster, load and checks, so the other rows can be read against what this machine delivers and how long commits pause when nothing goes wrong.',
    faults: [],
  },
  {
    id: 'a',
    name: 'follower-kill',
    explains:
      'SIGKILL a follower, restart it 5 s later: two of three members keep the quorum, so commits should not stop; the restarted node resumes from its snapshot and catches up.',
    faults: [{ at: 0.25, fault: { kind: 'kill', node: 'follower', restartAfterMs: 5000 } }],
  },
  {
    id: 'b',
    name: 'leader-kill',
    explains:
      'SIGKILL the leader, restart it 5 s later: its lease (2 s) expires, a follower takes a higher term and fences every shard; the old leader comes back as a follower.',
    faults: [{ at: 0.25, fault: { kind: 'kill', node: 'leader', restartAfterMs: 5000 } }],
  },
  {
    id: 'c',
    name: 'leader-pause',
    explains:
      'SIGSTOP the leader for 5 s (past its 2 s lease), then SIGCONT: another member leads with a higher term; the woken process must not write a marker of its old term (the fence refuses it).',
    faults: [{ at: 0.25, fault: { kind: 'pause', node: 'leader', forMs: 5000 } }],
  },
  {
    id: 'd',
    name: 'redis-master-kill',
    explains:
      'SIGKILL the Redis master holding the {ctl} slot (lease, term, heartbeats, acks) and a third of the shards; its replica is promoted after cluster-node-timeout (3 s); the server is restarted by the fault 6 s after the kill and rejoins as a replica. With cluster-require-full-coverage no (the generated redis.conf), only that third of the shards stops taking votes while its master is failed over — the others go on; after the promotion its shards answer 503 until the restarted server has synced (no replica to WAIT on). Commits pause for every shard meanwhile: the lease and the acks live on the {ctl} master. The load retries all of these.',
    faults: [{ at: 0.25, fault: { kind: 'kill-redis-master', restartAfterMs: 6000 } }],
  },
  {
    id: 'e',
    name: 'rolling-restart',
    explains:
      'Restart n1, n2, n3 one after another (SIGTERM: the node stops accepting, drains, resigns if it leads, snapshots; then started again): the leader hands over on its turn.',
    faults: [
      { at: 0.15, fault: { kind: 'restart', node: 'n1' } },
      { at: 0.4, fault: { kind: 'restart', node: 'n2' } },
      { at: 0.65, fault: { kind: 'restart', node: 'n3' } },
    ],
  },
  {
    id: 'f',
    name: 'clock-skew',
    explains:
      'n2 runs with its clock 5 s ahead and n3 5 s behind (VS_CLOCK_SKEW_MS=±5000) for the whole run; the leader is restarted twice so leadership moves, possibly to a skewed node. Leases run on monotonic clocks and poll windows on the cluster clock, so the skew should change nothing.',
    nodeEnv: { n2: { VS_CLOCK_SKEW_MS: '5000' }, n3: { VS_CLOCK_SKEW_MS: '-5000' } },
    faults: [
      { at: 0.25, fault: { kind: 'restart', node: 'leader' } },
      { at: 0.6, fault: { kind: 'restart', node: 'leader' } },
    ],
  },
  {
    id: 'g',
    name: 'partition-leader',
    explains:
      'n3 runs in its own network namespace and is made the leader; its veth link is taken down for 6 s (cut off from Redis and from clients), then brought back: the two others elect a leader with a higher term; n3, healed, follows.',
    needsNetns: true,
    leaderFirst: 'n3',
    faults: [{ at: 0.25, fault: { kind: 'partition', forMs: 6000 } }],
  },
  {
    id: 'h',
    name: 'redis-master-supervised',
    explains:
      "SIGKILL the Redis master holding the {ctl} slot and a third of the shards, and restart nothing by hand: the stage runs the redis-server supervisor that `votestream up` runs (ops/redis-supervisor.ts). Its replica is promoted after cluster-node-timeout (3 s); the supervisor restarts the dead server from its own redis.conf once the promotion is done, and it rejoins as a replica, so that third's votes are acknowledged again a few seconds later (its unavailability). The other shards' votes go on throughout; commits pause while the {ctl} slot moves.",
    superviseRedis: true,
    faults: [{ at: 0.25, fault: { kind: 'kill-redis-master', master: 'ctl' } }],
  },
  {
    id: 'i',
    name: 'redis-master-left-dead',
    explains:
      'SIGKILL a Redis master (not the {ctl} one) with one replica per master and no supervisor, and leave it dead: its replica is promoted but has no replica of its own, so WAIT 1 cannot succeed there and its shards answer 503 NOT_DURABLE for the rest of the load — the unavailability of running without supervision, or with one replica. The other shards are not touched. After the load (so the votes acknowledged before the kill can be committed and checked) the server is restarted by hand and rejoins as a replica.',
    faults: [
      { at: 0.25, fault: { kind: 'kill-redis-master', master: 'other' } },
      { at: 1, fault: { kind: 'restart-dead-redis' } },
    ],
  },
  {
    id: 'j',
    name: 'redis-master-left-dead-2-replicas',
    explains:
      "As i, with two replicas per master (`votestream up --redis-replicas 2`), and the server stays dead to the end: one replica is promoted, the other follows the new master, and WAIT 1 succeeds again without any restart, so the dead master's shards are back after the failover (cluster-node-timeout 3 s, the promotion, the other replica's resync) — that is all one lost server costs.",
    redisReplicas: 2,
    faults: [{ at: 0.25, fault: { kind: 'kill-redis-master', master: 'other' } }],
  },
  {
    id: 'x',
    name: 'self-check',
    explains:
      "Not a fault: one extra vote is cast straight at n1, behind the load generator's back, to show that the checks see a vote the client did not send and the run fails (duplicated 1, exit 1). Only with --only x.",
    onlyOnRequest: true,
    faults: [{ at: 0.5, fault: { kind: 'extra-vote' } }],
  },
];
