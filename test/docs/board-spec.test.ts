// docs/bulletin-board.md is complete: a verifier written from it alone (board-verifier.ts, which
// imports nothing of votestream) recomputes every chain hash of real exports and recounts them
// to the node's own tally, and the page's worked example checks out byte for byte.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson as codeCanonicalJson } from '../../src/domain/canonical-json.ts';
import type { RunningNode } from '../../src/node.ts';
import { caughtUp, closeUntilFinal, createPoll, startTestNode, until } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';
import { type Board, canonicalJson, recount, verifyBoard } from './board-verifier.ts';

const spec = suite('the bulletin board as docs/bulletin-board.md specifies it');
const SHARDS = 16;
/** Voter id families whose characters exercise the page's escaping rules (sent decomposed:
 * "e\u0301" is stored as its NFC form). */
const FAMILIES = [
  'plain',
  'José "J"',
  'back\\slash',
  'tag <b>&amp;</b>',
  'line\u2028sep',
  '😀 emoji',
  '日本語',
  'e\u0301te\u0301',
  'a/b',
];
const PER_FAMILY = 150;
const REVOTERS = 30;

let node: RunningNode;
let pollId = '';
let other = '';
let env: Record<string, string> = {};
let dir = '';
let pollBoard = '';
let wholeLog = '';

const cli = (...args: string[]) =>
  execa('node', ['bin/votestream.js', ...args], { env, reject: false, stripFinalNewline: false });

async function cast(votes: { pollId: string; voterId: string; choices: string[] }[]) {
  const res = await node.app.inject({ method: 'POST', url: '/votes/batch', payload: { votes } });
  assert.is(res.statusCode, 200, res.body);
  for (const r of res.json().results) assert.is(r.status, 201, JSON.stringify(r));
}

const committed = () =>
  until(
    () => node.ctx.projections.readers.every((r) => r.state.committedSeq === r.state.appliedSeq),
    15_000,
    'the leader did not commit every shard',
  );

spec.before(async () => {
  const cluster = await sharedCluster();
  dir = await mkdtemp(join(tmpdir(), 'vs-board-'));
  // A single member leads and commits, so the boards carry markers.
  node = await startTestNode(cluster, {
    VS_NODE_ID: 'board-node',
    VS_MEMBERS: 'board-node',
    VS_HEARTBEAT_MS: '100',
  });
  assert.is(node.ctx.config.shards, SHARDS);
  env = {
    VS_REDIS_CLUSTER: cluster.seeds,
    VS_PREFIX: node.ctx.config.prefix,
    VS_LOG_LEVEL: 'silent',
  };
  pollId = await createPoll(node, { revote: 'replace', options: ['a', 'b', 'c', 'd'] });
  other = await createPoll(node, { options: ['x', 'y', 'z'], maxChoices: 2 });
  const options = ['a', 'b', 'c', 'd'];
  for (const [f, family] of FAMILIES.entries()) {
    await cast(
      Array.from({ length: PER_FAMILY }, (_, k) => ({
        pollId,
        voterId: `${family} ${k}`,
        choices: [options[(k * (f + 1)) % 4]!],
      })),
    );
    // Another poll's votes between them: the poll's board shows them as ElidedRuns.
    await cast(
      Array.from({ length: 40 }, (_, k) => ({
        pollId: other,
        voterId: `other ${f}-${k}`,
        choices: k % 3 ? ['y', 'x'] : ['z'],
      })),
    );
  }
  // Revotes (replace): the latest vote counts.
  for (const family of FAMILIES)
    await cast(
      Array.from({ length: REVOTERS }, (_, k) => ({
        pollId,
        voterId: `${family} ${k}`,
        choices: ['d'],
      })),
    );
  await caughtUp(node);
  await committed();
  await closeUntilFinal(node, [node], pollId);
  const late = await node.app.inject({
    method: 'POST',
    url: '/votes',
    payload: { pollId, voterId: 'late', choices: ['a'] },
  });
  assert.is(late.statusCode, 409, late.body);
  // The other poll goes on after the close: runs then reach the shards' heads.
  await cast(
    Array.from({ length: 100 }, (_, k) => ({
      pollId: other,
      voterId: `after ${k}`,
      choices: ['x'],
    })),
  );
  await caughtUp(node);
  await committed();
  const [board, whole] = await Promise.all([cli('replay', '--poll', pollId), cli('replay')]);
  assert.is(board.exitCode, 0, String(board.stderr));
  assert.is(whole.exitCode, 0, String(whole.stderr));
  pollBoard = String(board.stdout);
  wholeLog = String(whole.stdout);
});

