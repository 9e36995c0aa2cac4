// VotestreamClient: typed calls to every route, over a list of nodes with failover, retrying
// what is safe to retry (src/client/retry-policy.ts) and never a vote without its voteId.
import { randomUUID } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { errorOfReply, VotestreamError } from './client-error.ts';
import type {
  BatchReply,
  CastReply,
  CloseReply,
  ClusterReply,
  DigestsReply,
  HealthReply,
  MembersReply,
  ParticipationReply,
  PollReply,
  PollsReply,
  Receipt,
  ResultsReply,
  RollReply,
  TallyReply,
  TokensReply,
  VoteLookupReply,
  VoterVoteReply,
} from './replies.ts';
import type {
  Ballot,
  MembersInput,
  ParticipationInput,
  PollInput,
  RollInput,
  TokensInput,
} from './requests.ts';
import { DEFAULT_RETRY, nextStep, type RetryPolicy } from './retry-policy.ts';
import { ServerEventParser } from './server-events.ts';
import { type Attempted, attempt, type Request } from './transport.ts';
import { chunked, VOTE_BATCH_LIMITS } from './vote-batches.ts';

/**
 * Who draws a vote's voteId when the ballot has none:
 * - `client` (default): the client draws a random UUID (crypto.randomUUID: nothing of the
 *   voter) before the first attempt, so every retry — after a 503 or a connection lost with
 *   the answer — carries it and the vote is recorded once. Such an id costs the node a second
 *   step (a claim in the voteId's own shard) and waits for that shard too during a failover.
 * - `server`: the ballot goes without one and the node draws it (the docs' advice for secret
 *   and sealed polls, and the cheaper path). A 503 names the node's voteId and the retry
 *   carries it; a 503 without one wrote nothing. But a request lost after it reached a node
 *   cannot be retried without doubling the vote: it fails with `VOTE_OUTCOME_UNKNOWN`.
 */
export type VoteIdSource = 'client' | 'server';

/** What a client is built with. */
export interface ClientOptions {
  /** Base URLs of nodes, e.g. `['http://127.0.0.1:3001', 'http://127.0.0.1:3002']`. */
  nodes: readonly string[];
  /** Bearer token of the admin routes (polls, close, tokens, roll, participation, members). */
  adminToken?: string | undefined;
  /** Milliseconds one attempt may wait for its headers, then between body chunks (10 s). */
  timeoutMs?: number;
  /** Retries per call; defaults in DEFAULT_RETRY (src/client/retry-policy.ts). */
  retry?: Partial<RetryPolicy>;
  /**
   * An undici Dispatcher (a Pool or an Agent with many connections, for load), which stays the
   * caller's to close. Without one the client makes its own Agent, which `close()` closes.
   */
  dispatcher?: Dispatcher;
  /** Who draws voteIds the caller leaves out (see VoteIdSource); `client` by default. */
  voteIds?: VoteIdSource;
}

/** What every call may add. */
export interface CallOptions {
  signal?: AbortSignal;
  /** The node to try first: its URL (one of `nodes`) or index; else the last that answered. */
  node?: string | number;
  /** This call's retries (merged over the client's); `false`: one attempt, no retry. */
  retry?: Partial<RetryPolicy> | false;
  timeoutMs?: number;
  /** The admin token for this call, instead of the client's. */
  adminToken?: string;
  /** Told of every retry before its pause: what failed, where, and the pause (ms). */
  onRetry?: (retry: RetryNotice) => void;
}

/** One retry, as `onRetry` hears of it. */
export interface RetryNotice {
  /** Why: the refusal, or NETWORK_ERROR. */
  error: VotestreamError;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  /** The node the next attempt goes to. */
  next: string;
}

/** What a cast may add. */
export interface CastOptions extends CallOptions {
  /** The voter's token, for a `voterAuth: "token"` poll (sent as the ballot's `token`). */
  voterToken?: string;
  /** Overrides the client's VoteIdSource for this call. */
  voteIds?: VoteIdSource;
}

/** A cast that was recorded: 201 appended now, 200 recorded before (the same vote again). */
export interface Cast {
  status: 200 | 201;
  receipt: Receipt;
  /** The node that answered. */
  node: string;
}

/** One vote of a batch: recorded, or why not. */
export type BatchOutcome = Cast | { status: number; error: VotestreamError };

