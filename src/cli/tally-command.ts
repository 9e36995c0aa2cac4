// `votestream tally --from-file`: recount a poll from an export, offline, with the node's fold;
// or count a BLT ballot file with the tabulators the nodes use.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { RankedMethod } from '../domain/events.ts';
import { countBallotFile, isBallotFile } from '../tools/count-ballot-file.ts';
import { describeCount, describeRecount } from '../tools/count-summary.ts';
import { readProblem } from '../tools/read-problem.ts';
import { notInFile, type Recount, recountFile } from '../tools/recount.ts';
import { endQuietlyWhenStdoutCloses } from './closed-stdout.ts';

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

/**
 * Runs `read` of --from-file; a file that cannot be read (missing, a directory, no permission)
 * becomes a usage error, one line naming it and why (exit 2), not a stack trace.
 */
async function reading<T>(path: string, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw readProblem(path, error);
  }
}

function countFile(flags: TallyFlags, text: string): void {
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
      endQuietlyWhenStdoutCloses();
      const path = flags.fromFile;
      const blt = await reading(path, () => formatOf(flags) === 'blt');
      refuseOtherFormatFlags(flags, blt);
      if (blt) {
        countFile(flags, await reading(path, () => readFileSync(path === '-' ? 0 : path, 'utf8')));
        return;
      }
      // Progress on a terminal only (stderr): stdout is the result.
      const recount = await reading(path, () =>
        recountFile(path, flags.poll, (lines) => {
          if (process.stderr.isTTY)
            process.stderr.write(`\rrecounted ${lines.toLocaleString('en')} lines`);
        }),
      );
      if (process.stderr.isTTY) process.stderr.write('\n');
      // The verdict before the report: a reader that stops early still gets it.
      process.exitCode = recount.problems.length ? 1 : 0;
      if (!recount.polls.length) {
        // Nothing to recount (--poll not in the file, or no poll at all): an error, and no
        // report on stdout that could pass for the count of an empty poll.
        const missing = notInFile(flags.poll);
        process.stderr.write(`votestream: ${missing}\n`);
        for (const p of recount.problems.filter((p) => p !== missing).slice(0, 20))
          process.stderr.write(`  ${p}\n`);
        return;
      }
      if (flags.results) printResult(recount);
      else if (flags.json) console.log(JSON.stringify(recount));
      else console.log(describeRecount(recount).join('\n'));
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
}
