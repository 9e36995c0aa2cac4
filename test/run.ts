// Runs every uvu test file, then prints the plain totals line `N passed, N failed` and exits —
// whatever handles a failed test left open.
//
// The files run in VS_TEST_PROCESSES processes (default 2) that each take the next file from
// one queue (test/run-worker.ts): a run in one process kept this 2-core machine's CPUs about
// two-thirds idle (vmstat over a whole run, 2026-11-30: 63 % idle), as most tests wait on
// Redis, nodes and timers. Each process starts its own shared Redis Cluster. With one process,
// or one file, everything runs in this process, as uvu's own runner does.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { parse } from 'uvu/parse';
import { run } from 'uvu/run';
import {
  type ContractChecker,
  type ContractState,
  contractChecker,
  mergedContract,
} from './helpers/contract.ts';
import { type FromCoordinator, type ToCoordinator, uvuTotals } from './run-messages.ts';

const pattern = process.argv[2] ?? '\\.test\\.ts$';
// 13 min: the suite took 10–12 min in one process on a slow day of this 2-core machine
// (2026-11-30), and CI, with npm ci and the checks before it, must end within 15.
const WATCHDOG_MS = Number(process.env.VS_TEST_TIMEOUT_MS ?? 780_000);
const PROCESSES = Math.max(1, Number(process.env.VS_TEST_PROCESSES ?? 2) || 1);

const write = process.stdout.write.bind(process.stdout);
/** Each file's wall time, for the slowest-files line: CI must end within 15 minutes. */
const fileTimes: { file: string; s: number }[] = [];
let testsTotal = 0;
let testsPassed = 0;
/** Files whose process exited before they finished: each counts as a failed test. */
let filesLost = 0;

// Tests whose own timers are unref'd (the read ticker's) must not see the process exit under
// them when nothing else happens to hold the event loop open; finish() exits regardless.
setInterval(() => {}, 60_000);

// A pattern picks among the test files: helpers (test/domain/chain-builder.ts) are no suites.
const suites = (await parse('test', pattern, {})).suites.filter((s) => s.name.endsWith('.test.ts'));
if (PROCESSES > 1 && suites.length > 1) await runInProcesses(Math.min(PROCESSES, suites.length));
else await runHere();

/** The old way: every file in this process, one uvu run. */
async function runHere(): Promise<never> {
  let output = '';
  const fileStarts: { file: string; at: number }[] = [];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    output += text;
    for (const [, file] of stripVTControlCharacters(text).matchAll(/^(\S+\.test\.ts)$/gm))
      fileStarts.push({ file: file!, at: performance.now() });
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  const watchdog = setTimeout(() => {
    console.error(`\ntest run exceeded ${WATCHDOG_MS} ms: stopping`);
    countFrom(output);
    finish(1, contractChecker());
  }, WATCHDOG_MS);
  watchdog.unref();
  await run(suites, { bail: false });
  const now = performance.now();
  for (const [i, { file, at }] of fileStarts.entries())
    fileTimes.push({ file, s: ((fileStarts[i + 1]?.at ?? now) - at) / 1000 });
  countFrom(output);
  return finish(Number(process.exitCode ?? 0), contractChecker());
}

function countFrom(output: string): void {
  ({ total: testsTotal, passed: testsPassed } = uvuTotals(output));
}

/**
 * `count` test processes, each given the next file of one queue when it finishes one. A process
 * that dies mid-file counts that file as failed, and a new one takes the rest of the queue.
 */