/** One SSE tally event of GET /polls/:pollId/events. */
export interface TallyEvent {
  /** The event's id on the node that sent it (versions are per node). */
  id: string | undefined;
  tally: TallyReply;
  node: string;
}

/**
 * A typed client of the votestream HTTP API. Call `close()` when done: it closes the client's
 * own connections (kept alive between calls), which would otherwise hold a process open for a
 * few seconds after its last call.
 */
export class VotestreamClient {
  readonly nodes: readonly string[];
  readonly #adminToken: string | undefined;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #dispatcher: Dispatcher;
  /** The Agent the client made itself (no `dispatcher` given): the one `close()` closes. */
  readonly #ownAgent: Agent | undefined;
  readonly #voteIds: VoteIdSource;
  /** The node that answered last: calls start there. */
  #preferred = 0;

  /** @throws TypeError when `nodes` is empty or holds something other than an http(s) URL. */
  constructor(o: ClientOptions) {
    if (o.nodes.length === 0) throw new TypeError('VotestreamClient: nodes is empty');
    this.nodes = o.nodes.map((node) => {
      const url = new URL(node);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new TypeError(`VotestreamClient: ${node} is not an http(s) URL`);
      return url.origin;
    });
    this.#adminToken = o.adminToken;
    this.#timeoutMs = o.timeoutMs ?? 10_000;
    this.#retry = { ...DEFAULT_RETRY, ...o.retry };
    // Its own Agent, not undici's global one: a process-wide pool nobody closes keeps idle
    // keep-alive sockets open until their timeout, delaying a CLI's exit by seconds.
    this.#ownAgent = o.dispatcher === undefined ? new Agent() : undefined;
    this.#dispatcher = o.dispatcher ?? this.#ownAgent!;
    this.#voteIds = o.voteIds ?? 'client';
  }

  #closed = false;

  /**
   * Closes the client's own connections, letting requests in flight finish (a dispatcher given
   * in the options is left open: it is the caller's). A call after it throws an Error at once
   * (not a NETWORK_ERROR after retries). Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#ownAgent && !this.#ownAgent.closed) await this.#ownAgent.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('VotestreamClient: the client is closed');
  }

  // --- polls ---

  /**
   * POST /polls (admin): 201 created, or 200 with the same poll when one with this id and
   * definition exists. A poll sent without `id` gets `p-<uuid>` from the client (the node's
   * own form), so a retry cannot create a second poll.
   * @throws VotestreamError e.g. 409 POLL_EXISTS, 400 VALIDATION_FAILED, 401/403
   */
  async createPoll(poll: PollInput, o: CallOptions = {}): Promise<PollReply> {
    const body = { ...poll, id: poll.id ?? `p-${randomUUID()}` };
    return this.#json<PollReply>({ method: 'POST', path: '/polls', body: json(body) }, o, true);
  }

  /** GET /polls/:pollId. @throws VotestreamError 404 POLL_NOT_FOUND */
  getPoll(pollId: string, o: CallOptions = {}): Promise<PollReply> {
    return this.#json({ method: 'GET', path: `/polls/${enc(pollId)}` }, o);
  }

  /** GET /polls: every poll with its status. */
  listPolls(o: CallOptions = {}): Promise<PollsReply> {
    return this.#json({ method: 'GET', path: '/polls' }, o);
  }

  /**
   * POST /polls/:pollId/close (admin). Idempotent: a retry of a close that landed answers
   * `alreadyClosed: true`. @throws VotestreamError 404 POLL_NOT_FOUND
   */
  closePoll(pollId: string, o: CallOptions = {}): Promise<CloseReply> {
    return this.#json({ method: 'POST', path: `/polls/${enc(pollId)}/close` }, o, true);
  }

  // --- votes ---

