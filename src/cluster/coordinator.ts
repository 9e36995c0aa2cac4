// The node's part in the cluster, once per heartbeat: send its heartbeat; as leader, renew
// the lease (or step down), commit and close due polls; as a member with no live leader in
// view, stand as a candidate and try to take the lease.
import type { Config } from '../config.ts';
import { pollFinal } from '../domain/fold-progress.ts';
import type { Liveness } from '../domain/membership.ts';
import { appendControlEvent } from '../log/control-log.ts';
import { shardKeys } from '../log/keys.ts';
import type { PollCatalogue } from '../log/poll-catalogue.ts';
import type { Projections } from '../log/projections.ts';
import { type Client, dedicatedConnection, type LogTarget } from '../log/redis-client.ts';
import type { Logger } from '../logger.ts';
import { ClusterView } from './cluster-view.ts';
import { Committer } from './committer.ts';
import { type ClusterClock, type HeartbeatState, sendHeartbeat } from './heartbeats.ts';
import { LeaderLease } from './leader-lease.ts';
import { PollCloser } from './poll-closer.ts';
import { StateChanges } from './state-changes.ts';

const COMMIT_EVERY_MS = 20;
/**
 * How long a new leader waits for its fences before it leads: a shard whose master does not
 * answer (a failover, a master lost with its replicas) must not keep the others from a leader.
 */
const FENCE_WAIT_MS = 250;

export interface CoordinatorOptions {
  config: Config;
  client: Client;
  target: LogTarget;
  projections: Projections;
  catalogue: PollCatalogue;
  clock: ClusterClock;
  log: Logger;
  /** How others reach this node (its HTTP URL). */
  address(): string;
}

export class Coordinator {
  role: HeartbeatState['role'] = 'follower';
  readonly nodeId: string;
  /** This node's estimate of the cluster clock, fed by its heartbeats. */
  readonly clock: ClusterClock;
  readonly view: ClusterView;
  readonly lease: LeaderLease;
  readonly committer: Committer;
  readonly #options: CoordinatorOptions;
  readonly #closer: PollCloser;
  readonly #changes: StateChanges;
  readonly #startedAt = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  #halted = false;
  #commitScheduled = false;
  /** When the last commit pass ran (performance.now()). */
  #lastPassAt = 0;
  #candidateAt = 0;
  /** Shards whose fence this leader's term has not raised yet (their master did not answer). */
  #unfenced = new Set<number>();
  #fencing: Promise<void> | undefined;

