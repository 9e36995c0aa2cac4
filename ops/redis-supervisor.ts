// Keeps the local Redis Cluster's servers running for `votestream up` (and the chaos runs that
// play it): a redis-server that ended without shutting down — a crash, a SIGKILL, the OOM
// killer; its pid file is left behind — is started again from its own redis.conf and rejoins
// as a replica. The servers are daemons, not children of this process, so it watches their
// pid files rather than a child handle. A server shut down on purpose (SHUTDOWN, SIGTERM,
// `votestream redis down`: its pid file is removed, or the folder is marked stopped) is left
// alone, as is everything once `stop()` was called.
//
// A dead master is restarted only once its replica serves its slots: started sooner, it
// would come back as the master of its slots from its own AOF, and its replica — which may
// hold writes that WAIT confirmed — would resync from it.
import type { ClusterStatus } from './cluster-nodes.ts';
import { clusterStatus } from './redis-cluster.ts';
import { crashed, ownedPid, restartRedisNode, stoppedOnPurpose } from './redis-processes.ts';

export interface RedisSupervisorOptions {
  /** The cluster's folder (one subfolder per port: redis.conf, redis.pid). */
  dir: string;
  host?: string;
  ports: number[];
  password?: string;
  /** How often the pid files are looked at (ms). */
  pollMs?: number;
  /** How long a dead master's slots may wait for its replica before it is restarted anyway. */
  failoverWaitMs?: number;
}

export interface RedisSupervisor {
  /** Servers restarted so far. */
  readonly restarts: number;
  /** Stops for good: no restart after this; waits for a restart already under way. */
  stop(): Promise<void>;
}

const FIRST_PAUSE_MS = 1000;
const MAX_PAUSE_MS = 30_000;
/** A server that ran this long before it died is healthy again: back to the first pause. */
const HEALTHY_MS = 60_000;

/** Starts watching the servers of `o.ports`; `report` gets one line per stop and restart. */
export function superviseRedis(
  o: RedisSupervisorOptions,
  report: (line: string) => void,
): RedisSupervisor {
  const host = o.host ?? '127.0.0.1';
  const failoverWaitMs = o.failoverWaitMs ?? 30_000;
  const stopped = new AbortController();
  /** Ports seen running, and since when (Date.now()). */
  const runningSince = new Map<number, number>();
  const pauses = new Map<number, number>();
  const recovering = new Map<number, Promise<void>>();
  let restarts = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stopped.signal.removeEventListener('abort', done);
        resolve();
      }
      stopped.signal.addEventListener('abort', done, { once: true });
    });
  const leaveAlone = () => stopped.signal.aborted || stoppedOnPurpose(o.dir);

  /** Until the dead server's slots are someone else's, or nobody can take them. */
  const waitForFailover = async (port: number): Promise<string> => {
    const deadline = Date.now() + failoverWaitMs;
    const others = o.ports.filter((p) => p !== port);
    for (;;) {
      const status = await clusterStatus(host, others, o.password).catch(() => undefined);
      const verdict = status && failoverVerdict(status, port);
      if (verdict) return verdict;
      if (Date.now() > deadline || leaveAlone())
        return `its slots found no other master in ${failoverWaitMs / 1000} s`;
      await sleep(250);
    }
  };

  const recover = async (port: number, ranMs: number): Promise<void> => {
    let pause = ranMs > HEALTHY_MS ? FIRST_PAUSE_MS : (pauses.get(port) ?? FIRST_PAUSE_MS);
    const diedAt = Date.now();
    report(
      `redis-server ${port} stopped without shutting down (a crash or a kill); restarting it once its replica serves its slots`,
    );
    const why = await waitForFailover(port);
    for (;;) {
      await sleep(pause);
      if (leaveAlone()) return;
      if (ownedPid(o.dir, port) !== undefined) {
        report(`redis-server ${port} was started by someone else meanwhile`);
        return;
      }
      pause = Math.min(2 * pause, MAX_PAUSE_MS);
      pauses.set(port, pause);
      try {
        await restartRedisNode(o.dir, port);
        restarts++;
        runningSince.set(port, Date.now());
        report(
          `redis-server ${port} restarted ${((Date.now() - diedAt) / 1000).toFixed(1)} s after it died (${why}); it rejoins as a replica`,
        );
        return;
      } catch (error) {
        report(
          `redis-server ${port} did not start (${(error as Error).message}); retrying in ${pause / 1000} s`,
        );
      }
    }
  };

  const check = () => {
    if (stopped.signal.aborted) return;
    for (const port of o.ports) {
      if (recovering.has(port)) continue;
      if (ownedPid(o.dir, port) !== undefined) {
        if (!runningSince.has(port)) runningSince.set(port, Date.now());
        continue;
      }
      const since = runningSince.get(port);
      // Never seen running: not this supervisor's to start.
      if (since === undefined) continue;
      runningSince.delete(port);
      if (stoppedOnPurpose(o.dir) || !crashed(o.dir, port)) {
        report(`redis-server ${port} was shut down; not restarting it`);
        continue;
      }
      const job = recover(port, Date.now() - since).finally(() => recovering.delete(port));
      recovering.set(port, job);
    }
  };
  check();
  const timer = setInterval(check, o.pollMs ?? 250);
  timer.unref();

  return {
    get restarts() {
      return restarts;
    },
    async stop() {
      clearInterval(timer);
      stopped.abort();
      await Promise.all(recovering.values());
    },
  };
}

/**
 * Whether the dead server on `port` may be started again, by the cluster's view from the
 * others: yes (and why) when it serves no slots (a replica, or a master already failed over)
 * or when no live replica could take them over; undefined while its replica may still do so.
 */
export function failoverVerdict(status: ClusterStatus, port: number): string | undefined {
  const self = status.masters.find((m) => m.port === port);
  if (!self) return 'it was a replica';
  if (self.slots === 0) return 'its replica took over its slots';
  const heirs = status.replicas.filter((r) => r.masterId === self.id && !r.failed);
  if (heirs.length === 0) return 'no replica could take over its slots';
  return undefined;
}
