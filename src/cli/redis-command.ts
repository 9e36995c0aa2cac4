// `votestream redis up|down|status`: the local Redis Cluster.
import { Command, Option } from 'commander';
import type { ClusterStatus } from '../../ops/cluster-nodes.ts';
import {
  type ClusterLayout,
  clusterStatus,
  layoutPorts,
  redisUp,
} from '../../ops/redis-cluster.ts';
import { redisDown } from '../../ops/redis-processes.ts';
import { loadConfig } from '../config.ts';
import { endQuietlyWhenStdoutCloses } from './closed-stdout.ts';

/** Where `up` keeps the cluster and `down` finds what it started. */
const DIR = '.data/redis';

interface LayoutFlags {
  port: string;
  masters: string;
  replicas: string;
  /** Not for `status`, which reads no folder. */
  dir?: string;
  host: string;
  json?: boolean;
}

export function redisCommand(): Command {
  const redis = new Command('redis').description(
    'Run a local Redis Cluster for votestream (password: VS_REDIS_PASSWORD, if set)',
  );
  // `status` only asks the servers: it has no folder, and its --host is where it asks.
  const withLayout = (cmd: Command, host: string) =>
    cmd
      .addOption(new Option('--port <port>', 'first port of the cluster').default('7000'))
      .addOption(new Option('--masters <n>', 'number of masters').default('3'))
      .addOption(new Option('--replicas <n>', 'replicas per master').default('1'))
      .addOption(new Option('--host <address>', host).default('127.0.0.1'))
      .option('--json', 'print one JSON summary object');
  const withDir = (cmd: Command) =>
    cmd.addOption(new Option('--dir <path>', 'data, pid files and logs').default(DIR));

  withDir(withLayout(redis.command('up'), 'address to bind'))
    .description('start the cluster and wait until every slot and replica is ready')
    .action(async (flags: LayoutFlags) => {
      // `redis up | head -1`: the servers are up; the reader has what it wanted.
      endQuietlyWhenStdoutCloses();
      const layout = toLayout(flags);
      const started = Date.now();
      const { alreadyRunning, status } = await redisUp(layout);
      const seconds = (Date.now() - started) / 1000;
      if (flags.json) {
        print({ alreadyRunning, seconds, seeds: seeds(layout), ...status });
        return;
      }
      console.log(
        alreadyRunning
          ? `Redis Cluster already running on ${seeds(layout)}`
          : `Redis Cluster up in ${seconds.toFixed(1)} s on ${seeds(layout)}`,
      );
      printStatus(status);
      console.log(`\nUse it: VS_REDIS_CLUSTER=${seeds(layout)}`);
    });

  // Only the folder: the pid files in it say which servers to stop, whatever their layout.
  withDir(redis.command('down'))
    .description('stop the servers this --dir started (by their pid files, never by name)')
    .option('--json', 'print one JSON summary object')
    .action(async (flags: { dir: string; json?: boolean }) => {
      const stopped = await redisDown({ dir: flags.dir });
      if (flags.json) print({ stopped });
      else
        console.log(stopped.length ? `stopped ports ${stopped.join(', ')}` : 'nothing was running');
    });

  withLayout(redis.command('status'), 'address of the servers')
    .description('show masters, replicas, slots and replication state')
    .action(async (flags: LayoutFlags) => {
      const layout = toLayout(flags);
      const status = await clusterStatus(flags.host, layoutPorts(layout), layout.password);
      if (flags.json) print(status);
      else printStatus(status);
    });
  return redis;
}

function toLayout(flags: LayoutFlags): ClusterLayout {
  const int = (name: string, value: string, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new RangeError(`--${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
    return n;
  };
  const masters = int('masters', flags.masters, 1, 64);
  const replicas = int('replicas', flags.replicas, 0, 5);
  // Cluster bus ports are port + 10000, so the last node's bus port must fit too.
  const port = int('port', flags.port, 1024, 55535 - masters * (1 + replicas));
  // VS_REDIS_PASSWORD, when set, is required by the servers (requirepass) and used to reach them.
  const { redisPassword } = loadConfig();
  return {
    host: flags.host,
    port,
    masters,
    replicas,
    dir: flags.dir ?? DIR,
    password: redisPassword,
  };
}

function seeds(layout: ClusterLayout): string {
  return layoutPorts(layout)
    .slice(0, layout.masters)
    .map((p) => `${layout.host}:${p}`)
    .join(',');
}

function printStatus(status: ClusterStatus): void {
  console.log(`cluster_state: ${status.state}, slots ok: ${status.slotsOk}/16384`);
  for (const m of status.masters) {
    console.log(
      `  master  ${m.address}  slots ${m.slots} (${m.ranges.join(' ')})  replicas ${m.replicas}${m.failed ? '  FAILED' : ''}`,
    );
  }
  for (const r of status.replicas) {
    console.log(`  replica ${r.address}  of ${r.masterAddress ?? r.masterId}  link ${r.link}`);
  }
}

function print(summary: unknown): void {
  console.log(JSON.stringify(summary));
}
