// The HTTP front every peer shares with votestream: the node's own server (src/http/app.ts
// httpServer: logger, JSON parser, error shape, rate limit, load shedding), the same body schema
// (voteBody), the same checks before the store (prepareVote: ids, poll rules, voteId) and the
// same answers: 201 recorded, 200 the same receipt for a retried voteId, 409 ALREADY_VOTED or
// VOTE_ID_CONFLICT, 503 with Retry-After when the store fails. Only the store differs.
import { loadConfig } from '../../src/config.ts';
import { VoteStreamError } from '../../src/errors.ts';
import { httpServer } from '../../src/http/app.ts';
import { type Ballot, prepareVote } from '../../src/http/cast-vote.ts';
import { pollIdParams, voteBody } from '../../src/http/schemas.ts';
import type { VoteRequest } from '../../src/log/append-vote.ts';
import type { CatalogueEntry } from '../../src/log/poll-catalogue.ts';
import { createLogger, type Logger } from '../../src/logger.ts';

/** What a store did with one vote. `seq`: the store's own position of it, where it has one. */
export type Recorded =
  | { status: 'recorded' | 'replayed'; seq?: number }
  | { status: 'refused'; code: 'ALREADY_VOTED' | 'VOTE_ID_CONFLICT' };

/** A peer's storage: one counted vote per (poll, voter), acknowledged once durable. */
export interface PeerStore {
  /**
   * Records `vote` unless its voter has voted in its poll. Resolves only once the store calls
   * the vote durable (each peer's meaning is in docs/performance.md); rejects on a store fault
   * (the route answers 503 STORAGE_UNAVAILABLE or the error's own code).
   */
  record(vote: VoteRequest): Promise<Recorded>;
  /** Counted votes per option of `pollId` (for checks; not on the measured path). */
  tally(pollId: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** The one poll every bench run votes in (as bench/baseline-server.ts): options a–d, one choice. */
export const BENCH_POLL: CatalogueEntry = {
  closed: false,
  poll: {
    id: 'bench',
    title: 'Bench',
    options: ['a', 'b', 'c', 'd'].map((id) => ({ id })),
    maxChoices: 1,
    revote: 'reject',
    createdAt: 0,
  },
};

const peerReceipt = {
  type: 'object',
  required: ['receipt'],
  properties: {
    receipt: {
      type: 'object',
      required: ['voteId', 'pollId'],
      properties: {
        voteId: { type: 'string' },
        pollId: { type: 'string' },
        seq: { type: 'integer' },
      },
    },
  },
} as const;

/**
 * Serves POST /votes, GET /polls/:pollId/tally and GET /health on 127.0.0.1:`port` in front of
 * `store`, and closes both on SIGTERM. Resolves once listening.
 */
export async function servePeer(name: string, store: PeerStore, port: number): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, nodeId: name });
  const app = httpServer(config, log);
  app.get('/health', async () => ({ status: 'ready' }));
  app.get<{ Params: { pollId: string } }>(
    '/polls/:pollId/tally',
    { schema: { params: pollIdParams } },
    async (request) => {
      const counts = await store.tally(request.params.pollId).catch(storeFault(log));
      return { pollId: request.params.pollId, counts };
    },
  );
  app.post<{ Body: Ballot }>(
    '/votes',
    { schema: { body: voteBody, response: { 200: peerReceipt, 201: peerReceipt } } },
    async (request, reply) => {
      const entry = request.body.pollId === BENCH_POLL.poll.id ? BENCH_POLL : undefined;
      const vote = prepareVote(entry, request.body, Date.now(), config.voterSecret, config.shards);
      if (vote instanceof VoteStreamError) throw vote;
      const outcome = await store.record(vote).catch(storeFault(log));
      if (outcome.status === 'refused') throw new VoteStreamError(outcome.code);
      const receipt = { voteId: vote.voteId, pollId: vote.pollId, seq: outcome.seq };
      return reply.status(outcome.status === 'recorded' ? 201 : 200).send({ receipt });
    },
  );
  await app.listen({ host: '127.0.0.1', port });
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'peer did not close cleanly');
          process.exit(1);
        },
      );
  });
}

/** A store's failure: logged with its cause, answered 503 with Retry-After (never a 500). */
function storeFault(log: Logger) {
  return (error: unknown): never => {
    if (error instanceof VoteStreamError) throw error;
    log.warn({ err: error }, 'peer store failed');
    throw new VoteStreamError('STORAGE_UNAVAILABLE');
  };
}