async function runInProcesses(count: number): Promise<never> {
  const queue = [...suites];
  const states: ContractState[] = [];
  const workers = new Set<ChildProcess>();
  const inFlight = new Map<ChildProcess, { name: string; at: number }>();
  let stopping = false;
  const started = performance.now();
  write(`running ${suites.length} test files in ${count} processes\n`);

  let allDone = () => {};
  const allExited = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const next = (worker: ChildProcess) => {
    const suite = stopping ? undefined : queue.shift();
    const message: FromCoordinator = suite
      ? { type: 'run', name: suite.name, file: suite.file }
      : { type: 'done' };
    if (suite) inFlight.set(worker, { name: suite.name, at: performance.now() });
    worker.send(message);
  };
  // Each process its own ports (ops/free-ports.ts): a test that relies on a port where nothing
  // listens once saw the other process's Redis start there. A process started in place of
  // one that died takes the dead one's slice.
  const freeSlices = Array.from({ length: count }, (_, i) => i);
  const sliceOf = new Map<ChildProcess, number>();
  const spawn = () => {
    const slice = freeSlices.shift() ?? 0;
    const worker = fork(fileURLToPath(new URL('./run-worker.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, VS_PORT_SLICE: `${slice}/${count}` },
    });
    sliceOf.set(worker, slice);
    workers.add(worker);
    let ready = false;
    worker.on('message', (message: ToCoordinator) => {
      if (message.type === 'ready') {
        ready = true;
        next(worker);
      } else if (message.type === 'result') {
        inFlight.delete(worker);
        write(`${message.output}\n`);
        testsTotal += message.total;
        testsPassed += message.passed;
        fileTimes.push({ file: message.name, s: message.ms / 1000 });
        next(worker);
      } else if (message.state) states.push(message.state);
    });
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      freeSlices.push(sliceOf.get(worker)!);
      const lost = inFlight.get(worker);
      inFlight.delete(worker);
      if (lost) {
        filesLost++;
        write(
          `${lost.name}\n  its test process exited (${signal ?? `code ${code}`}) after ${((performance.now() - lost.at) / 1000).toFixed(0)} s, before the file finished: counted as 1 failed\n\n`,
        );
      }
      // One that could not even start would fail the same way again: stop instead.
      if (!ready) stop(`a test process exited before it was ready (${signal ?? `code ${code}`})`);
      if (!stopping && queue.length > 0) spawn();
      else if (workers.size === 0) allDone();
    });
  };
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    write(
      `\n${why}; files still running: ${[...inFlight.values()].map((f) => f.name).join(', ') || 'none'}\n`,
    );
    // SIGTERM: each process exits through its exit handlers, which stop its Redis servers.
    for (const worker of workers) worker.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of workers) worker.kill('SIGKILL');
    }, 15_000).unref();
  };
  const watchdog = setTimeout(
    () => stop(`test run exceeded ${WATCHDOG_MS} ms: stopping`),
    WATCHDOG_MS,
  );
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => stop(`${signal}: stopping the test processes`));

  for (let i = 0; i < count; i++) spawn();
  await allExited;
  clearTimeout(watchdog);
  // A file whose process died counts as one test, failed.
  write(
    `\n  Total:     ${testsTotal + filesLost}\n  Passed:    ${testsPassed}\n  Duration:  ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const stoppedEarly = stopping || queue.length > 0 ? 1 : 0;
  return finish(stoppedEarly, mergedContract(states));
}

function finish(code: number, contract: ContractChecker | undefined): never {
  // The contract test (test/helpers/contract.ts): the replies the suite received against the
  // API document. A violation counts as one failed test.
  if (contract) write(`\n${contract.summary()}\n`);
  const violations = contract && contract.violationCount > 0 ? 1 : 0;
  if (fileTimes.length > 1) {
    const slowest = [...fileTimes].sort((a, b) => b.s - a.s).slice(0, 12);
    write(`\nslowest files: ${slowest.map((t) => `${t.file} ${t.s.toFixed(0)} s`).join(', ')}\n`);
  }
  const failed =
    testsTotal -
    testsPassed +
    violations +
    filesLost +
    (code !== 0 && testsTotal === testsPassed && filesLost === 0 ? 1 : 0);
  write(`\n${testsPassed} passed, ${failed} failed\n`);
  process.exit(failed > 0 || testsTotal === 0 ? 1 : 0);
}
