// `votestream tokens`: the voter tokens of a token poll, issued by a node's admin endpoint.
import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import {
  issueTokens,
  parseVoterIds,
  readVotersFile,
  TokenRequestError,
  withTarget,
} from '../tools/issue-tokens.ts';
import { isRollCsv, parseRoll } from '../tools/roll-voters.ts';
import { endQuietlyWhenStdoutCloses } from './closed-stdout.ts';
import { targetOption } from './node-urls.ts';

interface TokensFlags {
  poll: string;
  voters: string;
  target: string;
  adminToken?: string;
  json?: boolean;
}

export function tokensCommand(): Command {
  return new Command('tokens')
    .description('issue the voter tokens of a poll created with "voterAuth": "token"')
    .requiredOption('--poll <id>', 'the poll')
    .requiredOption('--voters <file>', 'voter ids, one per line ("-": standard input)')
    .addOption(targetOption())
    .option('--admin-token <token>', 'admin bearer token [VS_ADMIN_TOKEN]')
    .option('--json', 'print NDJSON {voterId, token} lines, then one JSON summary object')
    .addHelpText(
      'after',
      '\nA request answered 503 or 429, or whose connection fails, is sent again (issuing is\nidempotent), up to 10 attempts within about 30 s (about 10 s when each 503 asks for 1 s);\nthen it exits 1 naming the error, after printing the\ntokens of the requests before it (and, with --json, no summary).',
    )
    .action(async (flags: TokensFlags) => {
      // `votestream tokens … | head`: the reader has what it wanted.
      endQuietlyWhenStdoutCloses();
      const adminToken = flags.adminToken ?? loadConfig().adminToken;
      if (!adminToken)
        throw new RangeError('an admin token is required: --admin-token or VS_ADMIN_TOKEN');
      const text = readVotersFile(flags.voters);
      // A roll's CSV (header voterId,weight) serves as it is: its ids, its weights ignored.
      const voters = isRollCsv(text) ? parseRoll(text).map((v) => v.voterId) : parseVoterIds(text);
      if (voters.length === 0) throw new RangeError(`${flags.voters} lists no voter ids`);
      let issued = 0;
      try {
        for await (const tokens of issueTokens({
          ...flags,
          pollId: flags.poll,
          adminToken,
          voters,
        })) {
          // Voter ids have no control characters, so a tab separates the columns unambiguously.
          const lines = tokens.map((t) =>
            flags.json ? JSON.stringify(t) : `${t.voterId}\t${t.token}`,
          );
          process.stdout.write(`${lines.join('\n')}\n`);
          issued += tokens.length;
        }
      } catch (error) {
        if (!(error instanceof TokenRequestError)) throw error;
        // NOT_ON_ROLL names the voters (its ids as sent, at most 10): say which.
        const named = error.code === 'NOT_ON_ROLL' ? error.details.voters : undefined;
        const which = Array.isArray(named) && named.length > 0 ? `: ${named.join(', ')}` : '';
        process.stderr.write(
          `votestream tokens: ${withTarget(flags.target, `${error.message}${which}`)}\n`,
        );
        // No summary on standard output for a failed run: it would read as a finished one.
        if (issued > 0)
          process.stderr.write(
            `votestream tokens: before the failure, the tokens of the first ${issued} voters were printed\n`,
          );
        process.exitCode = 1;
        return;
      }
      if (flags.json)
        console.log(JSON.stringify({ pollId: flags.poll, voters: voters.length, issued }));
    });
}
