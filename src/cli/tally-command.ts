// `votestream tally --from-file`: recount a poll from an export, offline, with the node's fold;
// or count a BLT ballot file with the tabulators the nodes use.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { RankedMethod } from '../domain/events.ts';
import { countBallotFile, isBallotFile } from '../tools/count-ballot-file.ts';
import { describeCount } from '../tools/count-summary.ts';
import { type Recount, recountFile } from '../tools/recount.ts';

interface TallyFlags {
  fromFile: string;
  poll?: string;
  json?: boolean;
  format?: 'ndjson' | 'blt';
  method?: RankedMethod;
  seats?: string;
  batchElimination?: boolean;
  seed?: string;
  results?: boolean;
}

/** The --from-file's format: as given, else BLT when its first line is two numbers. */
function formatOf(flags: TallyFlags): 'ndjson' | 'blt' {
  if (flags.format) return flags.format;
  if (flags.fromFile === '-') return 'ndjson';
  const head = Buffer.alloc(200);
  const fd = openSync(flags.fromFile, 'r');
  try {
    const read = readSync(fd, head, 0, head.length, 0);
    return isBallotFile(head.subarray(0, read).toString('utf8')) ? 'blt' : 'ndjson';
  } finally {
    closeSync(fd);
  }
}

function countFile(flags: TallyFlags): void {
  const text = readFileSync(flags.fromFile === '-' ? 0 : flags.fromFile, 'utf8');
  const seats = flags.seats === undefined ? undefined : Number(flags.seats);
  if (seats !== undefined && !(Number.isInteger(seats) && seats >= 1))
    throw new RangeError(`--seats must be a whole number of at least 1, not ${flags.seats}`);
  if (flags.seed !== undefined && !/^[0-9a-f]{32,128}$/.test(flags.seed))
    throw new RangeError('--seed is the poll seed GET /polls/:pollId shows: 32–128 hex digits');
  const result = countBallotFile(text, {
    ...(flags.method ? { method: flags.method } : {}),
    ...(seats !== undefined ? { seats } : {}),
    ...(flags.batchElimination ? { batchElimination: true } : {}),
    ...(flags.seed ? { seed: flags.seed } : {}),
  });
  console.log(flags.json ? JSON.stringify(result) : describeCount(result).join('\n'));
}

export function tallyCommand(): Command {
  return new Command('tally')
    .description(
      'recount polls offline from a replay export (e.g. votestream replay --poll P > P.ndjson)',
    )
    .requiredOption(
      '--from-file <path>',
      'NDJSON written by votestream replay, or a BLT ballot file (- for stdin)',
    )
    .addOption(
      new Option(
        '--format <format>',
        'the file’s format (default: BLT if it reads as BLT)',
      ).choices(['ndjson', 'blt']),
    )
    .option('--poll <id>', 'only this poll (default: every poll in the file)')
    .option('--json', 'print one JSON object: the recount summary, or a BLT file’s result')
    .addOption(
      new Option(
        '--method <method>',
        'BLT: how to count (default: stv if seats > 1, else irv)',
      ).choices(['irv', 'stv', 'schulze']),
    )
    .option('--seats <n>', 'BLT: seats to fill (default: the file’s)')
    .option(
      '--batch-elimination',
      'BLT, irv: eliminate every candidate who cannot catch up at once',
    )
    .option(
      '--seed <hex>',
      'BLT: the poll’s lot seed, to draw lots as the nodes do (the [tie …] line is then ignored); without it: the file’s [tie …] order, else candidate order (a lot picks the tied candidate listed first)',
    )
    .option(
      '--results',
      'export: print the poll’s result object only: the body GET /polls/:pollId/results gives, then a newline',
    )
    .action(async (flags: TallyFlags) => {
      const blt = formatOf(flags) === 'blt';
      refuseOtherFormatFlags(flags, blt);
      if (blt) {
        countFile(flags);
        return;
      }
      // Progress on a terminal only (stderr): stdout is the result.
      const recount = await recountFile(flags.fromFile, flags.poll, (lines) => {
        if (process.stderr.isTTY)
          process.stderr.write(`\rrecounted ${lines.toLocaleString('en')} lines`);
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      if (flags.results) {
        printResult(recount);
        return;
      }
      if (flags.json) console.log(JSON.stringify(recount));
      else {
        for (const t of recount.polls) {
          const state = t.closed ? 'closed' : 'open';
          console.log(`poll ${t.pollId}${t.title ? ` "${t.title}"` : ''} (${state})`);
          console.log('  option\tfinalized\tpending');
          for (const option of Object.keys(t.finalized))
            console.log(`  ${option}\t${t.finalized[option]}\t${t.pending[option] ?? 0}`);
          console.log(`  ballots: ${t.ballots.finalized} finalized, ${t.ballots.pending} pending`);
          if (t.result && t.result.method !== 'plurality')
            for (const line of describeCount(t.result)) console.log(`  ${line}`);
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

/** A flag of the other format would do nothing: a usage error, not silently ignored. */
function refuseOtherFormatFlags(flags: TallyFlags, blt: boolean): void {
  const given = (names: [string, unknown][]) =>
    names.filter(([, value]) => value !== undefined && value !== false).map(([name]) => name);
  const unused = blt
    ? given([
        ['--poll', flags.poll],
        ['--results', flags.results],
      ])
    : given([
        ['--method', flags.method],
        ['--seats', flags.seats],
        ['--batch-elimination', flags.batchElimination],
        ['--seed', flags.seed],
      ]);
  if (unused.length)
    throw new RangeError(
      `${unused.join(', ')} ${unused.length > 1 ? 'do' : 'does'} not apply to ${blt ? 'a BLT file' : 'an NDJSON export'}`,
    );
}

/** --results: the one poll's result object; exit 1 if the file broke or holds no definition. */
function printResult(recount: Recount): void {
  if (recount.polls.length !== 1) {
    throw new RangeError(
      `--results prints one poll's result: the file holds ${recount.polls.length}; name one with --poll`,
    );
  }
  const [only] = recount.polls;
  if (!only?.result) {
    process.stderr.write(`votestream: the file holds no definition of poll ${only?.pollId}\n`);
    process.exitCode = 1;
    return;
  }
  console.log(JSON.stringify(only.result));
  for (const p of recount.problems.slice(0, 20)) process.stderr.write(`${p}\n`);
  process.exitCode = recount.problems.length ? 1 : 0;
}