  /**
   * POST /votes. Resolves with the receipt (201 appended; 200 the same vote was recorded
   * before, e.g. by an attempt whose answer was lost). Retries 503/429 and network errors
   * under the same voteId (VoteIdSource says whose); the node answers an identical vote under
   * a recorded voteId with its original receipt before any other check, so a 409 is never an
   * echo of our own earlier attempt: it is thrown.
   * @throws VotestreamError 4xx refusals (ALREADY_VOTED, POLL_CLOSED, VOTE_ID_CONFLICT, …),
   *   503 after the retries, NETWORK_ERROR, VOTE_OUTCOME_UNKNOWN (`voteIds: 'server'` only)
   */
  async cast(ballot: Ballot, o: CastOptions = {}): Promise<Cast> {
    let voteId = ballot.voteId ?? (this.#voteIdSource(o) === 'client' ? randomUUID() : undefined);
    const token = o.voterToken === undefined ? {} : { token: o.voterToken };
    try {
      const got = await this.#exchange(
        () => ({ method: 'POST', path: '/votes', body: json({ ...ballot, voteId, ...token }) }),
        o,
        {
          repeatable: () => voteId !== undefined,
          refused: (error) => {
            voteId ??= namedVoteId(error.details);
          },
        },
      );
      return {
        status: got.status as 200 | 201,
        receipt: (got.body as CastReply).receipt,
        node: got.node,
      };
    } catch (error) {
      throw voteId === undefined && error instanceof VotestreamError
        ? outcomeUnknown(error)
        : error;
    }
  }

  /**
   * POST /votes/batch with at most 1000 ballots (`castMany` cuts longer lists). One outcome per
   * ballot, in order; never rejects for a refusal or a fault (each ballot not recorded carries
   * its error), only for an aborted `signal`. Ballots refused with 503/429 alone, or all when
   * the whole request failed, are sent again under their voteIds (VoteIdSource), together.
   * @throws RangeError for more than 1000 ballots
   */
  async castBatch(ballots: readonly Ballot[], o: CastOptions = {}): Promise<BatchOutcome[]> {
    if (ballots.length > VOTE_BATCH_LIMITS.maxItems)
      throw new RangeError(
        `castBatch: ${ballots.length} ballots; a batch takes at most ${VOTE_BATCH_LIMITS.maxItems}`,
      );
    this.#assertOpen();
    const source = this.#voteIdSource(o);
    const token = o.voterToken === undefined ? {} : { token: o.voterToken };
    const ids = ballots.map((b) => b.voteId ?? (source === 'client' ? randomUUID() : undefined));
    const outcomes = new Array<BatchOutcome>(ballots.length);
    const policy = this.#policy(o);
    const started = performance.now();
    let pending = ballots.map((_, i) => i);
    let nodeIndex = this.#firstNode(o);
    for (let attemptNo = 1; ; attemptNo++) {
      const node = this.nodes[nodeIndex]!;
      const votes = pending.map((i) => ({ ...ballots[i]!, voteId: ids[i], ...token }));
      const got = await attempt(
        node,
        { method: 'POST', path: '/votes/batch', body: json({ votes }) },
        this.#attemptOptions(o),
      );
      const again: number[] = [];
      if (got.kind === 'answer' && got.status === 200) {
        this.#preferred = nodeIndex;
        const results = (got.body as Partial<BatchReply>).results;
        if (!Array.isArray(results) || results.length !== pending.length) {
          const error = errorOfReply(got.status, got.body, node);
          for (const i of pending) outcomes[i] = { status: 0, error };
          return outcomes;
        }
        results.forEach((r, k) => {
          const i = pending[k]!;
          if (r.status === 200 || r.status === 201) {
            outcomes[i] = { status: r.status, receipt: r.receipt, node };
            return;
          }
          const error = errorOfReply(r.status, { error: r.error }, node);
          outcomes[i] = { status: r.status, error };
          // An item's status is never 429 (rate limits refuse the whole request).
          if (r.status === 503) {
            ids[i] ??= namedVoteId(error.details);
            again.push(i);
          }
        });
      } else {
        const error = failureOf(got, node);
        for (const i of pending) {
          outcomes[i] = { status: error.status, error };
          if (got.kind === 'answer') ids[i] ??= namedVoteId(error.details);
          // Lost after it may have reached a node: only ballots with a voteId can go again.
          if (got.kind === 'answer' || !got.sent || ids[i] !== undefined) again.push(i);
          else outcomes[i] = { status: 0, error: outcomeUnknown(error) };
        }
      }
      if (again.length === 0) return outcomes;
      const outcome =
        got.kind === 'answer' && got.status === 200
          ? { kind: 'answer' as const, status: 503 }
          : got.kind === 'network'
            ? { kind: 'network' as const, sent: false }
            : got;
      const step = nextStep(
        outcome,
        {
          attempt: attemptNo,
          elapsedMs: performance.now() - started,
          nodeIndex,
          nodes: this.nodes.length,
          repeatable: true,
        },
        policy,
      );
      if (!step.retry) return outcomes;
      const error = outcomes[again[0]!]!;
      if ('error' in error)
        o.onRetry?.({
          error: error.error,
          attempt: attemptNo,
          delayMs: step.delayMs,
          next: this.nodes[step.nodeIndex]!,
        });
      await pause(step.delayMs, o.signal);
      nodeIndex = step.nodeIndex;
      pending = again;
    }
  }

