// `votestream config`: the effective configuration, to check env and flags before starting.
import { Command } from 'commander';
import { type Config, SECRET_FIELDS, VARIABLES } from '../config.ts';
import { endQuietlyWhenStdoutCloses } from './closed-stdout.ts';
import { configFlags, EVERY_FIELD } from './config-flags.ts';

/** It prints every setting, so it takes every flag. */
const CONFIG = configFlags(EVERY_FIELD);

export function configCommand(): Command {
  return CONFIG.addTo(new Command('config'))
    .description('validate the configuration (env + flags) and print it; secrets redacted')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      '\nEvery VS_* variable is listed with its default in .env.example. Secrets\n' +
        `(${secretNames()}) are read from the environment only\nand printed as [redacted].`,
    )
    .action((flags: Record<string, unknown>) => {
      endQuietlyWhenStdoutCloses();
      const config = CONFIG.load(flags);
      const shown = redacted(config);
      if (flags.json) console.log(JSON.stringify(shown));
      else
        for (const [key, value] of Object.entries(shown))
          console.log(`${key}: ${JSON.stringify(value)}`);
    });
}

/** The names of the secret variables, from their description. */
function secretNames(): string {
  return Object.entries(VARIABLES)
    .flatMap(([name, v]) => ('secret' in v && v.secret ? [name] : []))
    .join(', ');
}

/** The configuration with every secret replaced by `[redacted]` (unset ones stay unset). */
export function redacted(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...config };
  for (const field of SECRET_FIELDS) if (shown[field] !== undefined) shown[field] = '[redacted]';
  // redis://user:password@host: the URL may carry the password itself.
  if (config.redisUrl)
    shown.redisUrl = config.redisUrl.replace(/(\/\/[^/@]*?:)[^/@]*@/, '$1[redacted]@');
  return shown;
}
