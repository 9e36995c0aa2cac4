// The addresses the commands take (load, tokens and roll --target, rebuild --compare, replay
// --into): checked when the flags are read, so a mistyped address is a usage error (one line,
// exit 2), not a TypeError from deep in the first request or a wait for a Redis.
import { InvalidArgumentError, Option } from 'commander';

/** --target of a command that asks one node (tokens, roll). */
export function targetOption(): Option {
  return new Option('--target <url>', 'a node to ask')
    .default('http://127.0.0.1:3001')
    .argParser(nodeUrl);
}

/** One http(s) URL of a node, without a trailing slash. @throws InvalidArgumentError. */
export function nodeUrl(value: string): string {
  const trimmed = value.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new InvalidArgumentError(`${trimmed || '""'} is not a URL (e.g. http://127.0.0.1:3001)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`${trimmed} is not an http or https URL`);
  return trimmed.replace(/\/$/, '');
}

/** Comma-separated node URLs (load --target), each as nodeUrl gives it. @throws InvalidArgumentError. */
export function nodeUrls(value: string): string {
  return value.split(',').map(nodeUrl).join(',');
}

/**
 * replay --into: a redis:// or rediss:// URL, or cluster seeds host:port,… — checked when the
 * flags are read (ftp://x waited 5 s for a Redis, then blamed it). @throws InvalidArgumentError.
 */
export function redisTarget(value: string): string {
  const trimmed = value.trim();
  if (trimmed.includes('://')) {
    let protocol = '';
    try {
      protocol = new URL(trimmed).protocol;
    } catch {
      // Reported below.
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:')
      throw new InvalidArgumentError(`${trimmed} is not a redis:// or rediss:// URL`);
    return trimmed;
  }
  const seeds = trimmed.split(',').map((s) => s.trim());
  if (!seeds.every((s) => /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(s)))
    throw new InvalidArgumentError(
      `${trimmed || '""'} is neither a redis:// URL nor cluster seeds host:port,…`,
    );
  return seeds.join(',');
}
