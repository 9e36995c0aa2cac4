// `votestream replay`: export the log (NDJSON or a table), or verify every shard's chain.
import { Command, Option } from 'commander';
import { checkCredentials, connectRedis } from '../log/redis-client.ts';
import { replayLog, toEntryId } from '../tools/replay.ts';
import { verifyShard } from '../tools/verify-chain.ts';
import { configFromFlags, withConfigFlags } from './config-flags.ts';

interface ReplayFlags extends Record<string, unknown> {
  poll?: string;
  shard?: string;
  type?: string;
  from?: string;
  to?: string;
  format: 'ndjson' | 'table';
  verify?: boolean;
  json?: boolean;
}

export function replayCommand(): Command {
  return withConfigFlags(new Command('replay'))
    .description('read the shard logs merged by entry id; --verify checks every chain and marker')
    .option('--poll <id>', 'only this poll (commit markers are kept)')
    .option('--shard <n,…>', 'only these shards')
    .option('--type <type,…>', 'only these event types (VoteCast, PollClosed, CommitMarked)')
    .option('--from <id|iso>', 'from this entry id or ISO time (inclusive)')
    .option('--to <id|iso>', 'up to this entry id or ISO time (inclusive)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['ndjson', 'table'])
        .default('ndjson'),
    )
    .option('--verify', 'check every shard’s chain and commit markers; exit 1 on any break')
    .option('--json', 'print one JSON summary object last')
    .action(async (flags: ReplayFlags) => {
      const config = configFromFlags(flags);
      const client = connectRedis(config);
      try {
        await checkCredentials(client);
        if (flags.verify) {
          let done = 0;
          const shards = await Promise.all(
            Array.from({ length: config.shards }, (_, s) =>
              verifyShard(client, config.prefix, s).then((verdict) => {
                done++;
                if (process.stderr.isTTY)
                  process.stderr.write(`\rverified ${done}/${config.shards} shards`);
                return verdict;
              }),
            ),
          );
          if (process.stderr.isTTY) process.stderr.write('\n');
          const broken = shards.filter((s) => !s.ok);
          if (!flags.json) {
            for (const s of shards) {
              const state = s.ok
                ? 'intact'
                : `BROKEN at seq ${s.firstBreak?.seq} (${s.firstBreak?.reason}, entry ${s.firstBreak?.entryId}): ${s.firstBreak?.message}`;
              console.log(
                `shard ${s.shard}: ${s.entries} entries, head seq ${s.headSeq}, committed ${s.committedSeq}: ${state}`,
              );
            }
          }
          const summary = {
            ok: broken.length === 0,
            shards: shards.length,
            broken: broken.length,
            details: shards,
          };
          console.log(
            flags.json
              ? JSON.stringify(summary)
              : `${shards.length - broken.length}/${shards.length} shards intact`,
          );
          process.exitCode = broken.length ? 1 : 0;
          return;
        }
        const filter = {
          ...(flags.poll ? { pollId: flags.poll } : {}),
          ...(flags.shard ? { shards: flags.shard.split(',').map(Number) } : {}),
          ...(flags.type ? { types: flags.type.split(',') } : {}),
          ...(flags.from ? { from: toEntryId(flags.from) } : {}),
          ...(flags.to ? { to: toEntryId(flags.to, true) } : {}),
        };
        let count = 0;
        // Progress goes to stderr, and only on a terminal: stdout is the export.
        const progress = process.stderr.isTTY
          ? setInterval(
              () => process.stderr.write(`\rreplayed ${count.toLocaleString('en')} entries`),
              500,
            )
          : undefined;
        for await (const entry of replayLog(client, config.prefix, config.shards, filter)) {
          count++;
          if (flags.format === 'table') {
            const what =
              entry.type === 'CommitMarked'
                ? `term ${entry.term} → seq ${entry.seq}`
                : entry.type === 'VoteCast'
                  ? `${entry.pollId} ${entry.voterId} ${entry.choices.join('+')}`
                  : entry.pollId;
            console.log(
              `${entry.id}\tshard ${entry.shard}\t${entry.type}\t${'seq' in entry && entry.type !== 'CommitMarked' ? entry.seq : ''}\t${what}`,
            );
          } else {
            console.log(JSON.stringify(entry));
          }
        }
        if (progress) {
          clearInterval(progress);
          process.stderr.write(`\rreplayed ${count.toLocaleString('en')} entries\n`);
        }
        if (flags.json) console.log(JSON.stringify({ entries: count }));
      } finally {
        client.disconnect();
      }
    });
}
