// Issue 16's end-to-end acceptance: public contests cast over HTTP as ranked votes on three
// member nodes, the poll closed, and every node's GET /polls/:pollId/results equal to the
// published reference count and to each other.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseBlt } from '../../src/domain/count/blt.ts';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN, closeUntilFinal, startMembers } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const results = suite('ranked results on three nodes equal the reference counts');
const nodes: RunningNode[] = [];
let env: Record<string, string> = {};
const dir = mkdtempSync(join(tmpdir(), 'vs-ranked-'));

results.before(async () => {
  const cluster = await sharedCluster();
  nodes.push(...(await startMembers(cluster, ['k1', 'k2', 'k3'])));
  env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: nodes[0]!.ctx.config.prefix,
    VS_LOG_LEVEL: 'silent',
  };
});
results.after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  rmSync(dir, { recursive: true, force: true });
});

const cli = async (...args: string[]) => {
  const run = await execa('node', ['bin/votestream.js', ...args], { env, reject: false });
  assert.is(run.exitCode, 0, `votestream ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
};

/** What the command printed, every byte of it (execa would strip the last newline). */
const cliBytes = async (...args: string[]) => {
  const run = await execa('node', ['bin/votestream.js', ...args], {
    env,
    reject: false,
    stripFinalNewline: false,
  });
  assert.is(run.exitCode, 0, `votestream ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
};

/**
 * The recounts anyone can make: the poll's export recounted by `tally --from-file --results`
 * prints the live body byte for byte followed by a newline, and its BLT (`replay --format blt`) counted by
 * `tally --from-file` with the poll's seed gives the same count.
 */
async function recounts(pollId: string, live: string) {
  const exported = join(dir, `${pollId}.ndjson`);
  writeFileSync(exported, `${await cli('replay', '--poll', pollId)}\n`);
  // The live body byte for byte, then one newline (docs/operations.md, "Tools").
  assert.is(
    await cliBytes('tally', '--from-file', exported, '--poll', pollId, '--results'),
    `${live}\n`,
  );
  const ballots = join(dir, `${pollId}.blt`);
  writeFileSync(ballots, await cli('replay', '--poll', pollId, '--format', 'blt'));
  const { pollId: _p, provisional: _v, seed: _s, ...count } = JSON.parse(live);
  const seed = JSON.parse((await nodes[0]!.app.inject({ url: `/polls/${pollId}` })).body).poll.seed;
  const flags = count.batchElimination ? ['--batch-elimination'] : [];
  const fromBlt = JSON.parse(
    await cli('tally', '--from-file', ballots, '--seed', seed, '--json', ...flags),
  );
  assert.equal(fromBlt, count, 'the BLT file counts as the poll does');
}

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/ranked/${name}`, import.meta.url), 'utf8');

/**
 * Creates the contest as a poll (candidates become options c1…cN labelled with their names),
 * casts every ballot — a third of the voters one by one, the rest in batches, spread over the
 * nodes — closes it and waits until every node shows it final. Returns the poll id and the
 * name of each option id.
 */
async function castContest(name: string, definition: Record<string, unknown>) {
  const contest = parseBlt(fixture(`${name}.blt`));
  const names = contest.profile.options;
  const ids = names.map((_, i) => `c${i + 1}`);
  const idOf = new Map(names.map((n, i) => [n, ids[i]!]));
  const pollId = `${name.replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}-${Date.now().toString(36)}`;
  const created = await nodes[0]!.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: {
      id: pollId,
      title: contest.title.slice(0, 500) || name,
      options: names.map((label, i) => ({ id: ids[i], label })),
      ...definition,
    },
  });
  assert.is(created.statusCode, 201, created.body);
  const votes: { pollId: string; voterId: string; choices: string[] }[] = [];
  for (const { ranking, count } of contest.profile.ballots) {
    for (let i = 0; i < Number(count); i++)
      votes.push({
        pollId,
        voterId: `voter-${votes.length}`,
        choices: ranking.map((n) => idOf.get(n)!),
      });
  }
  const singles = votes.slice(0, Math.ceil(votes.length / 3));
  const batched = votes.slice(singles.length);
  await Promise.all(
    singles.map(async (vote, i) => {
      const res = await nodes[i % 3]!.app.inject({ method: 'POST', url: '/votes', payload: vote });
      assert.is(res.statusCode, 201, res.body);
    }),
  );
  for (let i = 0; i < batched.length; i += 500) {
    const res = await nodes[(i / 500) % 3]!.app.inject({
      method: 'POST',
      url: '/votes/batch',
      payload: { votes: batched.slice(i, i + 500) },
    });
    assert.is(res.statusCode, 200, res.body);
    for (const r of res.json().results) assert.is(r.status, 201, JSON.stringify(r));
  }
  await closeUntilFinal(nodes[1]!, nodes, pollId);
  const bodies = await Promise.all(
    nodes.map(async (n) => (await n.app.inject({ url: `/polls/${pollId}/results` })).body),
  );
  assert.is(bodies[1], bodies[0], 'k2 counts as k1 does, byte for byte');
  assert.is(bodies[2], bodies[0], 'k3 counts as k1 does, byte for byte');
  const nameOf = (id: string) => names[ids.indexOf(id)]!;
  await recounts(pollId, bodies[0]!);
  return { pollId, result: JSON.parse(bodies[0]!), nameOf, ballots: votes.length };
}

const renamed = (record: Record<string, string>, nameOf: (id: string) => string) =>
  Object.fromEntries(Object.entries(record).map(([id, v]) => [nameOf(id), v]));

results('replay --format blt of a poll that is not final says so on stderr', async () => {
  const pollId = 'blt-open';
  const created = await nodes[0]!.app.inject({
    method: 'POST',
    url: '/polls',
    headers: ADMIN,
    payload: { id: pollId, title: 'Open', options: ['a', 'b'], method: 'irv' },
  });
  assert.is(created.statusCode, 201, created.body);
  const vote = await nodes[0]!.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'v1', choices: ['b', 'a'] },
  });
  assert.is(vote.statusCode, 201, vote.body);
  const run = await execa(
    'node',
    ['bin/votestream.js', 'replay', '--poll', pollId, '--format', 'blt'],
    {
      env,
      reject: false,
    },
  );
  assert.is(run.exitCode, 0, String(run.stderr));
  assert.match(String(run.stdout), /^2 1\n/);
  assert.is(
    String(run.stderr),
    `votestream replay: poll ${pollId} is not final (open): the file holds the ballots finalized so far, and a count of it is not the poll's result yet`,
  );
});

