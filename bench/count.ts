// npm run bench:count — the pure counting core on a large ranked poll: --ballots ballots over
// --options options, drawn from a seeded popularity model (bench/ranked-ballots.ts),
// aggregated into distinct rankings as the fold keeps them; then each count (compile included)
// timed --runs times.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { countIrv } from '../src/domain/count/irv.ts';
import { type BallotProfile, compileProfile } from '../src/domain/count/profile.ts';
import { countSchulze } from '../src/domain/count/schulze.ts';
import { countScottishStv } from '../src/domain/count/stv-scottish.ts';
import { machine, median, table } from './harness.ts';
import { benchOptions, rankedBallots } from './ranked-ballots.ts';

const { values } = parseArgs({
  options: {
    ballots: { type: 'string', default: '1000000' },
    options: { type: 'string', default: '35' },
    runs: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
  },
});
const totalBallots = Number(values.ballots);
const optionCount = Number(values.options);
const runs = Number(values.runs);

function makeProfile(): BallotProfile {
  const counts = new Map<string, { ranking: string[]; count: number }>();
  for (const ranking of rankedBallots(totalBallots, optionCount, Number(values.seed))) {
    const key = ranking.join('\u0000');
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { ranking, count: 1 });
  }
  return { options: benchOptions(optionCount), ballots: [...counts.values()] };
}

/** Wall and CPU (user + system, all threads: the GC's helpers too) ms of each run. */
function time(run: () => unknown): { wall: number[]; cpu: number[]; last: unknown } {
  const wall: number[] = [];
  const cpu: number[] = [];
  let last: unknown;
  for (let i = 0; i < runs; i++) {
    const startCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    last = run();
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1e3);
  }
  return { wall, cpu, last };
}

const built = Date.now();
const profile = makeProfile();
console.log(
  `${totalBallots} ballots over ${optionCount} options: ${profile.ballots.length} distinct rankings ` +
    `(generated in ${Date.now() - built} ms)`,
);

const loadBefore = loadavg()[0]!;
const rows: (string | number)[][] = [];
const rounds = (result: unknown) => (result as { rounds: unknown[] }).rounds.length;
const measure = (
  name: string,
  run: () => unknown,
  detail: (result: unknown) => number | string,
) => {
  const { wall, cpu, last } = time(run);
  rows.push([
    name,
    totalBallots,
    profile.ballots.length,
    detail(last),
    median(wall).toFixed(0),
    Math.min(...wall).toFixed(0),
    median(cpu).toFixed(0),
  ]);
};
measure(
  'compile profile only',
  () => compileProfile(profile),
  () => '—',
);
measure('IRV', () => countIrv(profile, { seed: 'bench' }), rounds);
measure(
  'IRV, batch elimination',
  () => countIrv(profile, { seed: 'bench', batchElimination: true }),
  rounds,
);
measure(
  'Scottish STV, 4 seats',
  () => countScottishStv(profile, { seats: 4, seed: 'bench' }),
  rounds,
);
measure(
  'Schulze',
  () => countSchulze(profile, { seed: 'bench' }),
  () => '—',
);

console.log(
  `\n${machine()}; load average before: ${loadBefore.toFixed(2)}, after: ` +
    `${loadavg()[0]!.toFixed(2)}; ${runs} runs each (compile included in every count)\n`,
);
console.log(
  table(
    ['count', 'ballots', 'distinct rankings', 'rounds', 'median ms', 'min ms', 'median CPU ms'],
    rows,
  ),
);
