// The events of the log, as the domain sees them. Their wire form (stream fields) and JSON
// Schemas live in streams/; src/log/codec.ts turns one into the other.

/** How a poll treats a second vote by the same voter. */
export type RevoteRule = 'reject' | 'replace';

export interface PollOption {
  id: string;
  label?: string;
}

/**
 * How a poll's ballots are counted. `plurality` (stored as an absent `method`): each ballot
 * chooses up to `maxChoices` options and each choice counts one (approval when > 1). The
 * ranked methods take a ranking, most preferred first: `irv` (instant-runoff, one winner),
 * `stv` (single transferable vote, Scottish rules, `seats` winners), `schulze` (Condorcet).
 */
export type CountingMethod = 'plurality' | 'irv' | 'stv' | 'schulze';

/** The ranked methods: a ballot's `choices` is a ranking, and its order counts. */
export type RankedMethod = Exclude<CountingMethod, 'plurality'>;

/** A poll as defined at creation. Immutable: a poll is never edited, only closed. */
export interface Poll {
  id: string;
  title: string;
  options: PollOption[];
  /** Plurality: choices per ballot. Ranked methods: options a ranking may list (`maxRanks`). */
  maxChoices: number;
  revote: RevoteRule;
  /** Epoch milliseconds on the cluster clock; absent = open from creation / until closed. */
  opensAt?: number;
  closesAt?: number;
  createdAt: number;
  /**
   * Only `token` is stored: absent means open (any voter id may vote). Open polls so keep the
   * exact v1 form they had before voter authentication existed.
   */
  voterAuth?: 'token';
  /** A ranked method; absent: plurality (the form polls had before ranked ballots). */
  method?: RankedMethod;
  /** STV: the number of winners (≥ 2). Absent for every other method. */
  seats?: number;
  /** IRV: every candidate who cannot catch up goes out together. Absent: one per round. */
  batchElimination?: true;
  /**
   * Ranked methods: the seed every lot in this poll's count is drawn from (hex), fixed at
   * creation so that every node and every recount draws the same.
   */
  seed?: string;
  /**
   * The poll has a voter roll: only voters on it may vote (`POST /polls/:pollId/roll` adds
   * them). Fixed at creation, so every node knows before the first vote whether the append
   * must check the roll. Absent: any voter id may vote (the form polls had before rolls).
   */
  roll?: true;
  /** Each ballot counts with its voter's weight from the roll (implies `roll`). */
  weighted?: true;
  /**
   * Only `pseudonymous` is stored (absent: `none`, the form every poll had before): the log
   * records each voter by a tag, never by id (src/domain/voter-tag.ts).
   */
  secrecy?: 'pseudonymous';
  /**
   * A secret poll's public check value of its tag key (base64url), fixed at creation: a node
   * whose VS_VOTER_SECRET derives another key refuses the poll's votes.
   */
  tagCheck?: string;
  /**
   * Only `afterClose` is stored: until the poll is final, what a node serves of it is its
   * turnout, nothing per option (src/domain/sealed-results.ts). Absent: `live`, the form polls
   * had before sealed results.
   */
  results?: 'afterClose';
}

// ---- shard log (vs:{s<N>}:log) ----

/** A vote appended to a shard. `seq` and `hash` place it in the shard's chain. */
export interface VoteCast {
  type: 'VoteCast';
  v: 1;
  seq: number;
  hash: string;
  voteId: string;
  pollId: string;
  voterId: string;
  /** Distinct option ids: sorted (plurality), or a ranking, most preferred first. */
  choices: string[];
  /** When the node accepted it (epoch ms, the node's estimate of the cluster clock). */
  at: number;
  /**
   * A weighted poll's vote: the voter's weight, as the append script read it from the roll
   * atomically with the append (a positive safe integer). Absent: the ballot counts 1.
   */
  weight?: number;
}

/** What a vote says, without its place in the chain (the weight is the append script's). */
export type VoteContent = Pick<VoteCast, 'voteId' | 'pollId' | 'voterId' | 'choices' | 'at'>;

/**
 * Voters added to a poll's roll in one shard (the roll of a poll is split over the shards by
 * the shard function, like its votes): chained, appended by the script that adds them to the
 * shard's roll index, atomically. It carries a commitment to the entries, not the entries:
 * `count` voters, `weight` their total weight, `sha256` the hex SHA-256 of their sorted
 * entries (src/domain/roll.ts, `rollDigest`).
 */
