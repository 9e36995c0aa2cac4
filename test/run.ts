// Runs every uvu test file in one process, then prints the plain totals line
// `N passed, N failed` and exits — whatever handles a failed test left open.
import { stripVTControlCharacters } from 'node:util';
import { parse } from 'uvu/parse';
import { run } from 'uvu/run';
import { contractChecker } from './helpers/contract.ts';

const pattern = process.argv[2] ?? '\\.test\\.ts$';
// 13 min: the suite took 10–11 min on a slow day of this 2-core machine (2026-11-30), and CI,
// with npm ci and the checks before it, must end within 15.
const WATCHDOG_MS = Number(process.env.VS_TEST_TIMEOUT_MS ?? 780_000);

let output = '';
/** When uvu printed each file's name (it prints it as the file's suites start): file times. */
const fileStarts: { file: string; at: number }[] = [];
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  output += text;
  for (const [, file] of stripVTControlCharacters(text).matchAll(/^(\S+\.test\.ts)$/gm))
    fileStarts.push({ file: file!, at: performance.now() });
  return write(chunk, ...rest);
}) as typeof process.stdout.write;

const watchdog = setTimeout(() => {
  console.error(`\ntest run exceeded ${WATCHDOG_MS} ms: stopping`);
  finish(1);
}, WATCHDOG_MS);
watchdog.unref();
// Tests whose own timers are unref'd (the read ticker's) must not see the process exit under
// them when nothing else happens to hold the event loop open; finish() exits regardless.
setInterval(() => {}, 60_000);

const ctx = await parse('test', pattern, {});
await run(ctx.suites, { bail: false });
finish(Number(process.exitCode ?? 0));

function finish(code: number): never {
  // uvu prints "Total: N" and "Passed: N"; strip its colour codes before reading them.
  const plain = stripVTControlCharacters(output);
  const total = Number(plain.match(/Total:\s+(\d+)/)?.[1] ?? 0);
  const passed = Number(plain.match(/Passed:\s+(\d+)/)?.[1] ?? 0);
  // The contract test (test/helpers/contract.ts): the replies the suite received against the
  // API document. A violation counts as one failed test.
  const contract = contractChecker();
  if (contract) write(`\n${contract.summary()}\n`);
  const violations = contract && contract.violationCount > 0 ? 1 : 0;
  // The slowest files: CI must end within 15 minutes, and this says where the time goes.
  const now = performance.now();
  const took = fileStarts.map(({ file, at }, i) => ({
    file,
    s: ((fileStarts[i + 1]?.at ?? now) - at) / 1000,
  }));
  if (took.length > 1) {
    const slowest = took.sort((a, b) => b.s - a.s).slice(0, 12);
    write(`\nslowest files: ${slowest.map((t) => `${t.file} ${t.s.toFixed(0)} s`).join(', ')}\n`);
  }
  const failed = total - passed + violations + (code !== 0 && total === passed ? 1 : 0);
  write(`\n${passed} passed, ${failed} failed\n`);
  process.exit(failed > 0 || total === 0 ? 1 : 0);
}