  /**
   * Casts any number of ballots through POST /votes/batch, in order, a request at a time (at
   * most 1000 ballots and under the 1 MiB body limit each); yields each ballot with its
   * outcome as its request is answered. Options as `castBatch`.
   */
  async *castMany(
    ballots: Iterable<Ballot> | AsyncIterable<Ballot>,
    o: CastOptions = {},
  ): AsyncGenerator<{ ballot: Ballot; outcome: BatchOutcome }> {
    for await (const chunk of chunked(ballots, VOTE_BATCH_LIMITS)) {
      const outcomes = await this.castBatch(chunk, o);
      for (const [k, ballot] of chunk.entries()) yield { ballot, outcome: outcomes[k]! };
    }
  }

  /** GET /votes/:voteId: the receipt and status. @throws VotestreamError 404 VOTE_NOT_FOUND */
  getVote(voteId: string, o: CallOptions = {}): Promise<VoteLookupReply> {
    return this.#json({ method: 'GET', path: `/votes/${enc(voteId)}` }, o);
  }

  // --- counts ---

  /** GET /polls/:pollId/tally. @throws VotestreamError 404 POLL_NOT_FOUND */
  tally(pollId: string, o: CallOptions = {}): Promise<TallyReply> {
    return this.#json({ method: 'GET', path: `/polls/${enc(pollId)}/tally` }, o);
  }

  /**
   * GET /polls/:pollId/voters/:voterId: the vote counted for a voter.
   * @throws VotestreamError 404 VOTE_NOT_FOUND, 403 BALLOT_SECRET (secret poll)
   */
  voterStatus(pollId: string, voterId: string, o: CallOptions = {}): Promise<VoterVoteReply> {
    return this.#json({ method: 'GET', path: `/polls/${enc(pollId)}/voters/${enc(voterId)}` }, o);
  }

  /** GET /polls/:pollId/results; `includePending` adds `?include=pending`. */
  results(
    pollId: string,
    o: CallOptions & { includePending?: boolean } = {},
  ): Promise<ResultsReply> {
    const query = o.includePending ? '?include=pending' : '';
    return this.#json({ method: 'GET', path: `/polls/${enc(pollId)}/results${query}` }, o);
  }

  /**
   * GET /polls/:pollId/events: the poll's tally, then each change, until the caller stops
   * iterating or `signal` aborts (then it ends without an error). A lost stream is opened again
   * (the retry policy's failover and pauses; the policy starts over after each event), so an
   * event may repeat the last one.
   * @throws VotestreamError when the poll does not exist, or no node serves the stream
   */
  async *streamTally(pollId: string, o: CallOptions = {}): AsyncGenerator<TallyEvent> {
    this.#assertOpen();
    const policy = this.#policy(o);
    const dispatcher = this.#dispatcher;
    let nodeIndex = this.#firstNode(o);
    let lastId: string | undefined;
    let lastNode: number | undefined;
    let attemptNo = 1;
    let started = performance.now();
    const cancel = new AbortController();
    const stop = () => cancel.abort();
    o.signal?.addEventListener('abort', stop, { once: true });
    try {
      for (;;) {
        const node = this.nodes[nodeIndex]!;
        let got: Attempted;
        try {
          const res = await dispatcher.request({
            origin: node,
            path: `/polls/${enc(pollId)}/events`,
            method: 'GET',
            headers: {
              accept: 'text/event-stream',
              // Event ids are per node: only the node that gave one can resume from it.
              ...(lastId !== undefined && lastNode === nodeIndex
                ? { 'last-event-id': lastId }
                : {}),
            },
            headersTimeout: o.timeoutMs ?? this.#timeoutMs,
            // The node writes a keepalive every 15 s: three missed mean the stream is gone.
            bodyTimeout: 45_000,
            signal: cancel.signal,
          });
          if (res.statusCode !== 200) {
            const text = await res.body.text();
            got = { kind: 'answer', status: res.statusCode, body: parseJson(text) };
          } else {
            this.#preferred = nodeIndex;
            const parser = new ServerEventParser();
            res.body.setEncoding('utf8');
            for await (const chunk of res.body as AsyncIterable<string>) {
              for (const e of parser.push(chunk)) {
                if (e.event !== 'tally') continue;
                lastId = e.id;
                lastNode = nodeIndex;
                attemptNo = 1;
                started = performance.now();
                yield { id: e.id, tally: JSON.parse(e.data) as TallyReply, node };
              }
            }
            got = { kind: 'network', sent: true, error: new Error('the event stream ended') };
          }
        } catch (error) {
          if (cancel.signal.aborted) return;
          got = { kind: 'network', sent: true, error: error as Error };
        }
        if (cancel.signal.aborted) return;
        const step = nextStep(
          got,
          {
            attempt: attemptNo,
            elapsedMs: performance.now() - started,
            nodeIndex,
            nodes: this.nodes.length,
            repeatable: true,
          },
          policy,
        );
        if (!step.retry) throw failureOf(got, node);
        await pause(step.delayMs, cancel.signal).catch(() => {});
        if (cancel.signal.aborted) return;
        nodeIndex = step.nodeIndex;
        attemptNo++;
      }
    } finally {
      o.signal?.removeEventListener('abort', stop);
      // Leaving the loop (break, return, throw) closes the stream on its way.
      cancel.abort();
    }
  }

