// `votestream node`: one node, configured by env and flags; SIGTERM/SIGINT stop it gracefully.
import { Command } from 'commander';
import { createLogger } from '../logger.ts';
import { startNode } from '../node.ts';
import { configFromFlags, withConfigFlags } from './config-flags.ts';

export function nodeCommand(): Command {
  return withConfigFlags(new Command('node'))
    .description('run one votestream node (HTTP API, folder, coordinator)')
    .action(async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const log = createLogger({ level: config.logLevel, nodeId: config.nodeId });
      const node = await startNode(config, log);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      log.info({ event: 'stopping' }, 'stopping: draining requests');
      await node.close();
      log.info({ event: 'stopped' }, 'stopped');
    });
}
