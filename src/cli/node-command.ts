// `votestream node`: one node, configured by env and flags; SIGTERM/SIGINT stop it gracefully.
import { Command } from 'commander';
import { ConfigError } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startNode } from '../node.ts';
import { configFromFlags, withConfigFlags } from './config-flags.ts';

export function nodeCommand(): Command {
  return withConfigFlags(new Command('node'))
    .description('run one votestream node (HTTP API, folder, coordinator)')
    .action(async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const log = createLogger({ level: config.logLevel, nodeId: config.nodeId });
      const node = await startNode(config, log).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        throw new ConfigError(
          `${config.httpHost}:${config.httpPort} is already in use: choose another VS_HTTP_PORT / --port`,
        );
      });
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      log.info({ event: 'stopping' }, 'stopping: draining requests');
      await node.close();
      log.info({ event: 'stopped' }, 'stopped');
      // Everything is closed; a library's idle timer must not keep a stopped node alive.
      process.exit(0);
    });
}