results('IRV: RCTab test set 0, every round as published', async () => {
  const expected = JSON.parse(fixture('test_set_0_skipped_first_choice.expected.json'));
  const { result, nameOf, ballots } = await castContest('test_set_0_skipped_first_choice', {
    method: 'irv',
  });
  assert.is(result.method, 'irv');
  assert.is(result.provisional, false);
  assert.is(result.ballots, String(ballots));
  assert.equal(result.winners.map(nameOf), expected.winners);
  assert.equal(
    result.rounds.map(
      (r: { tally: Record<string, string>; eliminated: string[]; threshold: string }) => ({
        tally: renamed(r.tally, nameOf),
        eliminated: r.eliminated.map(nameOf),
        threshold: r.threshold,
      }),
    ),
    expected.rounds.map(
      (r: { tally: Record<string, string>; eliminated: string[]; threshold: string }) => ({
        tally: r.tally,
        eliminated: r.eliminated,
        threshold: r.threshold,
      }),
    ),
  );
});

results('Scottish STV: Glasgow 2007, Calton ward, as the published count', async () => {
  const expected = JSON.parse(fixture('Calton-2007.expected.json'));
  const { result, nameOf } = await castContest('Calton-2007', { method: 'stv', seats: 3 });
  assert.is(result.method, 'stv');
  assert.is(result.quota, expected.quota);
  assert.equal(result.winners.map(nameOf), expected.elected);
  assert.equal(renamed(result.finalVotes, nameOf), expected.finalVotes);
  assert.is(result.exhausted, expected.nonTransferable);
  assert.is(result.rounds.length - 1, expected.stages);
});

results.run();
