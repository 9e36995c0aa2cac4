// `votestream replay`: export the log (NDJSON or a table), or verify every shard's chain.
// SIGTERM/SIGINT end an export, a --follow or a copy: within VS_STOP_TIMEOUT_MS, exit 0 when
// it stopped between reads, 1 when it had to give up a read (or write) still on its way.
import { Command, Option } from 'commander';
import { pollBallotFile } from '../domain/poll-ballot-file.ts';
import { controlKeys, shardKeys } from '../log/keys.ts';
import { type Client, connectAddress, connectTool } from '../log/redis-client.ts';
import { checkShardCount } from '../log/shard-count.ts';
import { assertEmptyTarget, copyLog } from '../tools/copy-log.ts';
import { type MergedEntry, mergedEntries, paced } from '../tools/merged-log.ts';
import { recountLines } from '../tools/recount.ts';
import {
  pollInLog,
  REPLAYED_TYPES,
  type ReplayedEntry,
  replayedTypes,
  replayLog,
  toEntryId,
} from '../tools/replay.ts';
import { verifyShard } from '../tools/verify-chain.ts';
import { endQuietlyWhenStdoutCloses } from './closed-stdout.ts';
import { configFlags, REDIS_FIELDS } from './config-flags.ts';
import { redisTarget } from './node-urls.ts';
import { watchStopSignals } from './stop-signals.ts';

interface ReplayFlags extends Record<string, unknown> {
  poll?: string;
  shard?: string;
  type?: string;
  from?: string;
  to?: string;
  format: 'ndjson' | 'table' | 'blt';
  verify?: boolean;
  follow?: boolean;
  speed?: string;
  into?: string;
  intoPrefix?: string;
  json?: boolean;
}

/** What replay reads: Redis, the log's keys, and the bound on a stop. */
const CONFIG = configFlags([...REDIS_FIELDS, 'prefix', 'shards', 'stopTimeoutMs']);
type ReplayConfig = ReturnType<typeof CONFIG.load>;

export function replayCommand(): Command {
  return CONFIG.addTo(new Command('replay'))
    .description('read the shard logs merged by entry id; --verify checks every chain and marker')
    .option(
      '--poll <id>',
      'only this poll: its entries, every commit marker, other polls as ElidedRuns (recountable)',
    )
    .option('--shard <n,…>', 'only these shards')
    .option('--type <type,…>', `only these event types (${REPLAYED_TYPES.join(', ')})`)
    .option('--from <id|iso>', 'from this entry id or ISO time (inclusive)')
    .option('--to <id|iso>', 'up to this entry id or ISO time (inclusive)')
    .addOption(
      new Option(
        '--format <format>',
        'output format; blt (with --poll): a ranked poll’s finalized ballots, for STV/IRV counting programs',
      )
        .choices(['ndjson', 'table', 'blt'])
        .default('ndjson'),
    )
    .option('--follow', 'keep reading new entries until interrupted (Ctrl-C)')
    .option('--speed <n>', 'replay at n times the pace the entries were appended at')
    .option(
      '--into <redis>',
      'copy the whole log into another Redis (redis://host:port or cluster seeds host:port,…)',
      redisTarget,
    )
    .option('--into-prefix <prefix>', 'key prefix in the --into Redis (default: the same)')
    .option('--verify', 'check every shard’s chain and commit markers; exit 1 on any break')
    .option('--json', 'print one JSON summary object last')
    .action(async (flags: ReplayFlags) => {
      endQuietlyWhenStdoutCloses();
      const config = CONFIG.load(flags);
      // A bad argument is a usage error before Redis is asked anything.
      const filter = {
        ...(flags.poll ? { pollId: flags.poll } : {}),
        ...(flags.shard ? { shards: shardList(flags.shard, config.shards) } : {}),
        ...(flags.type ? { types: replayedTypes(flags.type) } : {}),
        ...(flags.from ? { from: toEntryId(flags.from) } : {}),
        ...(flags.to ? { to: toEntryId(flags.to, true) } : {}),
      };
      if (flags.speed) speedOf(flags.speed);
      if (
        flags.verify &&
        (flags.poll ||
          flags.shard ||
          flags.type ||
          flags.from ||
          flags.to ||
          flags.follow ||
          flags.speed ||
          flags.format === 'blt')
      ) {
        // Said, not ignored: `--verify --poll P` reads as a check of P's board, which it is not.
        throw new RangeError(
          "--verify checks every shard's whole chain: --poll, --shard, --type, --from, --to, --follow, --speed and --format blt do not apply",
        );
      }
      const client = await connectTool(config);
      try {
        await checkShardCount(client, config.prefix, config.shards, { record: false });
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
          // The verdict before the report: a reader that stops early still gets it.
          process.exitCode = broken.length ? 1 : 0;
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
          return;
        }
        if (flags.into) {
          await copyInto(flags, config, client);
          return;
        }
        if (flags.format === 'blt') {
          await writeBallotFile(flags, config, client);
          return;
        }
        if (flags.poll && !(await pollKnown(client, config, flags.poll))) return;
        const stop = stopOnSignal(config);
        let count = 0;
        let abandonedAfter: string | undefined;
        // Progress goes to stderr, and only on a terminal: stdout is the export.
        const progress = process.stderr.isTTY
          ? setInterval(
              () => process.stderr.write(`\rreplayed ${count.toLocaleString('en')} entries`),
              500,
            )
          : undefined;
        try {
          const entries = replayLog(client, config.prefix, config.shards, filter, {
            follow: Boolean(flags.follow),
            ...(flags.speed ? { speed: speedOf(flags.speed) } : {}),
            signal: stop.signal,
            onAbandoned: (lastId) => {
              abandonedAfter = lastId;
            },
          });
          for await (const entry of entries) {
            count++;
            console.log(flags.format === 'table' ? tableLine(entry) : JSON.stringify(entry));
          }
        } finally {
          stop.release();
          if (progress) {
            clearInterval(progress);
            process.stderr.write(`\rreplayed ${count.toLocaleString('en')} entries\n`);
          }
        }
        if (abandonedAfter !== undefined) {
          process.stderr.write(
            `votestream replay: stopped with a read of the log unanswered (Redis did not reply): entries after ${abandonedAfter} may be missing\n`,
          );
          process.exitCode = 1;
        }
        if (flags.json)
          console.log(
            JSON.stringify({
              entries: count,
              ...(abandonedAfter !== undefined ? { abandonedAfter } : {}),
            }),
          );
      } finally {
        client.disconnect();
      }
    });
}

