// Baselines for bench/append, on the node's own HTTP server (src/http/app.ts httpServer: the
// logger, JSON body parser, error shape, rate limit and load shedding; all but the routes):
//
//   POST /votes         parses the body and answers 201: the empty route.
//   POST /votes/checked what POST /votes does before and after the log: the body schema, the
//                       poll's rules, a voteId, the VoteCast encoded and validated, the content
//                       fingerprint, a receipt through the reply schema. No Redis.
//
// The second one splits an append's cost in two: the HTTP route's own work, and the log's.
import { loadConfig } from '../src/config.ts';
import { httpServer } from '../src/http/app.ts';
import { type Ballot, prepareVote } from '../src/http/cast-vote.ts';
import { receiptReply } from '../src/http/reply-schemas.ts';
import { voteBody } from '../src/http/schemas.ts';
import { receiptSerializer } from '../src/http/vote-routes.ts';
import { fingerprint } from '../src/log/append-vote.ts';
import { encodeVote } from '../src/log/codec.ts';
import { createLogger } from '../src/logger.ts';

const config = loadConfig();
const app = httpServer(config, createLogger({ level: config.logLevel, nodeId: config.nodeId }));
const entry = {
  closed: false,
  poll: {
    id: 'bench',
    title: 'Bench',
    options: ['a', 'b', 'c', 'd'].map((id) => ({ id })),
    maxChoices: 1,
    revote: 'reject' as const,
    createdAt: Date.now(),
  },
};
let seq = 0;

app.get('/health', async () => ({ status: 'ready' }));
app.post('/votes', async (_request, reply) => reply.status(201).send({ receipt: {} }));
app.post<{ Body: Ballot }>(
  '/votes/checked',
  {
    schema: { body: voteBody, response: { 201: receiptReply } },
    serializerCompiler: receiptSerializer,
  },
  async (request, reply) => {
    const vote = prepareVote(entry, request.body, Date.now(), config.voterSecret, config.shards);
    if (vote instanceof Error) throw vote;
    const data = encodeVote(vote);
    const hash = fingerprint(vote);
    seq++;
    return reply.status(201).send({
      receipt: {
        voteId: vote.voteId,
        pollId: vote.pollId,
        shard: data.length % 16,
        seq,
        entryId: `${Date.now()}-0`,
        hash,
      },
    });
  },
);
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
