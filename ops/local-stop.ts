// How `votestream up` stops what it started, within its own bound (VS_STOP_TIMEOUT_MS): its
// nodes were given NODE_SHARE of the bound for their own stop; any still running at KILL_AT
// is killed by pid; the Redis servers it started get the rest (SIGTERM, then SIGKILL by pid).
import type { SupervisedNode } from './node-supervisor.ts';
import { describeKill, killClusterSync, redisDown } from './redis-processes.ts';
import type { RedisSupervisor } from './redis-supervisor.ts';

/** Share of up's bound that its nodes get as their own VS_STOP_TIMEOUT_MS. */
export const NODE_SHARE = 0.6;
/** Share of up's bound after which a node that has not exited is killed. */
export const KILL_AT = 0.75;
/** Share of up's bound by which its Redis servers must be gone. */
const REDIS_BY = 0.95;

export interface LocalCluster {
  nodes: SupervisedNode[];
  /** The folder of the Redis Cluster that up started; undefined when it uses another Redis. */
  redisDir: string | undefined;
  /** What restarts up's redis-servers when they die: stopped first, so a stop is no crash. */
  redisSupervisor?: RedisSupervisor;
  /** Where each node's log is, to point at when it stopped uncleanly. */
  logOf(nodeId: string): string;
}

/**
 * Stops the nodes, then Redis, within `boundMs`; reports each thing it had to give up or
 * kill. Resolves true when everything stopped cleanly by itself.
 */
export async function stopLocalCluster(
  { nodes, redisDir, redisSupervisor, logOf }: LocalCluster,
  boundMs: number,
  report: (line: string) => void,
): Promise<boolean> {
  const started = performance.now();
  // No restart from here on; one under way is not waited for (redisDown stops what it starts:
  // the folder is marked stopped before any signal, and the supervisor leaves it alone).
  void redisSupervisor?.stop();
  let clean = true;
  const graceMs = Math.round(boundMs * KILL_AT);
  const exits = await Promise.all(nodes.map((n) => n.stop(graceMs)));
  for (const exit of exits) {
    if (!exit.wasRunning) continue;
    if (exit.killed) {
      clean = false;
      report(
        `node ${exit.nodeId} did not stop within ${graceMs} ms: killed (SIGKILL, pid ${exit.pid})`,
      );
    } else if (exit.exitCode !== 0) {
      clean = false;
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.exitCode}`;
      report(
        `node ${exit.nodeId} stopped uncleanly (${how}); what it gave up: "stop_abandoned" and "stop_forced" in ${logOf(exit.nodeId)}`,
      );
    }
  }
  if (redisDir) {
    const left = boundMs * REDIS_BY - (performance.now() - started);
    await redisDown(
      { dir: redisDir },
      {
        graceMs: Math.max(0, left),
        onKilled: (killed) => {
          clean = false;
          for (const server of killed) report(describeKill(server));
        },
      },
    );
  }
  return clean;
}

/** The last resort (a second signal, the bound passed): SIGKILL by pid, now. */
export function killLocalCluster({ nodes, redisDir, redisSupervisor }: LocalCluster): void {
  void redisSupervisor?.stop();
  for (const node of nodes) {
    const pid = node.current().child.pid;
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (redisDir) killClusterSync(redisDir);
}
