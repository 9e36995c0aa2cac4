// Signals a real process and measures how it ends: the stop tests of node, load, replay and up.
import { readFileSync } from 'node:fs';
import type { ResultPromise } from 'execa';

export interface Ended {
  /** From the signal to the exit. */
  ms: number;
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  /** True when the process had not exited within the limit and the test killed it. */
  killedByTest: boolean;
}

/**
 * Sends `signal` to the child by pid (not through execa, which would add its own SIGKILL) and
 * waits for it to exit; past `limitMs` the test kills it (SIGKILL) and says so in the result.
 */
export async function signalAndWait(
  child: ResultPromise,
  signal: NodeJS.Signals,
  limitMs: number,
  { second }: { second?: { afterMs: number; signal: NodeJS.Signals } } = {},
): Promise<Ended> {
  const started = performance.now();
  process.kill(child.pid!, signal);
  const again = second
    ? setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null)
          process.kill(child.pid!, second.signal);
      }, second.afterMs)
    : undefined;
  let killedByTest = false;
  const limit = setTimeout(() => {
    killedByTest = true;
    child.kill('SIGKILL');
  }, limitMs);
  const result = await child;
  const ms = performance.now() - started;
  clearTimeout(limit);
  clearTimeout(again);
  return {
    ms,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    killedByTest,
  };
}

/** The JSON lines of a node's log file. */
export function logLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** How a stop ended, for an assertion's message. */
export function described(ended: Ended): string {
  return `exit ${ended.exitCode ?? ended.signal} after ${Math.round(ended.ms)} ms${ended.killedByTest ? ' (killed by the test: it did not stop)' : ''}`;
}
