// One scenario's private world: a Redis Cluster (3 masters, one replica each unless the
// scenario asks for more) and three member nodes (n1, n2, n3) as real processes, on free ports
// in a fresh folder; optionally the redis-server supervisor that `votestream up` runs.
// Everything it starts it stops by pid, on `down` and — synchronously — from an exit hook if
// the runner dies.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterStatus } from '../cluster-nodes.ts';
import { freeBasePort } from '../free-ports.ts';
import { type NodeProcess, type NodeSpec, startNodeProcess } from '../local-nodes.ts';
import { layoutPorts, redisUp } from '../redis-cluster.ts';
import { killClusterSync, redisDown } from '../redis-processes.ts';
import { type RedisSupervisor, superviseRedis } from '../redis-supervisor.ts';
import type { Netns } from './netns.ts';

export const NODE_IDS = ['n1', 'n2', 'n3'] as const;

export interface StageOptions {
  dir: string;
  /** Extra environment per node id (e.g. a clock skew). */
  nodeEnv?: Record<string, Record<string, string>>;
  /** Run this node inside the namespace; Redis then binds the namespace's host address. */
  netns?: { nodeId: string; ns: Netns };
  /** Start this node alone first and wait until it leads, then the others. */
  leaderFirst?: string;
  /** Replicas per master (default 1). */
  redisReplicas?: number;
  /** Run the redis-server supervisor of `votestream up` (ops/redis-supervisor.ts). */
  superviseRedis?: boolean;
  /** Where the supervisor's lines go. */
  log?: (line: string) => void;
}

export interface StagedNode {
  spec: NodeSpec;
  proc: NodeProcess | undefined;
}

const live = new Set<Stage>();
process.once('exit', () => {
  for (const stage of live) stage.killSync();
});

export class Stage {
  readonly nodes = new Map<string, StagedNode>();
  readonly adminToken = randomBytes(18).toString('base64url');
  readonly prefix = `chaos${randomBytes(3).toString('hex')}`;
  seeds = '';
  redisHost = '127.0.0.1';
  redisPorts: number[] = [];
  redisStatus: ClusterStatus | undefined;
  readonly redisDir: string;
  readonly redisReplicas: number;
  /** What the redis-server supervisor said, with performance.now() of each line. */
  readonly supervisorLines: { at: number; line: string }[] = [];
  #supervisor: RedisSupervisor | undefined;
  readonly #o: StageOptions;

  constructor(o: StageOptions) {
    this.#o = o;
    this.redisDir = join(o.dir, 'redis');
    this.redisReplicas = o.redisReplicas ?? 1;
    live.add(this);
  }

  /** Starts Redis, then the nodes, and returns once every node is ready and one leads. */
  async up(): Promise<void> {
    const { dir, netns } = this.#o;
    this.redisHost = netns?.ns.hostAddress ?? '127.0.0.1';
    const port = await freeBasePort(3 * (1 + this.redisReplicas), this.redisHost);
    const layout = {
      host: this.redisHost,
      port,
      masters: 3,
      replicas: this.redisReplicas,
      dir: this.redisDir,
      // The namespace's node reaches Redis over the veth, not loopback.
      ...(netns ? { protectedMode: false } : {}),
    };
    this.redisPorts = layoutPorts(layout);
    const { status } = await redisUp(layout);
    this.redisStatus = status;
    this.seeds = status.masters.map((m) => m.address).join(',');
    if (this.#o.superviseRedis) {
      this.#supervisor = superviseRedis(
        { dir: this.redisDir, host: this.redisHost, ports: this.redisPorts },
        (line) => {
          this.supervisorLines.push({ at: performance.now(), line });
          this.#o.log?.(`redis supervisor: ${line}`);
        },
      );
    }
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const httpBase = await freeBasePort(3);
    const shared = {
      VS_REDIS_CLUSTER: this.seeds,
      VS_PREFIX: this.prefix,
      VS_MEMBERS: NODE_IDS.join(','),
      VS_ADMIN_TOKEN: this.adminToken,
      VS_SNAPSHOT_DIR: join(dir, 'snapshots'),
      VS_LOG_LEVEL: 'info',
    };
    for (const [i, nodeId] of NODE_IDS.entries()) {
      const inNs = netns?.nodeId === nodeId;
      this.nodes.set(nodeId, {
        proc: undefined,
        spec: {
          nodeId,
          port: httpBase + i,
          env: { ...shared, ...this.#o.nodeEnv?.[nodeId] },
          output: join(dir, 'logs', `${nodeId}.log`),
          ...(inNs ? { host: netns.ns.nodeAddress, netns: netns.ns.name } : {}),
        },
      });
    }
    const first = this.#o.leaderFirst;
    if (first) {
      await this.start(first);
      await this.waitLeader(10_000, first);
    }
    await Promise.all(NODE_IDS.filter((id) => id !== first).map((id) => this.start(id)));
    await this.waitLeader(10_000);
  }

  url(nodeId: string): string {
    const spec = this.node(nodeId).spec;
    return `http://${spec.host ?? '127.0.0.1'}:${spec.port}`;
  }

  urls(): string[] {
    return NODE_IDS.map((id) => this.url(id));
  }

  node(nodeId: string): StagedNode {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId} in this stage`);
    return node;
  }

  /** Starts (or restarts, same id, port and snapshots) a node; resolves once /health is 200. */
  async start(nodeId: string): Promise<void> {
    const node = this.node(nodeId);
    node.proc = await startNodeProcess(node.spec);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`${node.proc.url}/health`).catch(() => undefined);
      if (res?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`${nodeId} did not become ready`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends a signal to a node's process; SIGKILL also waits until it is gone. */
  async signal(nodeId: string, signal: NodeJS.Signals): Promise<void> {
    const proc = this.node(nodeId).proc;
    if (!proc) throw new Error(`${nodeId} is not running`);
    proc.child.kill(signal);
    if (signal === 'SIGKILL') await proc.child;
  }

  /** Graceful stop: SIGTERM (the node resigns, snapshots, closes Redis), SIGKILL after 10 s. */
  async stop(nodeId: string): Promise<void> {
    await this.node(nodeId).proc?.stop(10_000);
  }

  /** The leader as the given (or every) running node sees it; highest term wins. */
  async leader(among: string[] = [...NODE_IDS]): Promise<{ nodeId: string; term: number }> {
    let best: { nodeId: string; term: number } | undefined;
    for (const id of among) {
      try {
        const res = await fetch(`${this.url(id)}/cluster`, { signal: AbortSignal.timeout(1000) });
        const view = (await res.json()) as { leader: { nodeId: string; term: number } | null };
        if (view.leader && (!best || view.leader.term > best.term)) best = view.leader;
      } catch {
        // Down or paused: the others answer.
      }
    }
    if (!best) throw new Error('no node names a leader');
    return { nodeId: best.nodeId, term: best.term };
  }

  async waitLeader(timeoutMs: number, among?: string): Promise<{ nodeId: string; term: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.leader(among ? [among] : undefined);
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stops every node (resuming paused ones first), then the Redis servers. */
  async down(): Promise<void> {
    await this.#supervisor?.stop();
    for (const node of this.nodes.values()) node.proc?.child.kill('SIGCONT');
    await Promise.all([...this.nodes.values()].map((n) => n.proc?.stop(5_000)));
    await redisDown({ dir: this.redisDir });
    live.delete(this);
  }

  /** Exit-hook teardown: SIGKILL by pid, nothing asynchronous. */
  killSync(): void {
    for (const node of this.nodes.values()) node.proc?.child.kill('SIGKILL');
    killClusterSync(this.redisDir);
  }
}