  constructor(options: CoordinatorOptions) {
    this.#options = options;
    const { config, client, target, projections, catalogue, log } = options;
    this.nodeId = config.nodeId;
    this.clock = options.clock;
    this.view = new ClusterView({
      prefix: config.prefix,
      heartbeatMs: config.heartbeatMs,
      failureTimeoutMs: config.failureTimeoutMs,
      members: config.members,
      log,
      onUpdate: ({ acks }) => {
        if (acks) this.#scheduleCommit();
      },
      // Only a node that commits, or may soon, needs every report as it comes.
      followAcks: () => this.role === 'leader' || this.role === 'candidate',
    });
    this.lease = new LeaderLease(client, config.prefix, config.nodeId, config.leaseMs);
    this.committer = new Committer({
      target,
      projections,
      view: this.view,
      lease: this.lease,
      nodeId: config.nodeId,
      now: () => options.clock.now(),
      log,
      onFenced: () => this.#stepDown('fenced by a newer term'),
    });
    this.#closer = new PollCloser(target, catalogue, log);
    this.#changes = new StateChanges(log);
    // The leader's own fold counts toward the quorum too.
    projections.on('batch', () => this.#scheduleCommit());
  }

  get isMember(): boolean {
    const members = this.view.members;
    return members.length === 0 || members.includes(this.#options.config.nodeId);
  }

  get isLeader(): boolean {
    return this.role === 'leader' && this.lease.valid;
  }

  start(): void {
    const conn = dedicatedConnection(this.#options.client);
    conn.on('error', () => {
      // The view logs failed reads and retries.
    });
    this.view.start(this.#options.client, conn);
    this.#timer = setInterval(() => void this.tick(), this.#options.config.heartbeatMs);
    void this.tick();
  }

  /** Stops the heartbeats: no tick starts after this (a stopping node leads no new term). */
  halt(): void {
    this.#halted = true;
    clearInterval(this.#timer);
  }

  /**
   * Releases the lease when this node leads (LeaderResigned), so another member takes over at
   * once rather than when the lease runs out. With `locally`, only forgets it (Redis is away:
   * the lease expires by itself). Rejects when Redis refuses the release.
   */
  async resign({ locally = false } = {}): Promise<void> {
    if (this.role !== 'leader') return;
    this.role = 'follower';
    if (locally) {
      this.lease.drop();
      return;
    }
    await this.lease.release(Math.round(this.#options.clock.now()));
    this.#options.log.info(
      { event: 'leader_resigned', term: this.lease.term },
      'leadership released',
    );
  }

  /** One heartbeat's work. Never throws: Redis faults are logged and retried next time. */
  async tick(): Promise<void> {
    if (this.#ticking || this.#halted) return;
    this.#ticking = true;
    const { config, client, clock, log } = this.#options;
    // First, and without Redis: when Redis is away, peers going suspect is the news.
    this.#observe();
    try {
      if (!this.isMember && this.role !== 'leader') this.#becomeObserver(true);
      else if (this.role === 'observer') this.#becomeObserver(false);
      await sendHeartbeat(
        client,
        config.prefix,
        clock,
        { nodeId: config.nodeId, address: this.#options.address(), startedAt: this.#startedAt },
        { role: this.role, term: this.lease.term, member: this.isMember },
      );
      if (this.role === 'leader') {
        const kept = await this.lease.renew();
        if (!kept || !this.lease.valid) {
          this.#stepDown(kept ? 'lease estimate ran out' : 'lease lost');
        } else {
          this.#closer.closeDue(clock.now());
          if (this.#unfenced.size) void this.#raiseFences(this.lease.term);
          // Also without new acks: a marker that could not be made durable is tried again.
          this.#scheduleCommit();
        }
      } else if (this.isMember && !this.#otherLeader()) {
        await this.#stand();
      }
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'coordination step failed');
      if (this.role === 'leader' && !this.lease.valid) this.#stepDown('lease estimate ran out');
    } finally {
      this.#ticking = false;
    }
  }

  /** The member set changed under this node: it stops (or starts) counting toward quorum. */
  #becomeObserver(observer: boolean): void {
    const role = observer ? 'observer' : 'follower';
    if (this.role === role) return;
    this.#options.log.info(
      { event: 'role_changed', role, from: this.role },
      `${this.#options.config.nodeId} is now ${observer ? 'an observer' : 'a member'}`,
    );
    this.role = role;
  }

  /** Candidacy with a randomized backoff, so members rarely race for the same term. */
  async #stand(): Promise<void> {
    const now = performance.now();
    if (this.#candidateAt === 0) {
      this.#candidateAt = now + Math.random() * this.#options.config.heartbeatMs * 2;
      return;
    }
    if (now < this.#candidateAt) return;
    this.#candidateAt = 0;
    const { config, client, clock } = this.#options;
    this.role = 'candidate';
    this.#options.log.info(
      { event: 'candidacy', term: this.view.elected.term + 1 },
      `${config.nodeId} stands for term ${this.view.elected.term + 1}`,
    );
    await appendControlEvent(client, config.prefix, {
      type: 'Candidacy',
      v: 1,
      nodeId: config.nodeId,
      term: this.view.elected.term + 1,
      at: Math.round(clock.now()),
    });
    // A node that began to stop while its candidacy was on its way stands no further.
    const term = this.#halted ? undefined : await this.lease.acquire();
    if (term === undefined) {
      this.role = 'follower';
      return;
    }
    await this.#becomeLeader(term);
  }

  async #becomeLeader(term: number): Promise<void> {
    const { config, log } = this.#options;
    // Fence every shard at the new term first: a deposed leader's markers are refused from
    // now on, also in shards this leader has nothing to commit in yet. A shard whose master
    // does not answer within FENCE_WAIT_MS is fenced later, on a heartbeat, once it answers
    // (and by this leader's first marker there, which raises the fence as well): it holds up
    // its own shard, not the election.
    this.#unfenced = new Set(Array.from({ length: config.shards }, (_, shard) => shard));
    await Promise.race([this.#raiseFences(term), new Promise((r) => setTimeout(r, FENCE_WAIT_MS))]);
    this.committer.reset();
    this.role = 'leader';
    log.info(
      {
        event: 'leader_elected',
        term,
        nodeId: config.nodeId,
        ...(this.#unfenced.size ? { unfenced: [...this.#unfenced] } : {}),
      },
      `${config.nodeId} leads term ${term}`,
    );
    this.#scheduleCommit();
  }

  /** Raises the fence to `term` in every shard not fenced yet; one attempt at a time. */
  #raiseFences(term: number): Promise<void> {
    const { config, client } = this.#options;
    this.#fencing ??= Promise.all(
      [...this.#unfenced].map((shard) =>
        client.raiseFence(shardKeys(config.prefix, shard).fence, term).then(
          () => {
            if (this.lease.term === term) this.#unfenced.delete(shard);
          },
          () => {
            // Its master did not answer: tried again on the next heartbeat.
          },
        ),
      ),
    ).then(() => {
      this.#fencing = undefined;
    });
    return this.#fencing;
  }

  #stepDown(reason: string): void {
    if (this.role !== 'leader') return;
    this.#options.log.warn(
      { event: 'leader_stepped_down', term: this.lease.term, reason },
      `stepped down: ${reason}`,
    );
    this.lease.drop();
    this.role = 'follower';
  }

  /** Hands what this node sees now to the state-change log. */
  #observe(): void {
    const now = performance.now();
    const { config, catalogue, projections } = this.#options;
    const liveness = new Map<string, Liveness>();
    for (const nodeId of new Set([...this.view.nodes.keys(), ...this.view.members]))
      if (nodeId !== config.nodeId) liveness.set(nodeId, this.view.liveness(nodeId, now));
    const leader = this.view.leader(now);
    this.#changes.observe({
      liveness,
      leader: leader && { nodeId: leader.nodeId, term: leader.term },
      closedPolls: catalogue
        .list()
        .filter((entry) => entry.closed)
        .map((entry) => entry.poll.id),
      isFinal: (pollId) => pollFinal(pollId, projections.states),
    });
  }

  #otherLeader(): boolean {
    const leader = this.view.leader();
    return leader !== undefined && leader.nodeId !== this.#options.config.nodeId;
  }

  #scheduleCommit(): void {
    if (this.#commitScheduled || !this.isLeader) return;
    this.#commitScheduled = true;
    // Passes at most every COMMIT_EVERY_MS: markers cover more votes each, and each costs a
    // durability round trip (INCR + WAIT) plus the marker itself. The first acks after a quiet
    // spell are marked at once; only a pass that follows another soon waits for the rest.
    const wait = Math.max(0, this.#lastPassAt + COMMIT_EVERY_MS - performance.now());
    setTimeout(() => {
      this.#commitScheduled = false;
      this.#lastPassAt = performance.now();
      if (this.isLeader) this.committer.pass();
    }, wait);
  }
}