  // --- voters (admin) ---

  /**
   * POST /polls/:pollId/tokens (admin): the tokens of up to 1000 voters (issuing is
   * deterministic, so retries are safe). @throws VotestreamError e.g. 409 VOTER_AUTH_OPEN,
   * 403 NOT_ON_ROLL
   */
  issueTokens(pollId: string, voters: TokensInput['voters'], o: CallOptions = {}) {
    return this.#json<TokensReply>(
      { method: 'POST', path: `/polls/${enc(pollId)}/tokens`, body: json({ voters }) },
      o,
      true,
    );
  }

  /**
   * POST /polls/:pollId/roll (admin): adds up to 1000 voters (a retry finds them `unchanged`).
   * @throws VotestreamError e.g. 409 NO_ROLL, 409 ROLL_CONFLICT
   */
  addToRoll(pollId: string, voters: RollInput['voters'], o: CallOptions = {}) {
    return this.#json<RollReply>(
      { method: 'POST', path: `/polls/${enc(pollId)}/roll`, body: json({ voters }) },
      o,
      true,
    );
  }

  /** POST /polls/:pollId/participation (admin): which of up to 1000 voters have voted. */
  participation(pollId: string, voters: ParticipationInput['voters'], o: CallOptions = {}) {
    return this.#json<ParticipationReply>(
      { method: 'POST', path: `/polls/${enc(pollId)}/participation`, body: json({ voters }) },
      o,
      true,
    );
  }

  // --- cluster ---

  /** GET /cluster: members, leader, shards, clock. */
  cluster(o: CallOptions = {}): Promise<ClusterReply> {
    return this.#json({ method: 'GET', path: '/cluster' }, o);
  }

  /** GET /cluster/digests: the node's fold digest per shard. */
  digests(o: CallOptions = {}): Promise<DigestsReply> {
    return this.#json({ method: 'GET', path: '/cluster/digests' }, o);
  }

  /** POST /cluster/members (admin): sets the member set. */
  setMembers(members: MembersInput['members'], o: CallOptions = {}): Promise<MembersReply> {
    return this.#json(
      { method: 'POST', path: '/cluster/members', body: json({ members }) },
      o,
      true,
    );
  }

  /**
   * GET /health of one node (`o.node`, else the preferred one): 200 and 503 are both answers
   * (ready or not), so neither is retried nor thrown; other nodes are tried only when this one
   * does not answer at all.
   */
  async health(o: CallOptions = {}): Promise<HealthReply & { node: string }> {
    const got = await this.#exchange(() => ({ method: 'GET', path: '/health' }), o, {
      repeatable: () => true,
      accept: [503],
    });
    return { ...(got.body as HealthReply), node: got.node };
  }

  /** GET /metrics: the Prometheus text of one node. */
  async metrics(o: CallOptions = {}): Promise<string> {
    const got = await this.#exchange(
      () => ({ method: 'GET', path: '/metrics', expect: 'text' }),
      o,
      { repeatable: () => true },
    );
    return got.body as string;
  }

  // --- the exchange ---

  #voteIdSource(o: CastOptions): VoteIdSource {
    return o.voteIds ?? this.#voteIds;
  }

  #policy(o: CallOptions): RetryPolicy {
    if (o.retry === false) return { ...this.#retry, maxAttempts: 1 };
    return { ...this.#retry, ...o.retry };
  }

  #firstNode(o: CallOptions): number {
    if (o.node === undefined) return this.#preferred;
    const index = typeof o.node === 'number' ? o.node : this.nodes.indexOf(new URL(o.node).origin);
    if (!(index >= 0 && index < this.nodes.length))
      throw new RangeError(`node ${o.node} is not one of the client's nodes`);
    return index;
  }

  #attemptOptions(o: CallOptions) {
    return {
      dispatcher: this.#dispatcher,
      timeoutMs: o.timeoutMs ?? this.#timeoutMs,
      signal: o.signal,
    };
  }

  /** A JSON call that is safe to repeat (`admin`: with the admin token). */
  async #json<T>(request: Request, o: CallOptions, admin = false): Promise<T> {
    const token = o.adminToken ?? this.#adminToken;
    const withAuth =
      admin && token !== undefined
        ? { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } }
        : request;
    const got = await this.#exchange(() => withAuth, o, { repeatable: () => true });
    return got.body as T;
  }

  /**
   * Attempts `build()` until a 2xx (or a status in `accept`) or the retry policy gives up.
   * `refused` sees each refusal that will be retried or thrown (a cast learns the node's voteId
   * from it); `repeatable` says whether a request that may have reached a node can go again.
   * @throws VotestreamError the last refusal, or NETWORK_ERROR
   */
  async #exchange(
    build: () => Request,
    o: CallOptions,
    how: {
      repeatable: () => boolean;
      refused?: (error: VotestreamError) => void;
      accept?: number[];
    },
  ): Promise<{ status: number; body: unknown; node: string }> {
    this.#assertOpen();
    const policy = this.#policy(o);
    const started = performance.now();
    let nodeIndex = this.#firstNode(o);
    for (let attemptNo = 1; ; attemptNo++) {
      const node = this.nodes[nodeIndex]!;
      const got = await attempt(node, build(), this.#attemptOptions(o));
      if (got.kind === 'answer') {
        this.#preferred = nodeIndex;
        if ((got.status >= 200 && got.status < 300) || how.accept?.includes(got.status)) {
          if (typeof got.body === 'string' && build().expect !== 'text')
            throw errorOfReply(got.status, got.body, node);
          return { status: got.status, body: got.body, node };
        }
      }
      const error = failureOf(got, node);
      how.refused?.(error);
      const step = nextStep(
        got,
        {
          attempt: attemptNo,
          elapsedMs: performance.now() - started,
          nodeIndex,
          nodes: this.nodes.length,
          repeatable: how.repeatable(),
        },
        policy,
      );
      if (!step.retry) throw error;
      o.onRetry?.({
        error,
        attempt: attemptNo,
        delayMs: step.delayMs,
        next: this.nodes[step.nodeIndex]!,
      });
      await pause(step.delayMs, o.signal);
      nodeIndex = step.nodeIndex;
    }
  }
}

