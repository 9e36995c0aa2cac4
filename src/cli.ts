// The `votestream` command: parses argv and calls library functions, nothing more.
import { Command } from 'commander';
import { RedisClusterError } from '../ops/redis-processes.ts';
import { configCommand } from './cli/config-command.ts';
import { loadCommand } from './cli/load-command.ts';
import { nodeCommand } from './cli/node-command.ts';
import { rebuildCommand } from './cli/rebuild-command.ts';
import { redisCommand } from './cli/redis-command.ts';
import { replayCommand } from './cli/replay-command.ts';
import { rollCommand } from './cli/roll-command.ts';
import { tallyCommand } from './cli/tally-command.ts';
import { tokensCommand } from './cli/tokens-command.ts';
import { upCommand } from './cli/up-command.ts';
import { ConfigError } from './config.ts';
import { BltSyntaxError, ProfileError } from './domain/count/count-error.ts';
import { RedisUnreachableError } from './log/redis-client.ts';

const program = new Command('votestream')
  .description('Records votes across several nodes on Redis Streams.')
  .showHelpAfterError()
  .addCommand(redisCommand())
  .addCommand(nodeCommand())
  .addCommand(configCommand())
  .addCommand(upCommand())
  .addCommand(loadCommand())
  .addCommand(replayCommand())
  .addCommand(rebuildCommand())
  .addCommand(tallyCommand())
  .addCommand(tokensCommand())
  .addCommand(rollCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Problems a person can fix get one line, not a stack trace: a bad setting or argument, or a
  // Redis that does not answer a tool.
  if (
    error instanceof ConfigError ||
    error instanceof RedisClusterError ||
    error instanceof RedisUnreachableError ||
    error instanceof RangeError
  ) {
    process.stderr.write(`votestream: ${error.message}\n`);
    process.exit(2);
  }
  // A ballot file that cannot be counted: what is wrong with it, and where.
  if (error instanceof BltSyntaxError || error instanceof ProfileError) {
    process.stderr.write(`votestream: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
