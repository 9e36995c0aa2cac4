// The variables whose field is more than their validated value: lists, seeds, a computed default.
import { hostname } from 'node:os';
import { ConfigError } from './config-error.ts';

/** A Redis Cluster seed. */
export interface Seed {
  host: string;
  port: number;
}

/**
 * The node id, or when unset `<hostname>-<port>`: unique per host and port without setup.
 * @param env the validated variables; only `VS_HTTP_PORT` is read.
 */
export function nodeIdOrDefault(
  id: string | undefined,
  env: { readonly VS_HTTP_PORT: number },
): string {
  if (id !== undefined) return id;
  const host = hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 40);
  return `${host}-${env.VS_HTTP_PORT}`;
}

/** A comma-separated list, trimmed, without empty items or repeats; frozen. */
export function parseList(value: string | undefined): readonly string[] {
  if (!value) return Object.freeze([]);
  return Object.freeze([
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]);
}

/**
 * `VS_REDIS_CLUSTER`'s host:port seeds (its schema has checked the shape); frozen.
 * @throws ConfigError for a port out of range.
 */
export function parseSeeds(value: string | undefined): readonly Seed[] {
  const seeds = parseList(value).map((seed) => {
    const at = seed.lastIndexOf(':');
    const port = Number(seed.slice(at + 1));
    if (port < 1 || port > 65535) {
      throw new ConfigError(
        `VS_REDIS_CLUSTER=${JSON.stringify(value)} is invalid: port ${port} is out of range`,
      );
    }
    return { host: seed.slice(0, at), port };
  });
  return Object.freeze(seeds);
}
