// The coordinator's part of GET /cluster (and of GET /metrics): this node's role and term, the
// leader it sees, the quorum, every node it knows of, and its cluster clock. Read from what the
// coordinator exposes, without Redis: it answers during an outage too.
import type { Divergence } from '../domain/commit-point.ts';
import { type Liveness, quorumMembers, quorumSize } from '../domain/membership.ts';
import type { Coordinator } from './coordinator.ts';

/** A node as this node sees it: configured member or not, and from its last heartbeat. */
export interface MemberStatus {
  nodeId: string;
  /** In the member set that counts toward quorum. */
  member: boolean;
  status: Liveness;
  /** From its last heartbeat; null (as the fields below) when none was read. */
  role: string | null;
  term: number | null;
  address: string | null;
  lastHeartbeatAgeMs: number | null;
  /** Its clock in its last heartbeat minus this node's cluster clock when it was read (ms). */
  clockDeltaMs: number | null;
  uptimeMs: number | null;
  /** Its Applied reports that disagree with this node's fold, one per shard. */
  divergent: Divergence[];
}

export interface CoordinatorStatus {
  nodeId: string;
  role: Coordinator['role'];
  /** The highest term this node knows of: its lease's, or the leader's it sees. */
  term: number;
  leader: { nodeId: string; term: number; address: string } | null;
  /** Members needed for a commit (a majority of the member set). */
  quorum: number;
  /** Every node seen or configured, and this one, sorted by id. */
  members: MemberStatus[];
  clock: {
    /** The cluster clock now, ISO 8601. */
    now: string;
    offsetMs: number;
    uncertaintyMs: number | null;
    samples: number;
    /** The leader's clock in its last heartbeat, ISO 8601. */
    leaderClock: string | null;
  };
}

/** What the status is read from: the coordinator's public parts. */
export type CoordinatorSource = Pick<
  Coordinator,
  'nodeId' | 'role' | 'lease' | 'view' | 'committer' | 'clock'
>;

/**
 * This node's view of the cluster at `now` (performance.now(), the clock heartbeat ages are
 * measured on). Keys come in the order GET /cluster has always shown them.
 */
export function coordinatorStatus(
  coordinator: CoordinatorSource,
  now = performance.now(),
): CoordinatorStatus {
  const { nodeId, view, clock } = coordinator;
  const leader = view.leader(now);
  const ids = new Set([...view.nodes.keys(), ...view.members, nodeId]);
  const members = quorumMembers(view.members, nodeId);
  return {
    nodeId,
    role: coordinator.role,
    term: Math.max(coordinator.lease.term, leader?.term ?? 0),
    leader: leader ? { nodeId: leader.nodeId, term: leader.term, address: leader.address } : null,
    quorum: quorumSize(members.length),
    members: [...ids].sort().map((id) => {
      const seen = view.nodes.get(id);
      return {
        nodeId: id,
        member: members.includes(id),
        status: view.liveness(id, now),
        role: seen?.role ?? null,
        term: seen?.term ?? null,
        address: seen?.address ?? null,
        lastHeartbeatAgeMs: seen ? Math.round(now - seen.seenAt) : null,
        // Its cluster-clock reading in its last heartbeat minus this node's cluster clock when
        // that heartbeat was read: the two offset estimates' disagreement plus delivery time.
        clockDeltaMs: seen ? Math.round(seen.clock - (clock.now() - (now - seen.seenAt))) : null,
        uptimeMs: seen?.uptimeMs ?? null,
        divergent: [...coordinator.committer.divergent.values()].filter((d) => d.nodeId === id),
      };
    }),
    clock: {
      now: new Date(clock.now()).toISOString(),
      ...clock.estimate(),
      leaderClock: leader ? new Date(leader.clock).toISOString() : null,
    },
  };
}
