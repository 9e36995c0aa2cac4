// JSON logs to stdout through pino; one child logger per component.
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Human-readable output, for a person running the local cluster in a terminal. */
  pretty?: boolean;
  nodeId?: string;
}

/**
 * Paths pino censors wherever they are logged: the admin token, bearer and voter tokens in
 * request headers, Redis passwords (ours and ioredis's options), and a config object.
 */
export const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-voter-token"]',
  'headers.authorization',
  'adminToken',
  'config.adminToken',
  'redisPassword',
  'config.redisPassword',
  'password',
  'options.password',
  'redisOptions.password',
  'voterToken',
  '*.voterToken',
  'token',
  '*.token',
  'tokens',
  '*.tokens',
  // The key voter tokens derive from (config dumps, errors carrying the config).
  'voterSecret',
  'config.voterSecret',
];

/** Creates the process's root logger. Secrets never reach it: see `REDACTED`. */
export function createLogger(
  { level, pretty = false, nodeId }: LoggerOptions,
  /** Where JSON lines go instead of stdout (tests); ignored when `pretty`. */
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: nodeId ? { node: nodeId } : {},
    redact: { paths: REDACTED, censor: '[redacted]' },
    ...(pretty
      ? {
          transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } },
        }
      : {}),
  };
  return destination && !pretty ? pino(options, destination) : pino(options);
}
