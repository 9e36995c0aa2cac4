// The prose parts of a scenario's result: who led after each fault, and which state changes
// the nodes logged.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Injection } from './faults.ts';
import {
  type ClusterSample,
  higherTermAfterMs,
  leadersSeen,
  newLeaderAfterMs,
} from './measures.ts';
import type { ScenarioResult } from './run-scenario.ts';

/**
 * Fills the leader columns. Each fault is judged up to the next fault: a leader change in that
 * window is the fault's doing (killing a follower should cause none; losing the {ctl} master
 * may). The column shows the slowest change; a fault that hit the leader and saw no other
 * leader take over is a problem.
 */
export function describeLeadership(
  result: ScenarioResult,
  injections: Injection[],
  samples: ClusterSample[],
): void {
  for (const [i, inj] of injections.entries()) {
    const before = injections[i + 1]?.at ?? Number.POSITIVE_INFINITY;
    const was = `${inj.leaderBefore.nodeId} (term ${inj.leaderBefore.term})`;
    const change = newLeaderAfterMs(samples, inj.at, inj.leaderBefore, before);
    const what = `${inj.fault.kind} ${inj.hit}${inj.hitLeader ? ' (the leader)' : ''}`;
    if (change) {
      const s = round1(change.ms / 1000);
      result.newLeaderS = Math.max(result.newLeaderS ?? 0, s);
      result.events.push(
        `${what}: leader ${was} → ${change.leader} (term ${change.term}) after ${s} s`,
      );
      continue;
    }
    const raised = higherTermAfterMs(samples, inj.at, inj.leaderBefore.term, before);
    result.events.push(
      raised
        ? `${what}: leader ${was}; the same node took term ${raised.term} after ${round1(raised.ms / 1000)} s`
        : `${what}: leader ${was} throughout`,
    );
    if (inj.hitLeader)
      result.problems.push(`no other leader was seen after ${inj.fault.kind} of the leader`);
  }
  result.leaders = leadersSeen(samples)
    .map((l) => `${l.leader}@${l.term}`)
    .join(' → ');
}

// The node log events a reader of a chaos run wants counted (see docs/operations.md).
const NOTABLE = [
  'leader_elected',
  'leader_resigned',
  'leader_stepped_down',
  'fenced',
  'divergence',
  'chain_break',
  'snapshot_loaded',
  'snapshot_discarded',
];

/** "fenced: n3 ×8; leader_elected: n1 ×1, …" from the nodes' JSON logs. */
export function countLogEvents(logDir: string): string {
  if (!existsSync(logDir)) return '';
  const counts = new Map<string, Map<string, number>>();
  for (const file of readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .sort()) {
    const nodeId = file.replace(/\.log$/, '');
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      const event = line.match(/"event":"([a-z_]+)"/)?.[1];
      if (!event || !NOTABLE.includes(event)) continue;
      const perNode = counts.get(event) ?? new Map<string, number>();
      perNode.set(nodeId, (perNode.get(nodeId) ?? 0) + 1);
      counts.set(event, perNode);
    }
  }
  return NOTABLE.filter((e) => counts.has(e))
    .map((e) => `${e}: ${[...counts.get(e)!.entries()].map(([n, c]) => `${n} ×${c}`).join(', ')}`)
    .join('; ');
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