/**
 * --format blt: the poll's export, recounted as `tally --from-file` would (every chain checked
 * from genesis), written as a BLT file of its finalized ballots. Exit 1 on a broken chain.
 */
async function writeBallotFile(
  flags: ReplayFlags,
  config: ReplayConfig,
  client: Client,
): Promise<void> {
  const pollId = flags.poll;
  if (!pollId) throw new RangeError('--format blt writes one poll: name it with --poll');
  if (flags.follow || flags.speed || flags.shard || flags.type || flags.from || flags.to)
    throw new RangeError(
      '--format blt writes every finalized ballot: --follow, --speed, --shard, --type, --from and --to do not apply',
    );
  if (!(await pollKnown(client, config, pollId))) return;
  const stop = stopOnSignal(config);
  try {
    const entries = replayLog(
      client,
      config.prefix,
      config.shards,
      { pollId },
      {
        follow: false,
        signal: stop.signal,
      },
    );
    const lines = (async function* () {
      for await (const entry of entries) yield JSON.stringify(entry);
    })();
    const { summary, states, definitions } = await recountLines(lines, pollId);
    if (stop.signal.aborted) throw new RangeError('interrupted: no ballot file written');
    const poll = definitions.get(pollId);
    if (!poll) {
      // Asked for above; only a log changed under the export gets here.
      process.stderr.write(`votestream: poll ${pollId} is not in the log\n`);
      process.exitCode = 1;
      return;
    }
    if (poll.method === undefined)
      throw new RangeError(`poll ${pollId} is a plurality poll: BLT holds ranked ballots`);
    for (const problem of summary.problems) process.stderr.write(`${problem}\n`);
    if (summary.problems.length) {
      process.stderr.write(
        'votestream replay: the log does not recount cleanly; no ballot file written\n',
      );
      process.exitCode = 1;
      return;
    }
    // A BLT file cannot say that its poll is still open: its count would read as the result.
    const tally = summary.polls.find((t) => t.pollId === pollId);
    if (tally && !tally.final)
      process.stderr.write(
        `votestream replay: poll ${pollId} is not final (${tally.closed ? 'closed' : 'open'}): the file holds the ballots finalized so far, and a count of it is not the poll's result yet\n`,
      );
    process.stdout.write(pollBallotFile(poll, states));
  } finally {
    stop.release();
  }
}

/**
 * --poll of a poll the log does not hold is an error (exit 1, one line), asked before anything
 * is written: its export would be every shard's markers and runs and nothing else, a file that
 * passes for an export of a poll with no votes. Also with --follow: a mistyped id would wait
 * forever printing other polls' markers.
 */