export interface RollChanged {
  type: 'RollChanged';
  v: 1;
  seq?: number;
  hash?: string;
  pollId: string;
  count: number;
  weight: number;
  sha256: string;
  at: number;
}

/** The close barrier of a poll in one shard: votes after it in the chain never count. */
export interface PollClosed {
  type: 'PollClosed';
  v: 1;
  /** In a shard the barrier is part of the chain; in the catalogue it has no seq. */
  seq?: number;
  hash?: string;
  pollId: string;
  at: number;
  /** Who closed it: a node id, or "schedule". */
  by: string;
}

/** The leader's statement that the shard's chain up to `seq` (whose hash is `hash`) is committed. */
export interface CommitMarked {
  type: 'CommitMarked';
  v: 1;
  term: number;
  seq: number;
  hash: string;
  by: string;
  at: number;
}

export type ShardEvent = VoteCast | PollClosed | RollChanged | CommitMarked;

/**
 * Not a log event: in a poll's export (`votestream replay --poll`), the chained entries of other
 * polls between two entries of the export, shown only as their seqs `fromSeq`…`seq` and the
 * chain hash at `seq`. The next exported entry's hash links to it, so a recount still checks
 * the chain through every entry it counts; the elided entries' own hashes are taken as given.
 */
export interface ElidedRun {
  type: 'ElidedRun';
  fromSeq: number;
  seq: number;
  hash: string;
}

// ---- control streams (vs:{ctl}:…) ----

export interface PollCreated {
  type: 'PollCreated';
  /**
   * 1: an open plurality poll; 2: a plurality poll with `voterAuth`; 3: a ranked poll
   * (`method`); 4: a secret poll (`secrecy`, any method); 5: a sealed poll (`results:
   * "afterClose"`), of any method, voter rule and secrecy. A node refuses a version it does not
   * know, so it never takes ballots it cannot count, a voter rule it cannot enforce, voter ids
   * it must not record, or a poll whose results it would not keep sealed.
   */
  v: 1 | 2 | 3 | 4 | 5;
  poll: Poll;
}

export type CatalogueEvent = PollCreated | PollClosed;

/** A node's liveness beacon (vs:{ctl}:heartbeats); its entry id is a cluster-clock sample. */
export interface Heartbeat {
  type: 'Heartbeat';
  v: 1;
  nodeId: string;
  /** How others reach the node (its HTTP URL; empty while it does not listen). */
  address?: string;
  role: 'leader' | 'follower' | 'candidate' | 'observer';
  term: number;
  uptimeMs: number;
  /** The node's cluster-clock reading when it sent the heartbeat (epoch ms). */
  clock: number;
  member?: boolean;
}

/** A member announcing it will try to take the lease for `term` (vs:{ctl}:election). */
export interface Candidacy {
  type: 'Candidacy';
  v: 1;
  nodeId: string;
  term: number;
  at: number;
}

/** The member set that counts toward quorum, replaced as a whole (vs:{ctl}:election). */
export interface MembershipChanged {
  type: 'MembershipChanged';
  v: 1;
  members: string[];
  /** The node that took the change. */
  by: string;
  at: number;
}

/** How far a node has folded each shard (vs:{ctl}:acks); the leader counts these for quorum. */
export interface Applied {
  type: 'Applied';
  v: 1;
  nodeId: string;
  /** Per shard: the applied seq and the chain hash there. */
  shards: { shard: number; seq: number; hash: string }[];
  at: number;
}

/** A member took the lease for `term` (vs:{ctl}:election; appended by the acquire-lease script). */
export interface LeaderElected {
  type: 'LeaderElected';
  v: 1;
  nodeId: string;
  term: number;
  leaseMs: number;
  at?: number;
}

/** A leader gave up its lease on a graceful stop (vs:{ctl}:election; by release-lease). */
export interface LeaderResigned {
  type: 'LeaderResigned';
  v: 1;
  nodeId: string;
  term: number;
  at: number;
}

/** Every event of the control streams heartbeats, election and acks. */
export type ControlEvent =
  | Heartbeat
  | Candidacy
  | LeaderElected
  | LeaderResigned
  | MembershipChanged
  | Applied;

/**
 * The control events a node appends itself (src/log/control-log.ts); LeaderElected and
 * LeaderResigned are appended by the lease scripts, atomically with the lease.
 */
export type NodeControlEvent = Heartbeat | Candidacy | MembershipChanged | Applied;

/** A shard event together with its stream entry id, as read back from Redis. */
export type Entry<E> = E & { id: string };
