// `votestream roll`: adds voters to a poll's roll through a node's admin endpoint.
import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { readVotersFile, TokenRequestError, withTarget } from '../tools/issue-tokens.ts';
import {
  checkRollWeights,
  parseRoll,
  rollPoll,
  rollRefusal,
  sendRoll,
} from '../tools/roll-voters.ts';
import { endQuietlyWhenStdoutCloses } from './closed-stdout.ts';
import { targetOption } from './node-urls.ts';

interface RollFlags {
  poll: string;
  voters: string;
  target: string;
  adminToken?: string;
  json?: boolean;
}

export function rollCommand(): Command {
  return new Command('roll')
    .description('add voters to the roll of a poll created with "roll" or "weighted"')
    .requiredOption('--poll <id>', 'the poll')
    .requiredOption(
      '--voters <file>',
      'a voter id per line, or CSV lines voterId,weight ("-": standard input)',
    )
    .addOption(targetOption())
    .option('--admin-token <token>', 'admin bearer token [VS_ADMIN_TOKEN]')
    .option('--json', 'print one JSON line per request sent, then one JSON summary object')
    .addHelpText(
      'after',
      '\nA weighted poll needs a weight on every line; any other poll, none. A request answered\n503 or 429, or whose connection fails, is sent again (a retry finds its voters unchanged),\nup to 10 attempts within about 30 s (about 10 s when each 503 asks for a 1 s wait); then\nit exits 1 naming the error and what was added before it. Requests before it stay done,\nand the failed one may be done in some shards: run it again with the same file.',
    )
    .action(async (flags: RollFlags) => {
      endQuietlyWhenStdoutCloses();
      const adminToken = flags.adminToken ?? loadConfig().adminToken;
      if (!adminToken)
        throw new RangeError('an admin token is required: --admin-token or VS_ADMIN_TOKEN');
      const voters = parseRoll(readVotersFile(flags.voters));
      if (voters.length === 0) throw new RangeError(`${flags.voters} lists no voters`);
      const o = { ...flags, pollId: flags.poll, adminToken, voters };
      const total = { added: 0, weight: 0, unchanged: 0 };
      try {
        checkRollWeights(voters, await rollPoll(o));
        for await (const reply of sendRoll(o)) {
          total.added += reply.added;
          total.weight += reply.weight;
          total.unchanged += reply.unchanged;
          if (flags.json) console.log(JSON.stringify(reply));
        }
      } catch (error) {
        if (!(error instanceof TokenRequestError)) throw error;
        process.stderr.write(
          `votestream roll: ${withTarget(flags.target, rollRefusal(error, voters))}\n`,
        );
        // Requests before the refused one were added; the refused one's voters start at `first`.
        if (error.first > 0)
          process.stderr.write(
            `votestream roll: before the failure, lines ${voters[0]!.line} to ${voters[error.first - 1]!.line}: ${summary(total)}\n`,
          );
        // A request spans shards: the failed one may have been added in some of them.
        if (!(error.status >= 400 && error.status < 500))
          process.stderr.write(
            `votestream roll: the failed request, from line ${voters[error.first]?.line ?? '?'}, may be added in some shards: run it again with the same file (voters added are unchanged)\n`,
          );
        process.exitCode = 1;
        return;
      }
      if (flags.json)
        console.log(JSON.stringify({ pollId: flags.poll, voters: voters.length, ...total }));
      else console.log(`${flags.poll}: ${summary(total)}`);
    });
}

function summary(total: { added: number; weight: number; unchanged: number }): string {
  const voters = total.added === 1 ? 'voter' : 'voters';
  return `${total.added} ${voters} added (weight ${total.weight}), ${total.unchanged} already on the roll`;
}
