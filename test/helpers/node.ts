// A votestream node on a test cluster, with its own key prefix so tests never share a log.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../src/config.ts';
import { chainHash, chainPayload, GENESIS_HASH } from '../../src/domain/chain.ts';
import { shardOf } from '../../src/domain/shard-of.ts';
import { fingerprint } from '../../src/log/append-vote.ts';
import { decodeShardEntry, type RawEntry } from '../../src/log/codec.ts';
import { controlKeys, shardKeys } from '../../src/log/keys.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningNode, type StartOptions, startNode } from '../../src/node.ts';
import { contractRecorder } from './contract.ts';
import type { TestCluster } from './redis-cluster.ts';

const snapshotDirs: string[] = [];
process.once('exit', () => {
  for (const dir of snapshotDirs) rmSync(dir, { recursive: true, force: true });
});

/** A private snapshot folder, removed at exit. */
export function snapshotDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'votestream-snapshots-'));
  snapshotDirs.push(dir);
  return dir;
}

/** Env for a second node on the same log (same cluster and prefix, its own id and folder). */
export function peerEnv(node: RunningNode, nodeId: string): Record<string, string> {
  return { VS_PREFIX: node.ctx.config.prefix, VS_NODE_ID: nodeId };
}

/** Casts `count` votes through /votes/batch, `concurrency` requests at a time. */
export async function castMany(
  node: RunningNode,
  pollId: string,
  count: number,
  { batch = 1000, concurrency = 4, options = ['a', 'b', 'c'], voterPrefix = 'voter' } = {},
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const start = next;
        next = Math.min(count, next + batch);
        const votes = Array.from({ length: next - start }, (_, k) => ({
          pollId,
          voterId: `${voterPrefix}-${start + k}`,
          choices: [options[(start + k) % options.length]],
        }));
        const res = await node.app.inject({
          method: 'POST',
          url: '/votes/batch',
          payload: { votes },
        });
        if (res.statusCode !== 200) throw new Error(`batch failed: ${res.statusCode} ${res.body}`);
        const bad = res.json().results.find((r: { status: number }) => r.status !== 201);
        if (bad) throw new Error(`a vote was refused: ${JSON.stringify(bad)}`);
      }
    }),
  );
}

/** Waits until every shard of `node` has folded the whole log (applied = head). */
export async function caughtUp(node: RunningNode, timeoutMs = 30_000): Promise<void> {
  await until(
    async () => {
      const { client, prefix } = node.ctx.target;
      const heads = await Promise.all(
        node.ctx.projections.readers.map((r) =>
          client.hget(shardKeys(prefix, r.shard).head, 'seq'),
        ),
      );
      return node.ctx.projections.readers.every(
        (r, i) => r.state.appliedSeq === Number(heads[i] ?? 0),
      );
    },
    timeoutMs,
    `node ${node.ctx.config.nodeId} did not catch up`,
  );
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

export async function startTestNode(
  cluster: Pick<TestCluster, 'seeds'>,
  env: Record<string, string> = {},
  {
    listen = false,
    waitReady = true,
    onFatal,
  }: Pick<StartOptions, 'listen' | 'onFatal'> & { waitReady?: boolean } = {},
): Promise<RunningNode> {
  const config = loadConfig(
    {
      VS_REDIS_CLUSTER: cluster.seeds,
      VS_PREFIX: `t${randomBytes(4).toString('hex')}`,
      VS_ADMIN_TOKEN: ADMIN_TOKEN,
      VS_NODE_ID: 'test-node',
      VS_LOG_LEVEL: 'silent',
      VS_SNAPSHOT_DIR: snapshotDir(),
      VS_HTTP_PORT: '0',
      // By default a test node is an observer: no leader, no commits, unless a test says so.
      VS_MEMBERS: 'no-such-member',
      ...env,
    },
    {},
  );
  // Every reply of the node is checked against the API document (test/helpers/contract.ts).
  let started: RunningNode | undefined;
  const observeReply = contractRecorder(() => started?.app.swagger());
  const node = await startNode(config, createLogger({ level: config.logLevel }), {
    listen,
    observeReply,
    ...(onFatal ? { onFatal } : {}),
  });
  started = node;
  if (waitReady) await until(() => node.ctx.ready(), 10_000, 'the node did not become ready');
  return node;
}

/** Heartbeat, lease and failure timeout short enough for a test to see elections in seconds. */
const FAST_TIMINGS = { VS_HEARTBEAT_MS: '100', VS_LEASE_MS: '1000', VS_FAILURE_TIMEOUT_MS: '600' };

/**
 * Starts one node per id, one after another, on one log: together they are the members
 * (VS_MEMBERS), with fast timings; `envOf[id]` adds to that node's env. Returns the nodes in
 * the order of `ids`; if one fails to start, closes those already started.
 */
export async function startMembers(
  cluster: Pick<TestCluster, 'seeds'>,
  ids: string[],
  envOf: Record<string, Record<string, string>> = {},
): Promise<RunningNode[]> {
  const nodes: RunningNode[] = [];
  try {
    for (const id of ids) {
      const sameLog: Record<string, string> =
        nodes[0] === undefined ? {} : { VS_PREFIX: nodes[0].ctx.config.prefix };
      const env = { ...FAST_TIMINGS, VS_MEMBERS: ids.join(','), ...sameLog, VS_NODE_ID: id };
      nodes.push(await startTestNode(cluster, { ...env, ...envOf[id] }));
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.close()));
    throw error;
  }
  return nodes;
}

