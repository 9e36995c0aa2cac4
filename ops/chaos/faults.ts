// The faults a scenario injects, each with its own recovery (restart, SIGCONT, heal), run by
// pid through the stage: node processes get signals, Redis servers get SIGKILL and are
// restarted from their own redis.conf.
import calculateSlot from 'cluster-key-slot';
import { controlKeys } from '../../src/log/keys.ts';
import { clusterStatus } from '../redis-cluster.ts';
import { crashed, ownedProcesses, restartRedisNode } from '../redis-processes.ts';
import type { Netns } from './netns.ts';
import { NODE_IDS, type Stage } from './stage.ts';

/** Which node a fault hits: the leader or a follower at the moment of injection, or by id. */
export type NodeTarget = 'leader' | 'follower' | (typeof NODE_IDS)[number];

export type Fault =
  | { kind: 'kill'; node: NodeTarget; restartAfterMs: number }
  | { kind: 'pause'; node: NodeTarget; forMs: number }
  | { kind: 'restart'; node: NodeTarget }
  /**
   * SIGKILL a Redis master: the {ctl} slot's (default) or another; restarted by the fault after
   * `restartAfterMs`, or left dead (for a supervisor, or for nobody).
   */
  | { kind: 'kill-redis-master'; master?: 'ctl' | 'other'; restartAfterMs?: number }
  /** Restart every redis-server of the stage that died without shutting down. */
  | { kind: 'restart-dead-redis' }
  | { kind: 'partition'; forMs: number }
  /** Not a fault of the system: a vote the load generator never sent, to prove the checks fail. */
  | { kind: 'extra-vote' };

/** What happened when a fault was injected, for the report and the leader measurements. */
export interface Injection {
  fault: Fault;
  /** performance.now() at the moment of the signal or link change. */
  at: number;
  /** The node (or Redis port) it hit. */
  hit: string;
  leaderBefore: { nodeId: string; term: number };
  hitLeader: boolean;
}

export interface FaultContext {
  stage: Stage;
  netns?: { nodeId: string; ns: Netns };
  log: (line: string) => void;
}

/** Injects one fault, waits out its duration and recovers; resolves once recovered. */
export async function injectFault(fault: Fault, c: FaultContext): Promise<Injection> {
  const { stage, log } = c;
  const leaderBefore = await stage.leader();
  const pick = (t: NodeTarget) =>
    t === 'leader'
      ? leaderBefore.nodeId
      : t === 'follower'
        ? NODE_IDS.find((id) => id !== leaderBefore.nodeId)!
        : t;
  const record = (hit: string): Injection => ({
    fault,
    at: performance.now(),
    hit,
    leaderBefore,
    hitLeader: hit === leaderBefore.nodeId,
  });
  switch (fault.kind) {
    case 'kill': {
      const id = pick(fault.node);
      const injection = record(id);
      await stage.signal(id, 'SIGKILL');
      log(`SIGKILL ${id} (leader was ${leaderBefore.nodeId}, term ${leaderBefore.term})`);
      await sleep(fault.restartAfterMs);
      await stage.start(id);
      log(`restarted ${id}`);
      return injection;
    }
    case 'pause': {
      const id = pick(fault.node);
      const injection = record(id);
      await stage.signal(id, 'SIGSTOP');
      log(`SIGSTOP ${id} for ${fault.forMs} ms (leader was ${leaderBefore.nodeId})`);
      try {
        await sleep(fault.forMs);
      } finally {
        await stage.signal(id, 'SIGCONT');
      }
      log(`SIGCONT ${id}`);
      return injection;
    }
    case 'restart': {
      const id = pick(fault.node);
      const injection = record(id);
      await stage.stop(id);
      log(`stopped ${id} gracefully (SIGTERM; leader was ${leaderBefore.nodeId})`);
      await stage.start(id);
      log(`restarted ${id}`);
      return injection;
    }
    case 'kill-redis-master': {
      const which = fault.master ?? 'ctl';
      const port = await masterPort(stage, which);
      const victim = ownedProcesses(stage.redisDir).find((p) => p.port === port);
      if (!victim) throw new Error(`no running redis-server on port ${port}`);
      const injection = record(`redis:${port}`);
      process.kill(victim.pid, 'SIGKILL');
      log(
        `SIGKILL redis-server ${port} (${which === 'ctl' ? 'the master of the {ctl} slot' : 'a master without the {ctl} slot'})`,
      );
      if (fault.restartAfterMs === undefined) {
        log(`redis-server ${port} is left dead`);
        return injection;
      }
      await sleep(fault.restartAfterMs);
      await restartRedisNode(stage.redisDir, port);
      log(`restarted redis-server ${port}`);
      await waitForReplicas(stage, 3 * stage.redisReplicas, 30_000);
      log('every master has its synced replicas again');
      return injection;
    }
    case 'restart-dead-redis': {
      const dead = stage.redisPorts.filter((port) => crashed(stage.redisDir, port));
      const injection = record(dead.map((p) => `redis:${p}`).join(',') || 'redis: none dead');
      for (const port of dead) {
        await restartRedisNode(stage.redisDir, port);
        log(`restarted redis-server ${port}, which was left dead`);
      }
      await waitForReplicas(stage, 3 * stage.redisReplicas, 30_000);
      log('every master has its synced replicas again');
      return injection;
    }
    case 'extra-vote': {
      const url = stage.url('n1');
      const { polls } = (await (await fetch(`${url}/polls`)).json()) as { polls: { id: string }[] };
      const pollId = polls[0]?.id;
      if (!pollId) throw new Error('no poll to add a vote to');
      const injection = record('n1');
      const res = await fetch(`${url}/votes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pollId, voterId: 'chaos-self-check', choices: ['a'] }),
      });
      log(`cast one vote behind the load generator's back in ${pollId}: ${res.status}`);
      return injection;
    }
    case 'partition': {
      if (!c.netns) throw new Error('the partition fault needs a network namespace');
      const injection = record(c.netns.nodeId);
      await c.netns.ns.cut();
      log(`cut ${c.netns.nodeId} off the network for ${fault.forMs} ms`);
      try {
        await sleep(fault.forMs);
      } finally {
        await c.netns.ns.heal();
      }
      log(`healed ${c.netns.nodeId}'s link`);
      return injection;
    }
  }
}

/**
 * The port of the master serving the {ctl} slot (lease, term and heartbeats live there), or of
 * the first live master that does not.
 */
async function masterPort(stage: Stage, which: 'ctl' | 'other'): Promise<number> {
  const slot = calculateSlot(controlKeys(stage.prefix).lease);
  const status = await clusterStatus(stage.redisHost, stage.redisPorts);
  const servesCtl = (ranges: string[]) =>
    ranges.some((r) => {
      const [a, b] = r.split('-').map(Number) as [number, number | undefined];
      return slot >= a && slot <= (b ?? a);
    });
  const master = status.masters.find(
    (m) => !m.failed && m.slots > 0 && servesCtl(m.ranges) === (which === 'ctl'),
  );
  if (!master)
    throw new Error(`no live master ${which === 'ctl' ? 'serves' : 'without'} slot ${slot}`);
  return master.port;
}

async function waitForReplicas(stage: Stage, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await clusterStatus(stage.redisHost, stage.redisPorts).catch(() => undefined);
    if (status && status.replicas.filter((r) => r.link === 'up' && !r.failed).length === count)
      return;
    if (Date.now() > deadline) throw new Error(`the replicas did not all sync in ${timeoutMs} ms`);
    await sleep(200);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
