// A node's view of the cluster, folded from the control streams like votes are folded from
// the shards: heartbeats (who is alive, in which role and term), the election stream (the
// member set) and the acks stream (how far each node has folded each shard). All three share
// the {ctl} slot, so one blocking XREAD on one dedicated connection follows them all.
//
// Only a node that may commit (the leader, a candidate) follows the acks as they come: every
// member appends one as its fold moves, up to a hundred a second each, and a follower woken by
// each of them spent a tenth of its CPU reading and checking reports it does not act on. A
// follower reads the newest report of each node once a second instead (for /cluster).
import { type Liveness, liveness } from '../domain/membership.ts';
import type { RawEntry } from '../log/codec.ts';
import { controlKeys } from '../log/keys.ts';
import type { Client } from '../log/redis-client.ts';
import { validateEvent } from '../log/schemas.ts';
import type { Logger } from '../logger.ts';

export interface NodeSeen {
  nodeId: string;
  address: string;
  role: string;
  term: number;
  uptimeMs: number;
  /** The node's own cluster-clock reading when it sent its last heartbeat. */
  clock: number;
  /** Local monotonic time (performance.now) when its last heartbeat was read here. */
  seenAt: number;
}

export interface AppliedReport {
  /** Per shard: applied seq and chain hash there. */
  shards: Map<number, { seq: number; hash: string }>;
  at: number;
}

export interface ViewOptions {
  prefix: string;
  heartbeatMs: number;
  failureTimeoutMs: number;
  members: readonly string[];
  log: Logger;
  /** Called after each batch of control entries (the committer reacts to new acks). */
  onUpdate?: (what: { acks: boolean; election: boolean }) => void;
  /** Whether acks are followed as they come (the node may commit); asked before each read.
   * Default: always. Otherwise the newest are read every ACKS_REFRESH_MS. */
  followAcks?: () => boolean;
}

/** How often a node that does not follow the acks reads the newest of them (ms). */
export const ACKS_REFRESH_MS = 1000;

/** The newest acks read then, per member: the newest report of each member is among them
 * unless it stopped reporting a while ago, and then the one known stays. */
const ACKS_WINDOW_PER_MEMBER = 8;

export class ClusterView {
  readonly nodes = new Map<string, NodeSeen>();
  readonly applied = new Map<string, AppliedReport>();
  members: string[];
  /** Latest term seen in LeaderElected entries, and who won it. */
  elected = { term: 0, nodeId: '' };
  readonly #options: ViewOptions;
  readonly #keys: ReturnType<typeof controlKeys>;
  #ids = { heartbeats: '$', election: '0-0', acks: '$' };
  /** Whether #ids.acks is where the acks stream ends, as far as this view has read. */
  #acksCurrent = false;
  /** When the newest acks were last read (performance.now()). */
  #acksReadAt = 0;
  #stopped = false;
  #conn: Client | undefined;
  #running: Promise<void> | undefined;

  constructor(options: ViewOptions) {
    this.#options = options;
    this.#keys = controlKeys(options.prefix);
    this.members = [...options.members];
  }

  /** Seeds the view from the recent past, then follows the streams on `conn`. */
  start(client: Client, conn: Client): void {
    this.#conn = conn;
    this.#running ??= this.#run(client, conn);
  }

  /**
   * Stops following. A read still on its way is not waited for: one queued while Redis was
   * away may never settle, even after disconnect; if it comes, it only updates this view.
   */
  stop(): void {
    this.#stopped = true;
    this.#conn?.disconnect();
  }