async function pollKnown(client: Client, config: ReplayConfig, pollId: string): Promise<boolean> {
  if (await pollInLog(client, config.prefix, pollId)) return true;
  process.stderr.write(`votestream: poll ${pollId} is not in the log\n`);
  process.exitCode = 1;
  return false;
}

/**
 * Stops an export, a --follow or a copy on Ctrl-C / SIGTERM, letting it finish its summary;
 * past VS_STOP_TIMEOUT_MS (a write that never completes), or at a second signal, it exits 1.
 */
function stopOnSignal(config: ReplayConfig) {
  return watchStopSignals({
    timeoutMs: config.stopTimeoutMs,
    onForce: (by, signal) =>
      process.stderr.write(
        by === 'deadline'
          ? `votestream replay: not stopped within ${config.stopTimeoutMs} ms; exiting with it unfinished\n`
          : `votestream replay: second signal (${signal}); exiting at once\n`,
      ),
  });
}

function speedOf(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new RangeError(`--speed must be a positive number, got ${value}`);
  return n;
}

function shardList(value: string, count: number): number[] {
  return value.split(',').map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n >= count)
      throw new RangeError(`--shard: ${v} is not a shard from 0 to ${count - 1}`);
    return n;
  });
}

function tableLine(entry: ReplayedEntry): string {
  const shard = 'shard' in entry ? `shard ${entry.shard}` : 'catalogue';
  switch (entry.type) {
    case 'CommitMarked':
      return `${entry.id}\t${shard}\tCommitMarked\t\tterm ${entry.term} → seq ${entry.seq}`;
    case 'VoteCast':
      return `${entry.id}\t${shard}\tVoteCast\t${entry.seq}\t${entry.pollId} ${entry.voterId} ${entry.choices.join('+')}`;
    case 'ElidedRun':
      return `${entry.id}\t${shard}\tElidedRun\t${entry.fromSeq}…${entry.seq}\tother polls`;
    case 'PollCreated':
      return `${entry.id}\t${shard}\tPollCreated\t\t${entry.poll.id}`;
    default:
      return `${entry.id}\t${shard}\tPollClosed\t${entry.seq ?? ''}\t${entry.pollId}`;
  }
}

/** --into: the whole log, ids kept, into another Redis; with --follow it mirrors until stopped. */
async function copyInto(flags: ReplayFlags, config: ReplayConfig, source: Client): Promise<void> {
  if (flags.poll || flags.shard || flags.type || flags.from || flags.to || flags.verify) {
    throw new RangeError(
      '--into copies the whole log: --poll, --shard, --type, --from, --to and --verify do not apply',
    );
  }
  const target = {
    client: await connectAddress(flags.into!, {
      timeoutMs: config.redisConnectTimeoutMs,
      named: '--into',
    }),
    prefix: flags.intoPrefix ?? config.prefix,
    shards: config.shards,
  };
  const stop = stopOnSignal(config);
  const started = performance.now();
  try {
    await assertEmptyTarget(target);
    const keys = [
      ...Array.from({ length: config.shards }, (_, s) => shardKeys(config.prefix, s).log),
      controlKeys(config.prefix).polls,
    ];
    let abandonedAfter: string | undefined;
    let entries: AsyncIterable<MergedEntry> = mergedEntries(source, keys, {
      follow: Boolean(flags.follow),
      signal: stop.signal,
      onAbandoned: (lastId) => {
        abandonedAfter = lastId;
      },
    });
    if (flags.speed) entries = paced(entries, speedOf(flags.speed), stop.signal);
    let duplicateVoteIds = 0;
    const copied = await copyLog(
      entries,
      target,
      (n) => {
        if (process.stderr.isTTY)
          process.stderr.write(`\rcopied ${n.toLocaleString('en')} entries`);
      },
      (voteId, kept, other) => {
        duplicateVoteIds++;
        process.stderr.write(
          `\nwarning: voteId ${JSON.stringify(voteId)} is recorded in two shards of the source (claims "${kept}" kept, "${other}" not): the log was written before voteIds were unique across shards; both votes are copied\n`,
        );
      },
    );
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (abandonedAfter !== undefined) {
      process.stderr.write(
        `votestream replay: stopped with a read of the source unanswered (Redis did not reply): entries after ${abandonedAfter} were not copied\n`,
      );
      process.exitCode = 1;
    }
    const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
    console.log(
      flags.json
        ? JSON.stringify({
            copied,
            seconds,
            into: flags.into,
            prefix: target.prefix,
            duplicateVoteIds,
          })
        : `copied ${copied} entries into ${flags.into} (prefix ${target.prefix}) in ${seconds} s`,
    );
  } finally {
    stop.release();
    target.client.disconnect();
  }
}
