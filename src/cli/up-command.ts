// `votestream up` (= `npm start`): a local Redis Cluster (unless VS_REDIS_CLUSTER or
// VS_REDIS_URL points elsewhere) and --nodes member nodes, restarted when they die — the
// nodes and the local redis-servers; Ctrl-C stops the nodes gracefully, then the Redis it
// started, within VS_STOP_TIMEOUT_MS (see ops/local-stop.ts); a second Ctrl-C kills them all
// at once.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import {
  killLocalCluster,
  type LocalCluster,
  NODE_SHARE,
  stopLocalCluster,
} from '../../ops/local-stop.ts';
import { type SupervisedNode, superviseNode } from '../../ops/node-supervisor.ts';
import { layoutPorts, redisUp } from '../../ops/redis-cluster.ts';
import { superviseRedis } from '../../ops/redis-supervisor.ts';
import { VotestreamClient } from '../client/index.ts';
import { loadConfig } from '../config.ts';
import { watchStopSignals } from './stop-signals.ts';

interface UpFlags {
  nodes: string;
  port: string;
  redisPort: string;
  redisReplicas: string;
  dir: string;
}

export function upCommand(): Command {
  return new Command('up')
    .description('run a local Redis Cluster and votestream nodes until Ctrl-C')
    .addOption(new Option('--nodes <n>', 'number of nodes (all members)').default('3'))
    .addOption(
      new Option('--port <port>', 'HTTP port of the first node; the others follow').default('3001'),
    )
    .addOption(
      new Option('--redis-port <port>', 'first port of the local Redis Cluster').default('7000'),
    )
    .addOption(
      new Option(
        '--redis-replicas <n>',
        'replicas per master of the local Redis Cluster (2: losing one costs no availability)',
      ).default('1'),
    )
    .addOption(
      new Option('--dir <path>', 'data folder: redis/, snapshots/, logs/').default('.data'),
    )
    .action(async (flags: UpFlags) => {
      const count = Number(flags.nodes);
      const port = Number(flags.port);
      if (!Number.isInteger(count) || count < 1 || count > 9)
        throw new RangeError('--nodes must be 1 to 9');
      // Checked before anything starts: a bad port found after the Redis Cluster was up
      // stopped it again with a stack trace.
      if (!Number.isInteger(port) || port < 1 || port + count - 1 > 65535)
        throw new RangeError(
          `--port must be a port from 1 to ${65536 - count} (${count} node(s) from it), got ${flags.port}`,
        );
      const redisPort = Number(flags.redisPort);
      // 3 masters with up to 5 replicas each; redis-server also listens on port + 10000.
      if (!Number.isInteger(redisPort) || redisPort < 1 || redisPort + 17 + 10000 > 65535)
        throw new RangeError(
          `--redis-port must be a port from 1 to ${65535 - 17 - 10000}, got ${flags.redisPort}`,
        );
      const base = loadConfig();
      const redisDir = join(flags.dir, 'redis');
      const logDir = join(flags.dir, 'logs');
      const nodes: SupervisedNode[] = [];
      const local: LocalCluster = {
        nodes,
        redisDir: undefined,
        logOf: (nodeId) => join(logDir, `${nodeId}.log`),
      };
      // From here on a signal stops what was started so far; see ops/local-stop.ts.
      const stop = watchStopSignals({
        timeoutMs: base.stopTimeoutMs,
        onForce: (by, signal) => {
          console.error(
            by === 'deadline'
              ? `not stopped within ${base.stopTimeoutMs} ms: killing the nodes and Redis`
              : `second signal (${signal}): killing the nodes and Redis`,
          );
          killLocalCluster(local);
        },
      });
      let seeds = base.redisCluster.map((s) => `${s.host}:${s.port}`).join(',');
      if (!seeds && !base.redisUrl) {
        const replicas = Number(flags.redisReplicas);
        if (!Number.isInteger(replicas) || replicas < 0 || replicas > 5)
          throw new RangeError('--redis-replicas must be 0 to 5');
        const layout = {
          port: redisPort,
          masters: 3,
          replicas,
          dir: redisDir,
          // With VS_REDIS_PASSWORD set, the local cluster requires it (the nodes inherit it).
          password: base.redisPassword,
        };
        const { alreadyRunning, status } = await redisUp(layout);
        if (!alreadyRunning) local.redisDir = redisDir;
        seeds = status.masters.map((m) => m.address).join(',');
        console.log(
          `Redis Cluster ${alreadyRunning ? 'already running' : 'started'}: ${seeds} (3 masters, ${3 * replicas} replicas)`,
        );
        // A redis-server that dies is started again too, and rejoins as a replica.
        local.redisSupervisor = superviseRedis(
          { dir: redisDir, ports: layoutPorts(layout), password: layout.password },
          (line) => console.log(line),
        );
      }
      const adminToken = base.adminToken ?? randomBytes(18).toString('base64url');
      // Shared by every node, so token polls work locally; `votestream tokens` asks a node for
      // tokens with the admin token, so nobody needs to see this one.
      const voterSecret = base.voterSecret ?? randomBytes(32).toString('base64url');
      mkdirSync(logDir, { recursive: true });
      const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
      const env: Record<string, string> = {
        ...(seeds ? { VS_REDIS_CLUSTER: seeds } : {}),
        VS_MEMBERS: ids.join(','),
        VS_ADMIN_TOKEN: adminToken,
        VS_VOTER_SECRET: voterSecret,
        VS_SNAPSHOT_DIR: join(flags.dir, 'snapshots'),
        // Each node's own stop fits in up's bound, before up would kill it.
        VS_STOP_TIMEOUT_MS: String(Math.max(100, Math.round(base.stopTimeoutMs * NODE_SHARE))),
      };
      let signalAt = 0;
      void stop.received.then(() => {
        signalAt = performance.now();
      });
      const stopAll = async () => {
        console.log('stopping nodes…');
        const clean = await stopLocalCluster(
          local,
          base.stopTimeoutMs - (performance.now() - signalAt),
          (line) => console.error(line),
        );
        console.log(clean ? 'stopped' : 'stopped, not cleanly (see above)');
        process.exit(clean ? 0 : 1);
      };
      try {
        for (const [i, nodeId] of ids.entries()) {
          if (stop.signal.aborted) break;
          const output = local.logOf(nodeId);
          const spec = { nodeId, port: port + i, env, output };
          // A node that dies is started again, as a process manager would in production.
          nodes.push(await superviseNode(spec, (line) => console.log(line)));
          console.log(`node ${nodeId}: ${nodes[i]!.url}  (log: ${output})`);
        }
      } catch (error) {
        await stopLocalCluster(local, base.stopTimeoutMs, (line) => console.error(line));
        throw error;
      }
      if (stop.signal.aborted) await stopAll();
      console.log(`dashboard: ${nodes[0]!.url}/  (every node serves it)`);
      console.log(`API and cluster view: ${nodes[0]!.url}/cluster`);
      console.log(`admin token: ${base.adminToken ? '(VS_ADMIN_TOKEN)' : adminToken}`);
      console.log(`leader: ${await leaderOf(nodes[0]!.url, stop.signal)}`);
      console.log('Press Ctrl-C to stop.');
      await stop.received;
      await stopAll();
    });
}

async function leaderOf(url: string, stopping: AbortSignal): Promise<string> {
  const deadline = Date.now() + 5000;
  const client = new VotestreamClient({ nodes: [url], timeoutMs: 1000 });
  try {
    while (Date.now() < deadline && !stopping.aborted) {
      try {
        const view = await client.cluster({ retry: false, signal: stopping });
        if (view.leader) return `${view.leader.nodeId} (term ${view.leader.term})`;
      } catch {
        // Not ready yet.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return 'none yet (see /cluster)';
  } finally {
    await client.close();
  }
}
