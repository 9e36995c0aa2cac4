// `votestream node`: one node, configured by env and flags. SIGTERM/SIGINT stop it gracefully
// within VS_STOP_TIMEOUT_MS (exit 0 when nothing was given up, else 1); a second signal, or
// the bound passing, ends it at once. A node that finds its shard count differs from the log's
// (checked at start, or once Redis answers when it did not at start) stops with one line, exit 2.
import { Command } from 'commander';
import { ConfigError } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startNode } from '../node.ts';
import { StopDeadline } from '../stop-deadline.ts';
import { configFlags, EVERY_FIELD } from './config-flags.ts';
import { watchStopSignals } from './stop-signals.ts';

/** A node reads every setting. */
const CONFIG = configFlags(EVERY_FIELD);

export function nodeCommand(): Command {
  return CONFIG.addTo(new Command('node'))
    .description('run one votestream node (HTTP API, folder, coordinator)')
    .action(async (flags: Record<string, unknown>) => {
      const config = CONFIG.load(flags);
      const log = createLogger({ level: config.logLevel, nodeId: config.nodeId });
      let fatal: (error: ConfigError) => void = () => {};
      const fatalFound = new Promise<ConfigError>((resolve) => {
        fatal = resolve;
      });
      const node = await startNode(config, log, { onFatal: (error) => fatal(error) }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EADDRINUSE') throw error;
          throw new ConfigError(
            `${config.httpHost}:${config.httpPort} is already in use: choose another VS_HTTP_PORT / --port`,
          );
        },
      );
      let deadline: StopDeadline | undefined;
      const stop = watchStopSignals({
        timeoutMs: config.stopTimeoutMs,
        onForce: (by, signal) =>
          log.error(
            { event: 'stop_forced', by, signal, running: deadline?.running ?? [] },
            by === 'deadline'
              ? `stop: not done within ${config.stopTimeoutMs} ms; exiting with it unfinished`
              : `stop: second signal (${signal}); exiting at once`,
          ),
      });
      const reason = await Promise.race([stop.received, fatalFound]);
      deadline = new StopDeadline(config.stopTimeoutMs);
      if (reason instanceof ConfigError) {
        await node.close(deadline);
        throw reason;
      }
      const signal = reason;
      log.info(
        { event: 'stopping', signal, timeoutMs: config.stopTimeoutMs },
        'stopping: draining requests',
      );
      const outcome = await node.close(deadline);
      log.info(
        { event: 'stopped', clean: outcome.clean, abandoned: outcome.abandoned.length },
        outcome.clean ? 'stopped' : `stopped, ${outcome.abandoned.length} step(s) given up`,
      );
      // Everything is closed or given up; a library's idle timer must not keep the node alive.
      process.exit(outcome.clean ? 0 : 1);
    });
}
