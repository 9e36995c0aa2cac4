// npm run bench:count — the pure counting core on a large ranked poll: --ballots ballots over
// --options options, drawn from a seeded popularity model (Plackett–Luce over Zipf weights,
// most voters ranking a few options, some ranking many), aggregated into distinct rankings as
// the fold keeps them; then each count (compile included) timed --runs times.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { countIrv } from '../src/domain/count/irv.ts';
import { type BallotProfile, compileProfile } from '../src/domain/count/profile.ts';
import { countSchulze } from '../src/domain/count/schulze.ts';
import { countScottishStv } from '../src/domain/count/stv-scottish.ts';
import { machine, median, table } from './harness.ts';

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

/** mulberry32: a small seeded generator, so every run counts the same poll. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** How many options a voter ranks: mostly a few, a tail ranking many (bullet votes included). */
function rankLength(random: () => number): number {
  const r = random();
  if (r < 0.15) return 1;
  if (r < 0.3) return 2;
  if (r < 0.5) return 3;
  if (r < 0.65) return 4;
  if (r < 0.75) return 5;
  if (r < 0.9) return 6 + Math.floor(random() * 5);
  return 11 + Math.floor(random() * (optionCount - 10));
}

function makeProfile(): BallotProfile {
  const random = generator(Number(values.seed));
  const options = Array.from({ length: optionCount }, (_, i) => `option-${i + 1}`);
  // Zipf-like popularity, so a few options lead and many trail, as in real polls.
  const weight = options.map((_, i) => 1 / (i + 1) ** 0.9);
  const counts = new Map<string, { ranking: string[]; count: number }>();
  const left = new Array<number>(optionCount);
  for (let b = 0; b < totalBallots; b++) {
    for (let i = 0; i < optionCount; i++) left[i] = weight[i]!;
    let mass = left.reduce((a, w) => a + w, 0);
    const ranking: string[] = [];
    for (let k = rankLength(random); k > 0; k--) {
      let pick = random() * mass - left[0]!;
      let i = 0;
      while (i < optionCount - 1 && pick > 0) pick -= left[++i]!;
      if (left[i] === 0) i = left.findIndex((w) => w > 0);
      ranking.push(options[i]!);
      mass -= left[i]!;
      left[i] = 0;
    }
    const key = ranking.join('\u0000');
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { ranking, count: 1 });
  }
  return { options, ballots: [...counts.values()] };
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
