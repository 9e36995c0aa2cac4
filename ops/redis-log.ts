// Reading a local redis-server's own log (`<dir>/<port>/redis.log`): where it ends now, and
// what it said after that, so that a server killed for not stopping says why it did not.

import { readFileSync, statSync } from 'node:fs';

/** The log's size in bytes now; 0 when there is none yet. */
export function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** What the log gained after byte `from`, summed up by `logGist`; empty when nothing. */
export function logSince(file: string, from: number): string {
  try {
    return logGist(readFileSync(file).subarray(from).toString('utf8'));
  } catch {
    return '';
  }
}

/**
 * A log excerpt on one line: its last three warnings (`#`: a refused shutdown says why
 * there), else its last three lines; each without the pid, role and date.
 */
export function logGist(text: string): string {
  const lines = text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.replace(/^\d+:[A-Z] \d+ \w+ \d+ /, ''));
  const warnings = lines.filter((l) => /^[\d:.]+ # /.test(l));
  return (warnings.length ? warnings : lines).slice(-3).join(' | ');
}
