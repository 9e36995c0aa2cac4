// One of the processes test/run.ts runs the suite in: runs the test files the coordinator
// sends, one at a time, each as its own uvu run, and sends back each file's output and counts.
// Everything the tests write to stdout is captured per file, so the coordinator can print each
// file's lines together whatever the other processes print meanwhile.
import { pathToFileURL } from 'node:url';
import { contractChecker } from './helpers/contract.ts';
import { type FromCoordinator, type ToCoordinator, uvuTotals } from './run-messages.ts';

const uvuGlobals = globalThis as {
  UVU_DEFER?: number;
  UVU_QUEUE?: unknown[][];
  UVU_INDEX?: number;
};
// Set before uvu loads: its tests then wait for exec() instead of running on import.
uvuGlobals.UVU_DEFER = 1;
const uvu = await import('uvu');

let captured = '';
let running: string | undefined;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
  if (callback) queueMicrotask(callback);
  return true;
}) as typeof process.stdout.write;

// Stopped by the coordinator (its watchdog, an interrupted run): exit, so the exit handlers stop
// the Redis servers and nodes this process started (test/helpers/redis-cluster.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
// Exiting mid-file (a test called process.exit, the watchdog): what that file printed so far.
process.on('exit', () => {
  if (running && captured) write(`${captured}\n`);
});

function send(message: ToCoordinator, then?: () => void): void {
  process.send!(message, undefined, {}, () => then?.());
}

async function runFile(name: string, file: string): Promise<void> {
  captured = '';
  running = name;
  uvuGlobals.UVU_QUEUE = [[name]];
  uvuGlobals.UVU_INDEX = 0;
  const started = performance.now();
  let total = 0;
  let passed = 0;
  let output: string;
  try {
    await import(pathToFileURL(file).href);
    await uvu.exec(false);
    ({ total, passed } = uvuTotals(captured));
    // uvu's totals for this one file; the coordinator prints the run's.
    output = captured.slice(0, captured.lastIndexOf('\n  Total:'));
  } catch (error) {
    // A file that cannot even load: one failure, with what went wrong.
    output = `${captured}${name}\n  could not run: ${(error as Error).stack ?? String(error)}\n`;
    total = Math.max(total, passed + 1);
  }
  running = undefined;
  send({ type: 'result', name, output, total, passed, ms: performance.now() - started });
}

process.on('message', (message: FromCoordinator) => {
  if (message.type === 'run') void runFile(message.name, message.file);
  else send({ type: 'contract', state: contractChecker()?.state() }, () => process.exit(0));
});
send({ type: 'ready' });
