// One scenario from start to teardown: fresh folder and cluster, load in its own process,
// faults on the schedule, then the checks (load --verify, node against node, replay --verify).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareNodes, verifyChains } from './consistency.ts';
import { type Injection, injectFault, sleep } from './faults.ts';
import { type LoadRun, startLoad } from './load-process.ts';
import { firstCommitAt, maxCommitGapMs } from './measures.ts';
import { createNetns, type Netns } from './netns.ts';
import { Observer } from './observer.ts';
import { countLogEvents, describeLeadership } from './scenario-notes.ts';
import type { Scenario } from './scenarios.ts';
import { NODE_IDS, Stage } from './stage.ts';

export interface ScenarioResult {
  id: string;
  name: string;
  rate: number;
  durationS: number;
  sent: number;
  acknowledged: number;
  retried: number;
  /** Acknowledged votes per second over the load's run (the rate the machine delivered). */
  throughput: number;
  statuses: Record<string, number>;
  p99Ms: number | null;
  lost: number | null;
  duplicated: number | null;
  mismatched: number | null;
  talliesEqual: boolean;
  chainsIntact: boolean;
  maxCommitGapS: number | null;
  /**
   * Seconds per shard (index = shard) while the load sent in which a vote of that shard waited,
   * none of it was acknowledged and one was refused (stretches of 1 s or more;
   * src/tools/shard-outages.ts).
   */
  unavailableS: number[] | null;
  /** Those stretches, in seconds from the load's start. */
  outages: { shard: number; fromS: number; toS: number }[];
  /** Slowest time to a new leader over the faults that changed the leader; null: none did. */
  newLeaderS: number | null;
  /** One line per fault: what was hit, and the leader change it caused, if any. */
  events: string[];
  /** State changes the nodes logged (event → count per node), e.g. fenced, chain_break. */
  logEvents: string;
  leaders: string;
  problems: string[];
  passed: boolean;
  /** The scenario's folder (node logs, Redis logs, load progress); kept when it failed. */
  dir: string;
}

export interface RunOptions {
  rate: number;
  durationS: number;
  seed: number;
  /** The observer's polling interval per node. */
  observeMs: number;
  keep: boolean;
  log: (line: string) => void;
}