/** Creates a poll through the API; returns its id. */
export async function createPoll(
  node: RunningNode,
  body: Record<string, unknown> = {},
): Promise<string> {
  const id = (body.id as string) ?? `poll-${randomBytes(4).toString('hex')}`;
  const res = await node.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: { id, title: 'Test poll', options: ['a', 'b', 'c'], ...body },
  });
  if (res.statusCode !== 201) throw new Error(`poll create failed: ${res.statusCode} ${res.body}`);
  return id;
}

/** Creates a poll and casts one vote in it, which must be appended (201); returns the poll. */
export async function castOneVote(node: RunningNode): Promise<string> {
  const pollId = await createPoll(node);
  const res = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'alice', choices: ['a'] },
  });
  assert.is(res.statusCode, 201, res.body);
  return pollId;
}

/** Entries in every stream of the node's prefix: what "nothing was written" is measured by. */
export async function logLength(node: RunningNode): Promise<number> {
  const { client, prefix, shards } = node.ctx.target;
  const lengths = await Promise.all([
    client.xlen(controlKeys(prefix).polls),
    ...Array.from({ length: shards }, (_, s) => client.xlen(shardKeys(prefix, s).log)),
  ]);
  return lengths.reduce((a, b) => a + b, 0);
}

/** Reads a shard back and checks its chain link by link; returns the decoded entries. */
export async function readChain(node: RunningNode, shard: number) {
  const raw = (await node.ctx.target.client.xrange(
    shardKeys(node.ctx.target.prefix, shard).log,
    '-',
    '+',
  )) as RawEntry[];
  const entries = raw.map(decodeShardEntry);
  let head = { seq: 0, hash: GENESIS_HASH };
  for (const entry of entries) {
    if (entry.type === 'CommitMarked') continue;
    const seq = entry.seq ?? -1;
    const expected = chainHash(head.hash, seq, chainPayload(entry));
    if (seq !== head.seq + 1 || entry.hash !== expected) {
      throw new Error(`chain break in shard ${shard} at seq ${seq}`);
    }
    head = { seq, hash: entry.hash };
  }
  return entries;
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  message: string,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Closes `pollId` through `node` (admin) and waits until every node of `nodes` shows it final:
 * its ballots are all committed, so every node's counts are the last.
 */
export async function closeUntilFinal(
  node: RunningNode,
  nodes: readonly RunningNode[],
  pollId: string,
  timeoutMs = 20_000,
): Promise<void> {
  const closed = await node.app.inject({
    method: 'POST',
    url: `/polls/${pollId}/close`,
    headers: ADMIN,
  });
  if (closed.statusCode !== 200) throw new Error(`close ${pollId}: ${closed.body}`);
  const final = async (n: RunningNode) =>
    (await n.app.inject({ url: `/polls/${pollId}` })).json().poll.status === 'final';
  await until(
    async () => (await Promise.all(nodes.map(final))).every(Boolean),
    timeoutMs,
    `${pollId} did not become final on every node`,
  );
}

/**
 * XADDs an entry of the caller's fields at the head of a shard's chain, bypassing the append
 * script: `fields(seq, headHash)` gets the next seq and the head's chain hash. Returns the seq.
 */
export async function appendRaw(
  node: RunningNode,
  shard: number,
  fields: (seq: number, headHash: string) => string[],
): Promise<number> {
  const { client, prefix } = node.ctx.target;
  const keys = shardKeys(prefix, shard);
  const [seqText, headHash] = (await client.hmget(keys.head, 'seq', 'hash')) as [string, string];
  const seq = Number(seqText) + 1;
  await client.xadd(keys.log, '*', ...fields(seq, headHash ?? ''));
  return seq;
}

/**
 * Appends a forged VoteCast at the head of a shard's chain, bypassing the append script:
 * the next seq, but a hash that does not follow. Returns the seq it claims.
 */
export function forgeVote(node: RunningNode, shard: number, pollId: string): Promise<number> {
  const data = JSON.stringify({
    at: 1,
    choices: ['a'],
    pollId,
    type: 'VoteCast',
    v: 1,
    voteId: 'forged',
    voterId: 'mallory',
  });
  return appendRaw(node, shard, (seq) => [
    'type',
    'VoteCast',
    'seq',
    String(seq),
    'hash',
    'f'.repeat(40),
    'data',
    data,
  ]);
}

/**
 * Appends a vote of choice "a" with the append script alone and no claim, as a node from before
 * voteIds were claimed did (a log written then). Returns the script's reply.
 */
export async function appendWithoutClaim(
  node: RunningNode,
  pollId: string,
  voterId: string,
  voteId: string,
): Promise<string> {
  const { client, prefix, shards } = node.ctx.target;
  const keys = shardKeys(prefix, shardOf(pollId, voterId, shards));
  const payload = JSON.stringify({
    at: 1,
    choices: ['a'],
    pollId,
    type: 'VoteCast',
    v: 1,
    voteId,
    voterId,
  });
  const print = fingerprint({ pollId, voterId, choices: ['a'] });
  return String(
    await client.appendVotes(
      7,
      keys.head,
      keys.ids,
      keys.closed,
      keys.log,
      keys.claims,
      keys.voters(pollId),
      keys.roll(pollId),
      1,
      pollId,
      'reject',
      '',
      voteId,
      voterId,
      1,
      print,
      payload,
      '',
    ),
  );
}
