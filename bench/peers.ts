// npm run bench:peers — votestream beside what a team would deploy instead for the same job
// (one counted vote per voter, idempotent, acknowledged once durable): PostgreSQL with and
// without a synchronous standby, NATS JetStream KV on 1 server and on 3 with replicas 3, a
// counter on Redis Cluster, and the empty route as the ceiling. Each system runs alone (started
// for its run, stopped after it); the order rotates every round; medians of the rounds.
// Installs nothing: a peer whose binary is missing is skipped and says which package it needs.
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { load, machine, machineCpu, table } from './harness.ts';
import { benchSystems, SYSTEM_IDS, type SystemId } from './peers/systems.ts';
import { type PeersResult, peersTable, withMedians } from './peers-table.ts';

const HELP = `npm run bench:peers -- [options]

  --seconds N      measured seconds per system and round (default 8)
  --rounds N       rounds; each starts every system afresh, order rotated (default 3)
  --warmup N       unmeasured seconds of the same load first, per run (default 2)
  --connections N  autocannon connections (default 64)
  --pg-pool N      node-postgres pool size of the PostgreSQL peers (default 8)
  --only a,b       systems to run: ${SYSTEM_IDS.join(', ')}
  --json           print one JSON line of the medians last

Each row: votes/s, p50 and p99 latency (medians of the rounds), the ratio to votestream with 3
nodes, non-2xx answers and errors, the whole machine's busy CPU time (/proc/stat: user, nice,
system, irq, softirq; every process, the load generator too) per request answered over the
measured seconds ("per vote": every request is a vote, and non-2xx should be 0), and that time
as a share of all cores ("cores busy"; near 100 %, votes/s is bound by the machine's CPU).

Needs Debian packages postgresql and nats-server for those peers (skipped, and said so, when
missing), redis-server for the rest. Starts its own servers on free ports; stops them all.`;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    'pg-pool': { type: 'string', default: '8' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
// Ctrl-C or a kill: exit through process.exit, so the exit handlers of bench/peers/ and the
// harness stop the servers this run started (Node's default for these signals skips them).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const pgPool = Number(values['pg-pool']);
const only = values.only?.split(',');
const unknown = only?.filter((id) => !SYSTEM_IDS.includes(id as SystemId));
if (unknown?.length) throw new Error(`--only: unknown ${unknown.join(', ')}; known: ${SYSTEM_IDS}`);

const systems = benchSystems({ pgPool }).filter((s) => !only || only.includes(s.id));
const result: PeersResult = {
  machine: machine(),
  seconds,
  rounds,
  warmupSeconds: warmup,
  connections,
  pgPool,
  loadBefore: loadavg(),
  loadAfter: [],
  systems: {},
};
for (const s of systems) {
  const skipped = s.missing();
  result.systems[s.id] = { label: s.label, runs: [], ...(skipped ? { skipped } : {}) };
  if (skipped) process.stderr.write(`\n!! SKIPPED ${s.id}: ${skipped}\n`);
}

let voter = 0;
// Each voter new, one choice: every request is a vote the store must record and count.
const vote = () => JSON.stringify({ pollId: 'bench', voterId: `voter-${voter++}`, choices: ['b'] });
const runnable = systems.filter((s) => !result.systems[s.id]!.skipped);
for (let round = 0; round < rounds; round++) {
  const order = runnable.map((_, i) => runnable[(i + round) % runnable.length]!);
  for (const system of order) {
    process.stderr.write(`round ${round + 1}/${rounds}: ${system.id}\n`);
    const row = result.systems[system.id]!;
    let running: Awaited<ReturnType<typeof system.start>>;
    try {
      running = await system.start();
    } catch (error) {
      // A peer that cannot start here (a setup this machine refuses) is reported, not fatal.
      row.failed = error instanceof Error ? error.message : String(error);
      process.stderr.write(`\n!! ${system.id} did not start: ${row.failed}\n`);
      continue;
    }
    try {
      if (warmup > 0) await load(running.urls, vote, { connections, seconds: warmup });
      const busyBefore = machineCpu();
      const r = await load(running.urls, vote, { connections, seconds });
      const busy = machineCpu() - busyBefore;
      row.runs.push({
        rps: r.rps,
        p50: r.p50,
        p99: r.p99,
        bad: r.non2xx + r.errors,
        cpuPerVoteUs: busy / Math.max(1, r.total),
        busyShare: busy / (seconds * 1e6 * cpus().length),
      });
    } finally {
      await running.stop();
    }
  }
}
result.loadAfter = loadavg();
for (const row of Object.values(result.systems)) withMedians(row);

console.log(
  `\n${result.machine}; median of ${rounds} × ${seconds} s (after ${warmup} s warm-up each), ` +
    `${connections} connections, single votes, each voter new; PostgreSQL pool ${pgPool}`,
);
console.log(
  `load average (1 / 5 / 15 min) before: ${result.loadBefore.map((x) => x.toFixed(2)).join(' / ')}; after: ${result.loadAfter.map((x) => x.toFixed(2)).join(' / ')}\n`,
);
console.log(table(...peersTable(result)));
if (values.json) console.log(JSON.stringify(result));