/** Runs one scenario; never throws: a failure to run is a failed result with the reason. */
export async function runScenario(s: Scenario, o: RunOptions): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), `votestream-chaos-${s.id}-`));
  const log = (line: string) => o.log(`[${s.id} ${s.name}] ${line}`);
  const result: ScenarioResult = {
    id: s.id,
    name: s.name,
    rate: o.rate,
    durationS: o.durationS,
    sent: 0,
    acknowledged: 0,
    retried: 0,
    throughput: 0,
    statuses: {},
    p99Ms: null,
    lost: null,
    duplicated: null,
    mismatched: null,
    talliesEqual: false,
    chainsIntact: false,
    maxCommitGapS: null,
    unavailableS: null,
    outages: [],
    newLeaderS: null,
    events: [],
    logEvents: '',
    leaders: '',
    problems: [],
    passed: false,
    dir,
  };
  let ns: Netns | undefined;
  let stage: Stage | undefined;
  let load: LoadRun | undefined;
  const cleanNs = () => {
    // Synchronous removal if the runner is interrupted: a namespace outlives its creator.
    for (const [cmd, ...args] of ns?.removeCommands ?? []) {
      try {
        execFileSync(cmd!, args, { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', cleanNs);
  try {
    if (s.needsNetns) ns = await createNetns();
    stage = new Stage({
      dir,
      ...(s.nodeEnv ? { nodeEnv: s.nodeEnv } : {}),
      ...(ns ? { netns: { nodeId: 'n3', ns } } : {}),
      ...(s.leaderFirst ? { leaderFirst: s.leaderFirst } : {}),
      ...(s.redisReplicas ? { redisReplicas: s.redisReplicas } : {}),
      ...(s.superviseRedis ? { superviseRedis: true } : {}),
      log,
    });
    await stage.up();
    const st = stage;
    const first = await st.leader();
    log(`cluster up (Redis ${st.seeds}); leader ${first.nodeId}, term ${first.term}; ${dir}`);
    const observer = new Observer(
      NODE_IDS.map((id) => ({ nodeId: id, url: () => st.url(id) })),
      o.observeMs,
    );
    observer.start();
    const loadStartedAt = performance.now();
    load = startLoad({
      targets: st.urls(),
      rate: o.rate,
      durationS: o.durationS,
      seed: o.seed,
      adminToken: st.adminToken,
      progressFile: join(dir, 'load-progress.log'),
      ...(s.loadConnections ? { connections: s.loadConnections } : {}),
    });
    let loadEnded = false;
    void load.result.finally(() => {
      loadEnded = true;
    });
    const t0 = await waitFor(
      () => firstCommitAt(observer.samples, loadStartedAt),
      () => loadEnded,
      30_000,
    );
    log(`load running at ${o.rate}/s for ${o.durationS} s; first commit seen`);
    const injections: Injection[] = [];
    for (const { at, fault } of s.faults) {
      const due = t0 + at * o.durationS * 1000;
      await sleep(Math.max(0, due - performance.now()));
      injections.push(
        await injectFault(fault, {
          stage: st,
          ...(ns ? { netns: { nodeId: 'n3', ns } } : {}),
          log,
        }),
      );
    }
    const { summary, exitCode } = await load.result;
    const samples = await observer.stop();
    Object.assign(result, {
      sent: summary.sent,
      acknowledged: summary.acknowledged,
      retried: summary.retried,
      throughput: summary.throughput,
      statuses: summary.statuses,
      p99Ms: summary.latencyMs.p99,
      lost: summary.lost,
      duplicated: summary.duplicated,
      mismatched: summary.mismatched,
      unavailableS: summary.unavailableS,
      outages: summary.outages ?? [],
    });
    result.problems.push(...summary.problems.slice(0, 20));
    if (exitCode !== 0) result.problems.push(`votestream load exited with ${exitCode}`);
    log(
      `load: ${summary.acknowledged} acknowledged of ${summary.sent}, ${summary.retried} retried, lost ${summary.lost}, duplicated ${summary.duplicated}, mismatched ${summary.mismatched}`,
    );
    result.maxCommitGapS = round1(maxCommitGapMs(samples, t0, t0 + o.durationS * 1000) / 1000);
    describeLeadership(result, injections, samples);
    for (const { at, line } of st.supervisorLines)
      result.events.push(
        `redis supervisor, ${round1((at - loadStartedAt) / 1000)} s into the load: ${line}`,
      );
    if (summary.unavailableS) {
      const hit = summary.unavailableS.filter((s) => s > 0).length;
      log(`unavailable: ${hit} shards, the worst ${Math.max(0, ...summary.unavailableS)} s`);
    }

    const differences = await compareNodes(
      NODE_IDS.map((id) => ({ nodeId: id, url: st.url(id) })),
      summary.polls,
      30_000,
    );
    result.talliesEqual = differences.length === 0;
    result.problems.push(...differences.slice(0, 20));
    const chains = await verifyChains(st.seeds, st.prefix);
    result.chainsIntact = chains.ok;
    if (!chains.ok) result.problems.push(`replay --verify: ${chains.detail.slice(0, 2000)}`);
    log(
      `tallies equal on every node: ${result.talliesEqual ? 'yes' : 'NO'}; chains intact: ${chains.ok ? 'yes' : 'NO'}; max commit gap ${result.maxCommitGapS} s`,
    );
    result.passed =
      exitCode === 0 &&
      summary.verified &&
      summary.lost === 0 &&
      summary.duplicated === 0 &&
      summary.mismatched === 0 &&
      result.talliesEqual &&
      result.chainsIntact;
  } catch (error) {
    result.problems.push(`the scenario could not run: ${(error as Error).stack ?? error}`);
    log(`ERROR ${(error as Error).message}`);
  } finally {
    load?.child.kill('SIGKILL');
    await stage?.down().catch((e: Error) => result.problems.push(`teardown: ${e.message}`));
    await ns?.remove();
    process.removeListener('exit', cleanNs);
    result.logEvents = countLogEvents(join(dir, 'logs'));
    if (result.passed && !o.keep) rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** Polls `probe` until it returns a value; fails when `gaveUp` says so or time runs out. */
async function waitFor<T>(
  probe: () => T | undefined,
  gaveUp: () => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (gaveUp()) throw new Error('the load generator ended before any vote was committed');
    if (performance.now() > deadline)
      throw new Error(`no commit within ${timeoutMs} ms of starting the load`);
    await sleep(50);
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
