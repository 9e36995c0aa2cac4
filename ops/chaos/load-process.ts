// The load generator as its own process (`votestream load --verify --json`): a fault in a node
// cannot stall it, and what it counts as acknowledged is exactly what a client saw. Its
// progress lines (stderr) go to a file; its summary is the last line of stdout.
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { LoadSummary } from '../../src/tools/load/run.ts';

const BIN = fileURLToPath(new URL('../../bin/votestream.js', import.meta.url));

export interface LoadRun {
  child: ResultPromise;
  /** The summary, and the process's exit code (1 when --verify found a problem). */
  result: Promise<{ summary: LoadSummary; exitCode: number }>;
}

/** Starts the load generator against every target, retrying 503s with the same voteId. */
export function startLoad(o: {
  targets: string[];
  rate: number;
  durationS: number;
  seed: number;
  adminToken: string;
  progressFile: string;
  connections?: number;
}): LoadRun {
  const child = execa(
    'node',
    [
      BIN,
      'load',
      '--target',
      o.targets.join(','),
      '--rate',
      String(o.rate),
      '--duration',
      `${o.durationS}s`,
      '--connections',
      String(o.connections ?? 64),
      // A few client retries of acknowledged voteIds and a few revotes, so duplicates and
      // replacements are exercised under faults too.
      '--duplicates',
      '0.02',
      '--revotes',
      '0.02',
      '--polls',
      '2',
      '--seed',
      String(o.seed),
      '--verify',
      '--verify-timeout',
      '90s',
      '--json',
    ],
    {
      env: { VS_ADMIN_TOKEN: o.adminToken },
      reject: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    },
  );
  child.stderr?.pipe(createWriteStream(o.progressFile));
  const result = (async () => {
    const done = await child;
    const last = String(done.stdout).trim().split('\n').at(-1) ?? '';
    try {
      return { summary: JSON.parse(last) as LoadSummary, exitCode: done.exitCode ?? 1 };
    } catch {
      throw new Error(
        `votestream load ended (${done.exitCode ?? done.signal}) without a JSON summary; see ${o.progressFile}`,
      );
    }
  })();
  return { child, result };
}