/** The error of a failed attempt: the node's refusal, or NETWORK_ERROR (status 0). */
function failureOf(got: Attempted, node: string): VotestreamError {
  if (got.kind === 'answer') return errorOfReply(got.status, got.body, node, got.retryAfterS);
  return new VotestreamError({
    status: 0,
    code: 'NETWORK_ERROR',
    message: `${node}: ${got.error.message}`,
    node,
    details: { sent: got.sent },
    cause: got.error,
  });
}

/** A vote without a voteId lost after it may have reached a node: say so, never retry it. */
function outcomeUnknown(error: VotestreamError): VotestreamError {
  if (error.code !== 'NETWORK_ERROR' || error.details.sent !== true) return error;
  return new VotestreamError({
    status: 0,
    code: 'VOTE_OUTCOME_UNKNOWN',
    message: `${error.message}; the vote had no voteId (voteIds: 'server'), so it may or may not be recorded and cannot be retried safely`,
    node: error.node,
    details: error.details,
    cause: error,
  });
}

/** The voteId a 503 names (the node's own, when the vote was sent without one). */
function namedVoteId(details: Record<string, unknown>): string | undefined {
  return typeof details.voteId === 'string' ? details.voteId : undefined;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function json(body: unknown): string {
  return JSON.stringify(body);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not the API's JSON: reported as BAD_REPLY with the text.
    return text;
  }
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
