// Time to finalized at a steady rate with three member nodes: `votestream load` (open model,
// --verify, --json) against all three, once per request size, then `votestream rebuild
// --compare` over the log those runs left. The tools run as they would for a user.
import { type NodeProcess, startNodeProcess } from '../ops/local-nodes.ts';
import type { LoadSummary } from '../src/tools/load/run.ts';
import { type BenchCluster, freePort, leaderElected, runJsonChild } from './harness.ts';

export interface FinalityRun {
  batch: number;
  /** What was run, with the node URLs and token left out. */
  command: string;
  exitCode: number;
  summary: LoadSummary;
}

export interface RebuildRun {
  command: string;
  exitCode: number;
  entries: number;
  seconds: number;
  entriesPerSecond: number;
  /** Shards whose digest differs from (or cannot be compared with) the node's. */
  mismatches: number;
}

const ADMIN = 'bench-admin-token-0123456789';
const MEMBERS = ['n1', 'n2', 'n3'];

/** Brings up three member nodes on `cluster`, runs the loads and the rebuild, stops the nodes. */
export async function measureFinality(
  cluster: BenchCluster,
  {
    rate,
    seconds,
    batches,
    warmupSeconds,
  }: { rate: number; seconds: number; batches: number[]; warmupSeconds: number },
): Promise<{ runs: FinalityRun[]; rebuild: RebuildRun }> {
  const env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_MEMBERS: MEMBERS.join(','),
    VS_ADMIN_TOKEN: ADMIN,
    VS_LOG_LEVEL: 'warn',
    // Inside the cluster's folder: thrown away with it, never read by a later run.
    VS_SNAPSHOT_DIR: `${cluster.dir}/snapshots`,
  };
  const nodes: NodeProcess[] = [];
  try {
    for (const nodeId of MEMBERS)
      nodes.push(
        await startNodeProcess({ nodeId, port: await freePort(), env, output: 'inherit' }),
      );
    // Otherwise the first votes' time to finalized would include the first election.
    await leaderElected(nodes[0]!.url);
    const targets = nodes.map((n) => n.url).join(',');
    // Fresh node processes spend their first seconds in unoptimized code: a short load at
    // the same rate first, so the measured runs see warmed-up nodes (as in bench/append).
    if (warmupSeconds > 0) {
      const warm = await runJsonChild<LoadSummary>([
        'bin/votestream.js',
        'load',
        '--rate',
        String(rate),
        '--duration',
        `${warmupSeconds}s`,
        '--json',
        '--target',
        targets,
        '--admin-token',
        ADMIN,
      ]);
      if (warm.exitCode !== 0) throw new Error(`warm-up load exited with ${warm.exitCode}`);
    }
    const runs: FinalityRun[] = [];
    for (const batch of batches) {
      const shown = ['load', '--rate', String(rate), '--duration', `${seconds}s`];
      shown.push('--batch', String(batch), '--verify', '--json');
      const { json, exitCode } = await runJsonChild<LoadSummary>([
        'bin/votestream.js',
        ...shown,
        '--target',
        targets,
        '--admin-token',
        ADMIN,
      ]);
      runs.push({
        batch,
        command: `votestream ${shown.join(' ')} --target <the 3 nodes>`,
        exitCode,
        summary: json,
      });
    }
    const shown = ['rebuild', '--json', '--compare', '<node n1>'];
    const { json, exitCode } = await runJsonChild<Omit<RebuildRun, 'command' | 'exitCode'>>([
      'bin/votestream.js',
      'rebuild',
      '--json',
      '--redis-cluster',
      cluster.seeds,
      '--compare',
      nodes[0]!.url,
    ]);
    return {
      runs,
      rebuild: {
        command: `votestream ${shown.join(' ')}`,
        exitCode,
        entries: json.entries,
        seconds: json.seconds,
        entriesPerSecond: json.entriesPerSecond,
        mismatches: json.mismatches ?? 0,
      },
    };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}
