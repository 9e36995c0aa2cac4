// The PostgreSQL peer: `node --import tsx bench/peers/postgres-peer.ts --port P --url U --pool N`.
// One vote = one statement (so one transaction): INSERT the vote ON CONFLICT DO NOTHING on the
// primary key (poll_id, voter_id) and the unique vote_id, and in the same statement add 1 to
// the chosen options' counter rows. The commit returns only once durable as the server's
// synchronous_commit says (on: fsync'd WAL; remote_write with a synchronous standby).
import { parseArgs } from 'node:util';
import pg from 'pg';
import { shardOf } from '../../src/domain/shard-of.ts';
import type { VoteRequest } from '../../src/log/append-vote.ts';
import { type PeerStore, type Recorded, servePeer } from './front.ts';

/**
 * Counter rows per option. One row per option would serialize every vote for that option on its
 * row lock, held through the commit's WAL flush; 16 rows (by the vote's votestream shard) let
 * commits of different voters proceed side by side and group-commit, as a team would do it.
 */
const COUNTER_SLOTS = 16;

/** The tables, created when the peer starts. */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS votes (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    poll_id text NOT NULL,
    voter_id text NOT NULL,
    vote_id text NOT NULL UNIQUE,
    choices text[] NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (poll_id, voter_id)
  );
  CREATE TABLE IF NOT EXISTS counts (
    poll_id text NOT NULL,
    option_id text NOT NULL,
    slot smallint NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (poll_id, option_id, slot)
  );`;

// Data-modifying CTEs run to completion whether or not the outer SELECT reads them; the counts
// are bumped only for a vote that was inserted. Choices come sorted ($7), so two votes lock
// their counter rows in the same order and cannot deadlock.
const RECORD = `
  WITH ins AS (
    INSERT INTO votes (poll_id, voter_id, vote_id, choices, at)
    VALUES ($1, $2, $3, $4, to_timestamp($5::double precision / 1000))
    ON CONFLICT DO NOTHING
    RETURNING seq
  ), counted AS (
    INSERT INTO counts (poll_id, option_id, slot, n)
    SELECT $1, c, $6, 1 FROM ins, unnest($7::text[]) AS c
    ON CONFLICT (poll_id, option_id, slot) DO UPDATE SET n = counts.n + 1
  )
  SELECT seq FROM ins`;

// Why nothing was inserted: the voter's earlier vote, or another vote holding this voteId.
const EXISTING = `
  SELECT seq, poll_id, voter_id, vote_id, choices FROM votes
  WHERE (poll_id = $1 AND voter_id = $2) OR vote_id = $3`;

interface VoteRow {
  seq: string;
  poll_id: string;
  voter_id: string;
  vote_id: string;
  choices: string[];
}

/** A PeerStore on a pg.Pool of `pool` connections to `url`; creates the tables first. */
async function postgresStore(url: string, pool: number): Promise<PeerStore> {
  const db = new pg.Pool({ connectionString: url, max: pool });
  // An idle client's error (the server went away) must not crash the process; the next query
  // fails, and that vote is answered 503.
  db.on('error', (error) => process.stderr.write(`postgres-peer: idle client: ${error.message}\n`));
  await db.query(SCHEMA);
  return {
    async record(vote: VoteRequest): Promise<Recorded> {
      const sorted = [...vote.choices].sort();
      const slot = shardOf(vote.pollId, vote.voterId, COUNTER_SLOTS);
      const inserted = await db.query<{ seq: string }>({
        name: 'record-vote',
        text: RECORD,
        values: [vote.pollId, vote.voterId, vote.voteId, vote.choices, vote.at, slot, sorted],
      });
      if (inserted.rows[0]) return { status: 'recorded', seq: Number(inserted.rows[0].seq) };
      const { rows } = await db.query<VoteRow>({
        name: 'existing-vote',
        text: EXISTING,
        values: [vote.pollId, vote.voterId, vote.voteId],
      });
      const same = rows.find((r) => r.vote_id === vote.voteId);
      if (same) {
        const identical =
          same.poll_id === vote.pollId &&
          same.voter_id === vote.voterId &&
          same.choices.join('\n') === vote.choices.join('\n');
        return identical
          ? { status: 'replayed', seq: Number(same.seq) }
          : { status: 'refused', code: 'VOTE_ID_CONFLICT' };
      }
      if (rows.length) return { status: 'refused', code: 'ALREADY_VOTED' };
      throw new Error(`vote ${vote.voteId} was neither inserted nor found`);
    },
    async tally(pollId: string) {
      const { rows } = await db.query<{ option_id: string; n: string }>(
        'SELECT option_id, sum(n) AS n FROM counts WHERE poll_id = $1 GROUP BY option_id',
        [pollId],
      );
      return Object.fromEntries(rows.map((r) => [r.option_id, Number(r.n)]));
    },
    close: () => db.end(),
  };
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    url: { type: 'string' },
    pool: { type: 'string', default: '8' },
  },
});
if (!values.port || !values.url) throw new Error('usage: postgres-peer.ts --port P --url U');
const store = await postgresStore(values.url, Number(values.pool));
await servePeer('postgres-peer', store, Number(values.port));
