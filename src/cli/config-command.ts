// `votestream config`: the effective configuration, to check env and flags before starting.
import { Command } from 'commander';
import { configFromFlags, withConfigFlags } from './config-flags.ts';

export function configCommand(): Command {
  return withConfigFlags(new Command('config'))
    .description('validate the configuration (env + flags) and print it; secrets redacted')
    .option('--json', 'print one JSON object')
    .action((flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const shown = {
        ...config,
        adminToken: config.adminToken ? '[redacted]' : undefined,
        voterSecret: config.voterSecret ? '[redacted]' : undefined,
      };
      if (flags.json) console.log(JSON.stringify(shown));
      else
        for (const [key, value] of Object.entries(shown))
          console.log(`${key}: ${JSON.stringify(value)}`);
    });
}
