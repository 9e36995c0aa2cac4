// JSON logs to stdout through pino; one child logger per component.
import { type Logger, pino } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Human-readable output, for a person running the local cluster in a terminal. */
  pretty?: boolean;
  nodeId?: string;
}

/** Creates the process's root logger. Secrets never reach it: see `redact`. */
export function createLogger({ level, pretty = false, nodeId }: LoggerOptions): Logger {
  return pino({
    level,
    base: nodeId ? { node: nodeId } : {},
    redact: {
      paths: [
        'req.headers.authorization',
        'adminToken',
        'config.adminToken',
        'password',
        // Voter authentication: the key, and tokens wherever a ballot or a reply is logged.
        'voterSecret',
        'config.voterSecret',
        'token',
        '*.token',
        'tokens',
        '*.tokens',
      ],
      censor: '[redacted]',
    },
    ...(pretty
      ? {
          transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } },
        }
      : {}),
  });
}
