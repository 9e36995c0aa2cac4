// Logs the cluster state changes that no single write announces: liveness is an age computed
// on demand, a follower learns of a new leader only from heartbeats, and a poll becomes final
// when this node folds the last marker covering its barriers. Each heartbeat the coordinator
// hands over what it sees now; a difference from last time is one log line with a stable
// `event`, so operators can grep for it and alert on it.
import type { Liveness } from '../domain/membership.ts';
import type { Logger } from '../logger.ts';

export interface ClusterSight {
  /** Liveness of every other node this node knows of (heard from, or in the member set). */
  liveness: Map<string, Liveness>;
  /** The live leader with the highest term, if any. */
  leader: { nodeId: string; term: number } | undefined;
  /** Polls the catalogue says are closed. */
  closedPolls: Iterable<string>;
  /** Whether every shard's close barrier of the poll is committed in this node's fold. */
  isFinal(pollId: string): boolean;
}

const LIVENESS_EVENTS = {
  alive: 'member_alive',
  suspect: 'member_suspect',
  dead: 'member_dead',
} as const;

export class StateChanges {
  readonly #log: Logger;
  readonly #liveness = new Map<string, Liveness>();
  #leader: { nodeId: string; term: number } | undefined;
  readonly #final = new Set<string>();

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Compares with the previous sight and logs every change. */
  observe(sight: ClusterSight): void {
    for (const [nodeId, now] of sight.liveness) {
      const before = this.#liveness.get(nodeId);
      this.#liveness.set(nodeId, now);
      if (before === now) continue;
      // A member never heard from is dead from the start: that is no change worth a line.
      if (before === undefined && now === 'dead') continue;
      // Suspect is a hint (a busy peer or event loop flaps there); dead is what to act on.
      const level = now === 'dead' ? 'warn' : 'info';
      this.#log[level](
        { event: LIVENESS_EVENTS[now], nodeId, from: before ?? 'unseen' },
        `${nodeId} is ${now}`,
      );
    }

    const leader = sight.leader;
    const before = this.#leader;
    if (leader && (leader.nodeId !== before?.nodeId || leader.term !== before.term)) {
      this.#log.info(
        { event: 'leader_changed', nodeId: leader.nodeId, term: leader.term, from: before ?? null },
        `${leader.nodeId} leads term ${leader.term}`,
      );
    } else if (!leader && before) {
      this.#log.warn(
        { event: 'leader_lost', nodeId: before.nodeId, term: before.term },
        `no live leader (last: ${before.nodeId}, term ${before.term})`,
      );
    }
    this.#leader = leader ? { ...leader } : undefined;

    for (const pollId of sight.closedPolls) {
      if (this.#final.has(pollId) || !sight.isFinal(pollId)) continue;
      this.#final.add(pollId);
      this.#log.info(
        { event: 'poll_final', pollId },
        `poll ${pollId} is final: its close is committed in every shard`,
      );
    }
  }
}