  liveness(nodeId: string, now = performance.now()): Liveness {
    const seen = this.nodes.get(nodeId);
    if (!seen) return 'dead';
    return liveness(now - seen.seenAt, this.#options.heartbeatMs, this.#options.failureTimeoutMs);
  }

  /** The alive node that says it leads with the highest term, if any. */
  leader(now = performance.now()): NodeSeen | undefined {
    let best: NodeSeen | undefined;
    for (const node of this.nodes.values()) {
      if (node.role !== 'leader' || this.liveness(node.nodeId, now) === 'dead') continue;
      if (!best || node.term > best.term) best = node;
    }
    return best;
  }

  async #run(client: Client, conn: Client): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#seed(client);
        break;
      } catch (error) {
        this.#options.log.warn(
          { err: (error as Error).message },
          'cannot read the control streams yet',
        );
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    while (!this.#stopped) {
      try {
        const acks = this.#options.followAcks?.() ?? true;
        // Following the acks again (a new leader, a candidate): first the newest reports, so
        // commits start from fresh ones and the XREAD from after them. Not following: the
        // newest, once a second.
        if (acks ? !this.#acksCurrent : performance.now() - this.#acksReadAt >= ACKS_REFRESH_MS) {
          await this.#readNewestAcks(conn);
          this.#options.onUpdate?.({ acks: true, election: false });
        }
        // From here the XREAD leaves the acks out: #ids.acks falls behind the stream's end.
        if (!acks) this.#acksCurrent = false;
        const streams = [this.#keys.heartbeats, this.#keys.election];
        const ids = [this.#ids.heartbeats, this.#ids.election];
        if (acks) {
          streams.push(this.#keys.acks);
          ids.push(this.#ids.acks);
        }
        const reply = (await conn.xread(
          'COUNT',
          1000,
          'BLOCK',
          Math.max(20, Math.floor(this.#options.heartbeatMs / 5)),
          'STREAMS',
          ...streams,
          ...ids,
        )) as [string, RawEntry[]][] | null;
        if (!reply) continue;
        const what = { acks: false, election: false };
        for (const [key, entries] of reply) {
          if (!entries.length) continue;
          const last = entries[entries.length - 1]![0];
          if (key === this.#keys.heartbeats) {
            this.#ids.heartbeats = last;
            for (const e of entries) this.#heartbeat(e, performance.now());
          } else if (key === this.#keys.election) {
            this.#ids.election = last;
            what.election = true;
            for (const e of entries) this.#election(e);
          } else {
            this.#ids.acks = last;
            what.acks = true;
            for (const e of entries) this.#ack(e);
          }
        }
        this.#options.onUpdate?.(what);
      } catch (error) {
        if (this.#stopped) return;
        this.#options.log.warn(
          { err: (error as Error).message },
          'control stream read failed; retrying',
        );
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Recent heartbeats (aged by their distance to the newest), every election entry, recent acks. */
  async #seed(client: Client): Promise<void> {
    const [beats, election, acks] = (await Promise.all([
      client.xrevrange(this.#keys.heartbeats, '+', '-', 'COUNT', 500),
      client.xrange(this.#keys.election, '-', '+'),
      client.xrevrange(this.#keys.acks, '+', '-', 'COUNT', 2000),
    ])) as [RawEntry[], RawEntry[], RawEntry[]];
    const newest = beats[0] ? idMs(beats[0][0]) : 0;
    const now = performance.now();
    for (const e of [...beats].reverse()) this.#heartbeat(e, now - (newest - idMs(e[0])));
    for (const e of election) this.#election(e);
    for (const e of [...acks].reverse()) this.#ack(e);
    this.#ids = {
      heartbeats: beats[0]?.[0] ?? '0-0',
      election: election[election.length - 1]?.[0] ?? '0-0',
      acks: acks[0]?.[0] ?? '0-0',
    };
    this.#acksCurrent = true;
    this.#acksReadAt = performance.now();
  }

  /**
   * The newest acks (a few per member): each node's newest report among them replaces the one
   * known; a node not among them keeps its report. The view has then read the acks to the end.
   */
  async #readNewestAcks(conn: Client): Promise<void> {
    const count = Math.max(4, this.members.length) * ACKS_WINDOW_PER_MEMBER;
    const acks = (await conn.xrevrange(this.#keys.acks, '+', '-', 'COUNT', count)) as RawEntry[];
    for (const e of [...acks].reverse()) this.#ack(e);
    if (acks[0]) this.#ids.acks = acks[0][0];
    this.#acksCurrent = true;
    this.#acksReadAt = performance.now();
  }

  #heartbeat([, fields]: RawEntry, seenAt: number): void {
    const data = parse(fields, this.#options.log);
    if (data?.type !== 'Heartbeat') return;
    this.nodes.set(String(data.nodeId), {
      nodeId: String(data.nodeId),
      address: String(data.address ?? ''),
      role: String(data.role),
      term: Number(data.term),
      uptimeMs: Number(data.uptimeMs),
      clock: Number(data.clock),
      seenAt,
    });
  }

  #election([, fields]: RawEntry): void {
    const data = parse(fields, this.#options.log);
    if (data?.type === 'MembershipChanged') this.members = [...(data.members as string[])];
    if (data?.type === 'LeaderElected' && Number(data.term) > this.elected.term) {
      this.elected = { term: Number(data.term), nodeId: String(data.nodeId) };
    }
  }

  #ack([, fields]: RawEntry): void {
    const data = parse(fields, this.#options.log);
    if (data?.type !== 'Applied') return;
    const shards = new Map<number, { seq: number; hash: string }>();
    for (const s of data.shards as { shard: number; seq: number; hash: string }[])
      shards.set(s.shard, { seq: s.seq, hash: s.hash });
    this.applied.set(String(data.nodeId), { shards, at: Number(data.at) });
  }
}

function parse(fields: string[], log: Logger): Record<string, unknown> | undefined {
  const dataField = fields.indexOf('data');
  try {
    const data = JSON.parse(fields[dataField + 1] ?? '') as Record<string, unknown>;
    validateEvent(data);
    return data;
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'invalid control entry skipped');
    return undefined;
  }
}

function idMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
