// `votestream rebuild`: fold the whole log from zero; --compare checks a live node against it.
import { Command } from 'commander';
import { VotestreamError } from '../client/index.ts';
import { connectTool } from '../log/redis-client.ts';
import { checkShardCount } from '../log/shard-count.ts';
import { SnapshotStore } from '../log/snapshot-store.ts';
import { compareWithNode, rebuild } from '../tools/rebuild.ts';
import { endQuietlyWhenStdoutCloses } from './closed-stdout.ts';
import { configFlags, REDIS_FIELDS } from './config-flags.ts';
import { nodeUrl } from './node-urls.ts';

/** What rebuild reads: Redis, the log's keys, and where --write puts snapshots. */
const CONFIG = configFlags([...REDIS_FIELDS, 'prefix', 'shards', 'snapshotDir']);

export function rebuildCommand(): Command {
  return CONFIG.addTo(new Command('rebuild'))
    .description(
      "fold the whole log from zero (no snapshots): entries/s, per-shard digests, tallies (a ranked poll's: first preferences; `tally --from-file` of an export counts it)",
    )
    .option(
      '--compare <nodeUrl>',
      "compare with a live node's digests at the same seqs; exit 1 on a difference or a shard of the node's not rebuilt (--shards below its count)",
      nodeUrl,
    )
    .option('--node <id>', 'with --write: the node whose snapshots to rewrite')
    .option(
      '--write',
      "write the rebuilt projection as --node's snapshots, under VS_SNAPSHOT_DIR (default .data/snapshots, from the current folder; `up --dir D` keeps its nodes' in D/snapshots); the node loads them when it next starts",
    )
    .option('--json', 'print one JSON summary object last')
    .action(
      async (
        flags: Record<string, unknown> & {
          compare?: string;
          json?: boolean;
          node?: string;
          write?: boolean;
        },
      ) => {
        endQuietlyWhenStdoutCloses();
        if (flags.write && !flags.node) throw new RangeError('--write needs --node <id>');
        if (flags.node && !flags.write) throw new RangeError('--node <id> applies to --write only');
        const config = CONFIG.load(flags);
        const client = await connectTool(config);
        try {
          await checkShardCount(client, config.prefix, config.shards, { record: false });
          const progress = process.stderr.isTTY
            ? (n: number) => process.stderr.write(`\rfolded ${n.toLocaleString('en')} entries`)
            : undefined;
          const result = await rebuild(client, config.prefix, config.shards, progress);
          if (progress) process.stderr.write('\n');
          // Nothing at all under the prefix: more often a mistyped prefix than an empty log.
          if (result.entries === 0 && result.tallies.length === 0)
            process.stderr.write(
              `votestream rebuild: no entries and no polls under prefix ${config.prefix} (VS_PREFIX, --prefix): is it the deployment's?\n`,
            );
          let written = 0;
          if (flags.write && flags.node) {
            const store = new SnapshotStore(config.snapshotDir, config.prefix, flags.node);
            for (const [i, state] of result.states.entries()) {
              if (result.shards[i]!.problem) continue;
              await store.save(state, result.positions[i]!);
              written++;
            }
          }
          const comparison = flags.compare
            ? await compareWithNode(result, flags.compare).catch((error: unknown) => {
                // A node that does not answer: one line, as a Redis that does not answer.
                if (error instanceof VotestreamError && error.status === 0)
                  throw new RangeError(
                    `--compare: ${flags.compare} did not answer: ${error.message}`,
                  );
                throw error;
              })
            : undefined;
          const notRebuilt = comparison?.filter((c) => c.status === 'not-rebuilt') ?? [];
          const mismatches = comparison?.filter((c) => c.status !== 'equal').length ?? 0;
          const problems = result.shards.filter((s) => s.problem).length;
          // The verdict before the report: a reader that stops early still gets it.
          process.exitCode = mismatches || problems ? 1 : 0;
          const summary = {
            entries: result.entries,
            seconds: Number(result.seconds.toFixed(3)),
            entriesPerSecond: result.entriesPerSecond,
            shards: result.shards,
            tallies: result.tallies,
            ...(flags.write ? { snapshotsWritten: written, node: flags.node } : {}),
            ...(comparison
              ? {
                  compared: flags.compare,
                  mismatches,
                  comparison: comparison.map(({ shard, status }) => ({ shard, status })),
                }
              : {}),
          };
          if (flags.json) console.log(JSON.stringify(summary));
          else {
            console.log(
              `${result.entries} entries in ${result.seconds.toFixed(2)} s (${result.entriesPerSecond} entries/s)`,
            );
            for (const s of result.shards)
              console.log(
                `shard ${s.shard}: applied ${s.appliedSeq}, committed ${s.committedSeq}, digest ${s.digest}${s.problem ? `  PROBLEM: ${s.problem}` : ''}`,
              );
            if (flags.write)
              console.log(
                `wrote ${written} snapshot(s) of node ${flags.node} under ${config.snapshotDir}`,
              );
            for (const t of result.tallies)
              console.log(
                `poll ${t.pollId}: finalized ${JSON.stringify(t.finalized)} pending ${JSON.stringify(t.pending)}`,
              );
            if (notRebuilt.length)
              console.log(
                `${flags.compare} folds ${notRebuilt.length} shard(s) this rebuild did not (${notRebuilt.map((c) => c.shard).join(', ')}): it read ${config.shards} shards (VS_SHARDS, --shards); give it the deployment's count`,
              );
            if (comparison)
              console.log(
                mismatches
                  ? `${mismatches} shard(s) differ from ${flags.compare} or could not be compared`
                  : `every shard equals ${flags.compare}`,
              );
          }
        } finally {
          client.disconnect();
        }
      },
    );
}
