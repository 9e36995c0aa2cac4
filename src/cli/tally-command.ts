// `votestream tally --from-file`: recount a poll from an export, offline, with the node's fold.
import { Command } from 'commander';
import { recountFile } from '../tools/recount.ts';

interface TallyFlags {
  fromFile: string;
  poll?: string;
  json?: boolean;
}

export function tallyCommand(): Command {
  return new Command('tally')
    .description(
      'recount polls offline from a replay export (e.g. votestream replay --poll P > P.ndjson)',
    )
    .requiredOption('--from-file <path>', 'NDJSON written by votestream replay (- for stdin)')
    .option('--poll <id>', 'only this poll (default: every poll in the file)')
    .option('--json', 'print one JSON summary object last')
    .action(async (flags: TallyFlags) => {
      // Progress on a terminal only (stderr): stdout is the result.
      const recount = await recountFile(flags.fromFile, flags.poll, (lines) => {
        if (process.stderr.isTTY)
          process.stderr.write(`\rrecounted ${lines.toLocaleString('en')} lines`);
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      if (flags.json) console.log(JSON.stringify(recount));
      else {
        for (const t of recount.polls) {
          const state = t.closed ? 'closed' : 'open';
          console.log(`poll ${t.pollId}${t.title ? ` "${t.title}"` : ''} (${state})`);
          console.log('  option\tfinalized\tpending');
          for (const option of Object.keys(t.finalized))
            console.log(`  ${option}\t${t.finalized[option]}\t${t.pending[option] ?? 0}`);
          console.log(`  ballots: ${t.ballots.finalized} finalized, ${t.ballots.pending} pending`);
        }
        const broken = recount.shards.filter((s) => s.broken).length;
        console.log(
          `${recount.entries} entries; ${recount.shards.length} shards followed from genesis, ${broken} broken; ${recount.markers} commit markers (${recount.markersUnchecked} at elided seqs, hash not checkable here)`,
        );
        for (const p of recount.problems.slice(0, 20)) console.log(`  ${p}`);
      }
      process.exitCode = recount.problems.length ? 1 : 0;
    });
}
