// `npm run chaos [-- --only b,c --rate 500 --duration 20]`: runs the chaos scenarios one after
// another, prints a line per step, writes docs/reliability.md and exits 1 on any loss,
// duplicate, mismatch, unequal tallies, broken chain or scenario that could not run.
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { netnsAvailable } from './netns.ts';
import { type RunContext, writeReport } from './report.ts';
import { runScenario, type ScenarioResult } from './run-scenario.ts';
import { SCENARIOS } from './scenarios.ts';

const DEFAULT_OUT = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url));

const program = new Command('chaos')
  .description('inject faults into a local cluster under load and check that no vote is lost')
  .addOption(
    new Option('--only <ids>', 'scenarios by letter or name, comma-separated').default(
      SCENARIOS.filter((s) => !s.onlyOnRequest)
        .map((s) => s.id)
        .join(','),
    ),
  )
  .addOption(new Option('--rate <n>', 'votes per second').default('500'))
  .addOption(new Option('--duration <s>', 'seconds of load per scenario').default('20'))
  .addOption(new Option('--seed <n>', 'seed of the vote generator').default('1'))
  .addOption(
    new Option('--observe-ms <ms>', 'how often the observer polls GET /cluster per node').default(
      '100',
    ),
  )
  .addOption(new Option('--out <file>', 'where the markdown report goes').default(DEFAULT_OUT))
  .option('--keep', 'keep every scenario folder (logs), not only those of failed scenarios')
  .addHelpText('after', `\nScenarios:\n${SCENARIOS.map((s) => `  ${s.id} ${s.name}`).join('\n')}`)
  .action(async (flags: Record<string, string | boolean | undefined>) => {
    const rate = positive('rate', String(flags.rate));
    const durationS = positive('duration', String(flags.duration));
    const wanted = String(flags.only)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const chosen = SCENARIOS.filter((s) => wanted.includes(s.id) || wanted.includes(s.name));
    const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.id === w || s.name === w));
    if (unknown.length || !chosen.length)
      throw new RangeError(`unknown scenario ${unknown.join(', ') || '(none chosen)'}`);
    const netns = await netnsAvailable();
    const context: RunContext = {
      command: [
        'npm run chaos',
        ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
      ].join(' '),
      date: new Date().toISOString(),
      nproc: availableParallelism(),
      node: process.version,
      redis: execFileSync('redis-server', ['--version']).toString().trim().split(' sha=')[0]!,
      netns: netnsText(netns),
      observeMs: positive('observe-ms', String(flags.observeMs)),
      load: { before: loadavg()[0]! },
      skipped: [],
    };
    const results: ScenarioResult[] = [];
    for (const [i, scenario] of chosen.entries()) {
      if (scenario.needsNetns && !netns.ok) {
        context.skipped.push({ id: scenario.id, name: scenario.name, why: netns.detail });
        console.log(`[${scenario.id} ${scenario.name}] skipped: ${netns.detail}`);
        continue;
      }
      const result = await runScenario(scenario, {
        rate,
        durationS,
        seed: Number(flags.seed) + i,
        observeMs: positive('observe-ms', String(flags.observeMs)),
        keep: Boolean(flags.keep),
        log: (line) => console.log(line),
      });
      results.push(result);
      console.log(
        `[${scenario.id} ${scenario.name}] ${result.passed ? 'PASS' : 'FAIL'}${result.problems.length ? `: ${result.problems.slice(0, 5).join(' | ')}` : ''}${result.passed && !flags.keep ? '' : ` (folder ${result.dir})`}`,
      );
    }
    context.load.after = loadavg()[0]!;
    writeReport(String(flags.out), results, context);
    const failed = results.filter((r) => !r.passed);
    console.log(
      `\n${results.length - failed.length} of ${results.length} scenarios passed; report: ${flags.out}`,
    );
    process.exit(failed.length ? 1 : 0);
  });

function netnsText(n: { ok: boolean; detail: string }): string {
  return n.ok
    ? 'Tried `ip netns add` (as root, in the sandbox): it works, so scenario g runs n3 in its own ' +
        "namespace, joined to the host by a veth pair. Redis binds the host end's address (10.231.X.1), " +
        'so the processes on the host reach it there and n3 reaches it only through the veth; n3 serves ' +
        'HTTP on the namespace end (10.231.X.2). The partition is `ip link set <veth> down` inside the ' +
        'namespace: n3 loses Redis and its clients at once (connections fail with ENETUNREACH), while ' +
        'every other process keeps its Redis.'
    : `Tried \`ip netns add\`: ${n.detail}. The partition scenario (g) was skipped.`;
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new RangeError(`--${name} must be a positive number, got ${value}`);
  return n;
}

// Ctrl-C: exit through the exit hooks, which SIGKILL every node and Redis server by pid and
// remove the namespace.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof RangeError) {
    process.stderr.write(`chaos: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
