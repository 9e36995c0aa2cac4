// `votestream up` (= `npm start`): a local Redis Cluster (unless VS_REDIS_CLUSTER or
// VS_REDIS_URL points elsewhere) and --nodes member nodes, restarted when they die — the
// nodes and the local redis-servers; Ctrl-C stops the nodes gracefully, then the Redis it
// started.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { type SupervisedNode, superviseNode } from '../../ops/node-supervisor.ts';
import { layoutPorts, redisDown, redisUp } from '../../ops/redis-cluster.ts';
import { type RedisSupervisor, superviseRedis } from '../../ops/redis-supervisor.ts';
import { loadConfig } from '../config.ts';

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
      const base = loadConfig();
      const redisDir = join(flags.dir, 'redis');
      let seeds = base.redisCluster.map((s) => `${s.host}:${s.port}`).join(',');
      let startedRedis = false;
      let redisSupervisor: RedisSupervisor | undefined;
      if (!seeds && !base.redisUrl) {
        const replicas = Number(flags.redisReplicas);
        if (!Number.isInteger(replicas) || replicas < 0 || replicas > 5)
          throw new RangeError('--redis-replicas must be 0 to 5');
        const layout = {
          port: Number(flags.redisPort),
          masters: 3,
          replicas,
          dir: redisDir,
          // With VS_REDIS_PASSWORD set, the local cluster requires it (the nodes inherit it).
          password: base.redisPassword,
        };
        const { alreadyRunning, status } = await redisUp(layout);
        startedRedis = !alreadyRunning;
        seeds = status.masters.map((m) => m.address).join(',');
        console.log(
          `Redis Cluster ${alreadyRunning ? 'already running' : 'started'}: ${seeds} (3 masters, ${3 * replicas} replicas)`,
        );
        // A redis-server that dies is started again too, and rejoins as a replica.
        redisSupervisor = superviseRedis(
          { dir: redisDir, ports: layoutPorts(layout), password: layout.password },
          (line) => console.log(line),
        );
      }
      const adminToken = base.adminToken ?? randomBytes(18).toString('base64url');
      // Shared by every node, so token polls work locally; `votestream tokens` asks a node for
      // tokens with the admin token, so nobody needs to see this one.
      const voterSecret = base.voterSecret ?? randomBytes(32).toString('base64url');
      const logDir = join(flags.dir, 'logs');
      mkdirSync(logDir, { recursive: true });
      const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
      const env: Record<string, string> = {
        ...(seeds ? { VS_REDIS_CLUSTER: seeds } : {}),
        VS_MEMBERS: ids.join(','),
        VS_ADMIN_TOKEN: adminToken,
        VS_VOTER_SECRET: voterSecret,
        VS_SNAPSHOT_DIR: join(flags.dir, 'snapshots'),
      };
      const nodes: SupervisedNode[] = [];
      const stopAll = async () => {
        await Promise.all(nodes.map((n) => n.stop()));
        // Before redisDown: a server being stopped must not be taken for a crashed one.
        await redisSupervisor?.stop();
        if (startedRedis) await redisDown({ dir: redisDir });
      };
      try {
        for (const [i, nodeId] of ids.entries()) {
          const output = join(logDir, `${nodeId}.log`);
          const spec = { nodeId, port: port + i, env, output };
          // A node that dies is started again, as a process manager would in production.
          nodes.push(await superviseNode(spec, (line) => console.log(line)));
          console.log(`node ${nodeId}: ${nodes[i]!.url}  (log: ${output})`);
        }
      } catch (error) {
        await stopAll();
        throw error;
      }
      console.log(`dashboard: ${nodes[0]!.url}/  (every node serves it)`);
      console.log(`API and cluster view: ${nodes[0]!.url}/cluster`);
      console.log(`admin token: ${base.adminToken ? '(VS_ADMIN_TOKEN)' : adminToken}`);
      console.log(`leader: ${await leaderOf(nodes[0]!.url)}`);
      console.log('Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      console.log('stopping nodes…');
      await stopAll();
      console.log('stopped');
      process.exit(0);
    });
}

async function leaderOf(url: string): Promise<string> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      const view = (await (await fetch(`${url}/cluster`)).json()) as {
        leader?: { nodeId: string; term: number };
      };
      if (view.leader) return `${view.leader.nodeId} (term ${view.leader.term})`;
    } catch {
      // Not ready yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return 'none yet (see /cluster)';
}
