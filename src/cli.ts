// The `votestream` command: parses argv and calls library functions, nothing more.
import { Command, CommanderError } from 'commander';
import { ConfigError } from './config.ts';
import { BltSyntaxError, ProfileError } from './domain/count/count-error.ts';

/** The commands, in the order --help lists them; each module is loaded only when needed. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  redis: async () => (await import('./cli/redis-command.ts')).redisCommand(),
  node: async () => (await import('./cli/node-command.ts')).nodeCommand(),
  config: async () => (await import('./cli/config-command.ts')).configCommand(),
  up: async () => (await import('./cli/up-command.ts')).upCommand(),
  load: async () => (await import('./cli/load-command.ts')).loadCommand(),
  replay: async () => (await import('./cli/replay-command.ts')).replayCommand(),
  rebuild: async () => (await import('./cli/rebuild-command.ts')).rebuildCommand(),
  tally: async () => (await import('./cli/tally-command.ts')).tallyCommand(),
  tokens: async () => (await import('./cli/tokens-command.ts')).tokensCommand(),
  roll: async () => (await import('./cli/roll-command.ts')).rollCommand(),
};

// `votestream <command> …` loads that command alone: loading all of them (fastify, ioredis,
// execa, the counting code…) cost each start about a second, whatever the command. Anything
// else (--help, help, an unknown command) loads them all, so the listing and the errors are
// commander's own.
const named = process.argv[2] ?? '';
const program = new Command('votestream')
  .description('Records votes across several nodes on Redis Streams.')
  .showHelpAfterError();
for (const name of Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS)) {
  program.addCommand(await COMMANDS[name]!());
}

// A usage error (an unknown option or command, a missing argument) exits 2, as a bad setting
// does: commander's own exit code, 1, is what replay --verify, rebuild --compare, load --verify
// and tally give for a finding (a broken chain, a loss, a mismatch), so a mistyped flag in a
// script read as one. Commander still prints its message (and --help its text, exit 0).
const everyCommand = (c: Command): Command[] => [c, ...c.commands.flatMap(everyCommand)];
for (const command of everyCommand(program)) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  // Problems a person can fix get one line, not a stack trace: a bad setting or argument, or a
  // Redis that does not answer a tool.
  // Their modules are loaded only on this path: a command that never reaches Redis or starts
  // redis-server (tally, --help) need not load ioredis and execa to start.
  const [{ RedisClusterError }, { RedisUnreachableError }] = await Promise.all([
    import('../ops/redis-processes.ts'),
    import('./log/redis-client.ts'),
  ]);
  if (
    error instanceof ConfigError ||
    error instanceof RedisClusterError ||
    error instanceof RedisUnreachableError ||
    error instanceof RangeError
  ) {
    process.stderr.write(`votestream: ${error.message}\n`);
    process.exit(2);
  }
  // A ballot file that cannot be counted (what is wrong with it, and where), or a tool whose
  // node refused or did not answer.
  const { ToolFailure } = await import('./tools/tool-failure.ts');
  if (
    error instanceof BltSyntaxError ||
    error instanceof ProfileError ||
    error instanceof ToolFailure
  ) {
    process.stderr.write(`votestream: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