spec.after(async () => {
  await node?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const linesOf = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function live(id: string, path: 'tally' | 'results') {
  return (await node.app.inject({ url: `/polls/${id}/${path}` })).json();
}

spec('the verifier imports nothing of votestream, only node:crypto', async () => {
  const source = await readFile(new URL('./board-verifier.ts', import.meta.url), 'utf8');
  const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
  assert.equal(imports, ['node:crypto']);
  assert.not.match(source, /\brequire\(|import\(/);
});

spec('the page’s escaping rules are the code’s for every UTF-16 code unit', () => {
  // The API lets few of them into a payload; old logs may hold any.
  for (let c = 0; c <= 0xffff; c++) {
    const payload = { voterId: `a${String.fromCharCode(c)}b`, v: 1, at: 2 ** 53 - 1 };
    assert.is(canonicalJson(payload), codeCanonicalJson(payload), `U+${c.toString(16)}`);
  }
  const pairs = { choices: ['😀', '\ud83d\ude00\ud83d', '\ude00x'], type: 'VoteCast' };
  assert.is(canonicalJson(pairs), codeCanonicalJson(pairs));
});

spec('every chain hash of a poll board recomputes from the page, from genesis', () => {
  const board = verifyBoard(pollBoard, SHARDS);
  assert.equal(board.problems, []);
  const chained = linesOf(pollBoard).filter(
    (l) => (l.type === 'VoteCast' || l.type === 'PollClosed') && l.shard !== undefined,
  );
  const votes = FAMILIES.length * (PER_FAMILY + REVOTERS);
  assert.is(chained.length, votes + SHARDS);
  assert.is(board.hashed, chained.length, 'every chained line was hashed and matched');
  assert.ok(board.runs > SHARDS, `runs: ${board.runs}`);
  assert.ok(board.markers >= SHARDS, `markers: ${board.markers}`);
  assert.equal(
    [...board.shards.keys()].sort((a, b) => a - b),
    [...Array(SHARDS).keys()],
  );
  console.log(
    `  poll board: ${board.lines} lines, ${board.hashed} hashes recomputed, ${board.runs} runs, ${board.markers} markers (${board.markersUnchecked} inside runs)`,
  );
});

spec('its recount equals the node’s tally and result, and the poll is final', async () => {
  const board = verifyBoard(pollBoard, SHARDS);
  const count = recount(board, pollId);
  const tally = await live(pollId, 'tally');
  assert.equal(count.finalized, tally.finalized);
  assert.equal(count.pending, tally.pending);
  assert.equal(count.ballots, { finalized: FAMILIES.length * PER_FAMILY, pending: 0 });
  assert.equal(count.winners, (await live(pollId, 'results')).winners);
  for (const [shard, view] of board.shards) {
    const barrier = view.barriers.get(pollId);
    assert.ok(barrier !== undefined && barrier <= view.committed, `shard ${shard} not final`);
  }
  console.log(`  recount of ${pollId}: ${JSON.stringify(count.finalized)} = GET …/tally`);
});

spec('a whole-log export verifies with no runs and recounts an approval poll', async () => {
  const board = verifyBoard(wholeLog, SHARDS);
  assert.equal(board.problems, []);
  assert.is(board.runs, 0);
  assert.is(board.markersUnchecked, 0);
  const count = recount(board, other);
  const tally = await live(other, 'tally');
  assert.equal(count.finalized, tally.finalized);
  assert.equal(count.ballots, tally.ballots);
  assert.ok(count.finalized.x! > 0 && count.finalized.y! > 0 && count.finalized.z! > 0);
  assert.equal(recount(board, pollId).finalized, recount(verifyBoard(pollBoard), pollId).finalized);
  console.log(
    `  whole log: ${board.lines} lines, ${board.hashed} hashes recomputed from genesis; recount of the approval poll ${JSON.stringify(count.finalized)} = GET …/tally`,
  );
});

spec('with markers removed, finalized and pending are those of tally --from-file', async () => {
  // Shards 0–7 lose every marker, 8–11 keep only their first: their votes fall back to pending.
  const firstMarker = new Set<number>();
  const kept = pollBoard
    .trim()
    .split('\n')
    .filter((text) => {
      const line = JSON.parse(text);
      if (line.type !== 'CommitMarked' || line.shard >= 12) return true;
      if (line.shard < 8 || firstMarker.has(line.shard)) return false;
      firstMarker.add(line.shard);
      return true;
    });
  const file = join(dir, 'fewer-markers.ndjson');
  await writeFile(file, `${kept.join('\n')}\n`);
  const res = await cli('tally', '--from-file', file, '--poll', pollId, '--json');
  assert.is(res.exitCode, 0, String(res.stdout));
  const theirs = JSON.parse(String(res.stdout).trim().split('\n').pop()!).polls[0];
  const ours = recount(verifyBoard(kept.join('\n'), SHARDS), pollId);
  assert.equal(ours.finalized, theirs.finalized);
  assert.equal(ours.pending, theirs.pending);
  assert.equal(ours.ballots, theirs.ballots);
  assert.is(ours.revotesPending, theirs.revotesPending);
  assert.ok(ours.ballots.pending > 0, 'some votes are pending');
});

spec('a changed or missing vote breaks its shard; key order and ids are not hashed', () => {
  const lines = pollBoard.trim().split('\n');
  const at = lines.findIndex((l) => JSON.parse(l).type === 'VoteCast');
  const vote = JSON.parse(lines[at]!);
  const changed = [...lines];
  changed[at] = JSON.stringify({ ...vote, choices: vote.choices[0] === 'a' ? ['b'] : ['a'] });
  assert.equal(verifyBoard(changed.join('\n')).problems, [
    `shard ${vote.shard}, line ${at + 1}: hash at seq ${vote.seq}`,
  ]);
  const missing = lines.filter((_, i) => i !== at);
  assert.match(verifyBoard(missing.join('\n')).problems[0] ?? '', `shard ${vote.shard}, line`);
  // Reversed key order and other entry ids: the same payloads, the same hashes.
  const reordered = lines.map((l) => {
    const entries = Object.entries(JSON.parse(l)).reverse();
    return JSON.stringify(Object.fromEntries(entries.map(([k, v]) => [k, k === 'id' ? '0-1' : v])));
  });
  const board = verifyBoard(reordered.join('\n'), SHARDS);
  assert.equal(board.problems, []);
  assert.equal(recount(board, pollId), recount(verifyBoard(pollBoard), pollId));
});

spec('the page’s worked example verifies, hash by hash and byte by byte', async () => {
  const page = await readFile(new URL('../../docs/bulletin-board.md', import.meta.url), 'utf8');
  const example = /```ndjson\n([\s\S]*?)```/.exec(page)?.[1] ?? '';
  const board: Board = verifyBoard(example, SHARDS);
  assert.equal(board.problems, []);
  assert.is(board.hashed, 4);
  assert.equal(recount(board, 'lunch').finalized, { pizza: 2, sushi: 0 });
  const inputs = /```text\n([\s\S]*?)```/.exec(page)?.[1]?.split('\n') ?? [];
  let checked = 0;
  inputs.forEach((comment, i) => {
    const stated = /^# .*: (\d+) bytes, sha1 ([0-9a-f]{40})$/.exec(comment);
    if (!stated) return;
    const input = Buffer.from(inputs[i + 1]!, 'utf8');
    assert.is(input.length, Number(stated[1]), comment);
    assert.is(createHash('sha1').update(input).digest('hex'), stated[2], comment);
    checked++;
  });
  assert.is(checked, 5);
  // The board's own hashes are the ones the inputs give.
  const hashes = linesOf(example).map((l) => l.hash);
  for (const line of inputs.filter((l) => l.startsWith('# shard 9')))
    assert.ok(hashes.includes(/sha1 (\w+)$/.exec(line)![1]), line);
});

spec.run();
