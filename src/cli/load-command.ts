// `votestream load`: drive nodes with votes and, with --verify, prove nothing was lost.
// SIGTERM/SIGINT end the run early: nothing more is sent, the requests in flight have
// VS_STOP_TIMEOUT_MS to be answered, and the summary says what was abandoned (exit 1 then).

import { Command, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { runLoad } from '../tools/load/run.ts';
import { endQuietlyWhenStdoutCloses } from './closed-stdout.ts';
import { nodeUrls } from './node-urls.ts';
import { watchStopSignals } from './stop-signals.ts';

interface LoadFlags {
  target: string;
  rate: string;
  duration?: string;
  votes?: string;
  connections: string;
  batch: string;
  polls: string;
  voters: string;
  duplicates: string;
  revotes: string;
  seed: string;
  poll?: string;
  adminToken?: string;
  verify?: boolean;
  verifyTimeout: string;
  warmup?: string;
  json?: boolean;
}

export function loadCommand(): Command {
  return new Command('load')
    .description(
      'send votes to nodes at a fixed rate (open model) and verify the finalized tallies',
    )
    .addOption(
      new Option('--target <urls>', 'node URLs, comma-separated (round robin)')
        .default('http://127.0.0.1:3001')
        .argParser(nodeUrls),
    )
    .addOption(new Option('--rate <n|max>', 'votes per second, or max').default('1000'))
    .option('--duration <time>', 'how long, e.g. 20s or 2m (default 10s unless --votes)')
    .option('--votes <n>', 'how many votes to send')
    .option(
      '--warmup <time>',
      'first send at the rate for this long, unmeasured: those votes are acknowledged and verified like the others, not counted in the latencies or the throughput (with --duration only)',
    )
    .addOption(new Option('--connections <n>', 'requests in flight at most').default('64'))
    .addOption(
      new Option('--batch <n>', 'votes per request (more than 1 uses /votes/batch)').default('1'),
    )
    .addOption(new Option('--polls <n>', 'polls to create').default('1'))
    .addOption(new Option('--voters <n>', 'distinct voters').default('1000000'))
    .addOption(
      new Option('--duplicates <fraction>', 'share of retries with an acknowledged voteId').default(
        '0',
      ),
    )
    .addOption(
      new Option('--revotes <fraction>', 'share of second votes by the same voter').default('0'),
    )
    .addOption(new Option('--seed <n>', 'seed of the vote generator').default('1'))
    .option('--poll <id>', 'vote in this existing poll instead of creating polls')
    .option('--admin-token <token>', 'to create polls [VS_ADMIN_TOKEN]')
    .option(
      '--verify',
      'wait until everything acknowledged is finalized; compare every target; exit 1 on any loss (a sealed poll shows no option counts until final: only its ballots are compared)',
    )
    .addOption(new Option('--verify-timeout <time>', 'how long --verify waits').default('60s'))
    .option('--json', 'print one JSON summary object last')
    .addHelpText(
      'after',
      "\nBefore the run, creating the polls (or reading --poll) is retried on a 503, a 429 or a\nfailed connection, up to 10 attempts\nwithin about 30 s (about 10 s when each 503 asks for a 1 s wait); then it exits 1 naming the error, no vote sent.\nThen, before the clock starts, every connection is opened and sends GET /health 20 times\n(nothing is written): a fresh process's first requests would otherwise be counted as the\nservice's latency. Each progress line gives the append latency of the votes acknowledged\nin the second before it.",
    )
    .action(async (flags: LoadFlags) => {
      const config = loadConfig();
      const stop = watchStopSignals({
        timeoutMs: config.stopTimeoutMs,
        onForce: (by, signal) =>
          process.stderr.write(
            by === 'deadline'
              ? `votestream load: not stopped within ${config.stopTimeoutMs} ms; exiting with requests unanswered\n`
              : `votestream load: second signal (${signal}); exiting at once, requests unanswered\n`,
          ),
      });
      const summary = await runLoad({
        // Trimmed, without trailing slashes: nodeUrls read them.
        targets: flags.target.split(','),
        rate: flags.rate === 'max' ? 'max' : positive('rate', flags.rate),
        ...(flags.votes
          ? { votes: positive('votes', flags.votes) }
          : { durationMs: duration(flags.duration ?? '10s') }),
        ...(flags.warmup ? { warmUpMs: warmUp(flags) } : {}),
        connections: positive('connections', flags.connections),
        batch: positive('batch', flags.batch),
        polls: positive('polls', flags.polls),
        voters: positive('voters', flags.voters),
        duplicates: fraction('duplicates', flags.duplicates),
        revotes: fraction('revotes', flags.revotes),
        seed: Number(flags.seed),
        ...(flags.poll ? { poll: flags.poll } : {}),
        adminToken: flags.adminToken ?? config.adminToken,
        verify: Boolean(flags.verify),
        verifyTimeoutMs: duration(flags.verifyTimeout),
        signal: stop.signal,
        stopMs: config.stopTimeoutMs,
        onProgress: (p) => {
          const recent = p.recent
            ? `; append ms of the last second: p50 ${p.recent.p50}, p99 ${p.recent.p99}, max ${p.recent.max}`
            : '';
          const line = `${(p.elapsedMs / 1000).toFixed(0)} s: ${p.sent} sent, ${p.acknowledged} acknowledged, ${p.inFlight} in flight${recent}`;
          if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
          else process.stderr.write(`${line}\n`);
        },
      }).catch((error: Error) => {
        if (!stop.signal.aborted) throw error;
        return undefined;
      });
      stop.release();
      if (!summary) {
        process.stderr.write('votestream load: interrupted before any vote was sent\n');
        process.exitCode = 1;
        return;
      }
      if (process.stderr.isTTY) process.stderr.write('\n');
      // The verdict before the report, so a reader that stops early (`| head -1`) still gets
      // it: an interrupted run is clean when nothing was abandoned; a --verify run that was not
      // verified never exits 0.
      const unclean = summary.interrupted && (summary.abandoned > 0 || Boolean(flags.verify));
      process.exitCode =
        summary.lost || summary.duplicated || summary.mismatched || unclean ? 1 : 0;
      endQuietlyWhenStdoutCloses();
      if (!flags.json) {
        const l = summary.latencyMs;
        console.log(
          `${summary.acknowledged} acknowledged of ${summary.sent} sent in ${summary.seconds} s (${summary.throughput}/s), ${summary.retried} retried`,
        );
        if (summary.warmUp.seconds > 0)
          console.log(
            `  of which the warm-up's: ${summary.warmUp.acknowledged} acknowledged in the first ${summary.warmUp.seconds} s (verified; not in the time, the rate or the latencies)`,
          );
        console.log(
          `append latency ms: p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  p99.9 ${l.p999}  max ${l.max}`,
        );
        const f = summary.finalizedMs;
        console.log(
          `time to finalized ms: p50 ${f.p50}  p90 ${f.p90}  p99 ${f.p99}  p99.9 ${f.p999}  max ${f.max}  (${f.count} seen${f.unseen ? `, ${f.unseen} not seen finalized` : ''})`,
        );
        console.log(`statuses: ${JSON.stringify(summary.statuses)}`);
        if (summary.interrupted)
          console.log(
            `interrupted: ${summary.abandoned} votes abandoned (no answer that settles them; each may or may not be recorded)${flags.verify ? '; not verified' : ''}`,
          );
        if (summary.unavailableS) {
          const hit = summary.unavailableS
            .map((s, shard) => ({ shard, s }))
            .filter(({ s }) => s > 0)
            .map(({ shard, s }) => `shard ${shard} ${s} s`);
          console.log(
            `unavailable (≥ 1 s with votes of the shard refused and none acknowledged): ${hit.join(', ') || 'no shard'}`,
          );
        }
        if (summary.verified) {
          console.log(
            `lost ${summary.lost}, duplicated ${summary.duplicated}, mismatched ${summary.mismatched}${summary.finalizedAfterMs !== null ? `; all finalized ${summary.finalizedAfterMs} ms after the run` : ''}`,
          );
          if (summary.sealed.length)
            console.log(
              `sealed until final, only ballots compared (no option counts shown): ${summary.sealed.join(', ')}`,
            );
          for (const p of summary.problems.slice(0, 20)) console.log(`  ${p}`);
        }
      } else console.log(JSON.stringify(summary));
    });
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new RangeError(`--${name} must be a positive number, got ${value}`);
  return n;
}

function fraction(name: string, value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1))
    throw new RangeError(`--${name} must be a fraction from 0 to below 1, got ${value}`);
  return n;
}

/** --warmup's milliseconds; a run of --votes has no clock to warm up before. */
function warmUp(flags: LoadFlags): number {
  if (flags.votes) throw new RangeError('--warmup goes with --duration, not with --votes');
  return duration(flags.warmup!);
}

/** "20s", "2m", "500ms" or plain milliseconds. */
function duration(value: string): number {
  const m = value.match(/^(\d+(?:\.\d+)?)(ms|s|m)?$/);
  if (!m) throw new RangeError(`${value} is not a duration (e.g. 20s, 2m, 500ms)`);
  const n = Number(m[1]);
  return m[2] === 'm' ? n * 60_000 : m[2] === 'ms' || !m[2] ? n : n * 1000;
}
