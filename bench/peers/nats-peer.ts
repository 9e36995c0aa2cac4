// The NATS JetStream peer: `node --import tsx bench/peers/nats-peer.ts --port P --servers
// host:port,… --replicas R`. One vote = one KV `create` of the key <poll>.<voter>, which the
// server refuses when the key exists (one vote per voter); the create returns once the stream
// has stored it (R3: on a quorum of the three servers). The counts are a fold of the bucket: a
// watcher in this process adds each created vote to per-option counts, as votestream's nodes
// fold their log (JetStream KV has no atomic multi-key write, so a counter key updated beside
// the vote could disagree with the votes after a crash between the two writes).
import { parseArgs } from 'node:util';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { VoteRequest } from '../../src/log/append-vote.ts';
import { type PeerStore, type Recorded, servePeer } from './front.ts';

interface StoredVote {
  voteId: string;
  choices: string[];
  at: number;
}

/** KV keys allow [-/_=.A-Za-z0-9]: a voter id is any normalized string, so it is encoded. */
const keyOf = (pollId: string, voterId: string) =>
  `${pollId}.${Buffer.from(voterId).toString('base64url')}`;

/** A PeerStore on the JetStream KV bucket `votes` (file storage, `replicas` copies). */
async function natsStore(servers: string[], replicas: number): Promise<PeerStore> {
  const nc = await connect({ servers });
  const kvm = new Kvm(nc);
  // A new cluster elects its JetStream meta leader for a few seconds: until then creating the
  // bucket fails; retried for up to 30 s.
  const deadline = Date.now() + 30_000;
  let kv: Awaited<ReturnType<Kvm['create']>>;
  for (;;) {
    try {
      kv = await kvm.create('votes', { replicas, history: 1 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const counts = new Map<string, Record<string, number>>();
  const watcher = await kv.watch();
  const folding = (async () => {
    for await (const e of watcher) {
      if (e.operation !== 'PUT') continue;
      const pollId = e.key.slice(0, e.key.indexOf('.'));
      const poll = counts.get(pollId) ?? {};
      for (const c of e.json<StoredVote>().choices) poll[c] = (poll[c] ?? 0) + 1;
      counts.set(pollId, poll);
    }
  })();
  return {
    async record(vote: VoteRequest): Promise<Recorded> {
      const key = keyOf(vote.pollId, vote.voterId);
      const stored: StoredVote = { voteId: vote.voteId, choices: vote.choices, at: vote.at };
      try {
        return { status: 'recorded', seq: await kv.create(key, JSON.stringify(stored)) };
      } catch (error) {
        // Refused because the key exists (a vote for this voter), or a fault: the key says.
        const existing = await kv.get(key);
        if (existing?.operation !== 'PUT') throw error;
        const earlier = existing.json<StoredVote>();
        if (earlier.voteId !== vote.voteId) return { status: 'refused', code: 'ALREADY_VOTED' };
        return earlier.choices.join('\n') === vote.choices.join('\n')
          ? { status: 'replayed', seq: existing.revision }
          : { status: 'refused', code: 'VOTE_ID_CONFLICT' };
      }
    },
    async tally(pollId: string) {
      return { ...(counts.get(pollId) ?? {}) };
    },
    async close() {
      watcher.stop();
      await folding;
      await nc.drain();
    },
  };
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    servers: { type: 'string' },
    replicas: { type: 'string', default: '1' },
  },
});
if (!values.port || !values.servers)
  throw new Error('usage: nats-peer.ts --port P --servers host:port,… [--replicas R]');
const store = await natsStore(values.servers.split(','), Number(values.replicas));
await servePeer('nats-peer', store, Number(values.port));
