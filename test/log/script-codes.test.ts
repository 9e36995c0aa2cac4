import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ACQUIRE_LEASE,
  ADD_TO_ROLL,
  APPEND_VOTES,
  CLAIM_VOTE_IDS,
  CLOSE_POLL,
  CLOSE_SHARD,
  CREATE_POLL,
  codedReply,
  MARK_COMMIT,
  markCommitResult,
  parseCode,
  RELEASE_LEASE,
  RENEW_LEASE,
  RESERVE_ROLL_WEIGHT,
  scriptRefusal,
} from '../../src/log/script-codes.ts';
import type { ScriptName } from '../../src/log/script-commands.ts';
import { SCRIPT_NAMES, scriptLua } from '../../src/log/scripts.ts';
import { unionMembers } from '../helpers/union-members.ts';

const names = suite('scripts: one typed command per file of streams/lua');

names('every script has a typed command, and every typed command a script', () => {
  // The typecheck fails when a command of script-commands.ts is missing here.
  const typed = unionMembers<ScriptName>({
    acquireLease: true,
    addToRoll: true,
    appendVotes: true,
    claimVoteIds: true,
    closePoll: true,
    closeShard: true,
    createPoll: true,
    markCommit: true,
    raiseFence: true,
    readPage: true,
    releaseLease: true,
    releaseVoteIds: true,
    renewLease: true,
    replicationInfo: true,
    reserveRollWeight: true,
  });
  assert.equal([...SCRIPT_NAMES].sort(), typed);
});

names('a script that includes the chain hash is loaded with it, and no include is left', () => {
  for (const name of ['appendVotes', 'closeShard', 'addToRoll'] as const) {
    const lua = scriptLua(name);
    assert.ok(lua.includes('local function chainHash(prevHash, seq, payload)'), name);
    assert.not.ok(/^--- @include/m.test(lua), name);
  }
});

const headers = suite('return codes: named once, as each script header documents them');

/** The codes a script's header lists after "Returns": one a line, or "N when …". */
function documentedCodes(file: string): number[] {
  const lua = readFileSync(new URL(`../../streams/lua/${file}`, import.meta.url), 'utf8');
  const header = lua.slice(0, lua.indexOf(']]'));
  const returns = header.slice(header.indexOf('Returns'));
  const codes = [...returns.matchAll(/^\s+(-?\d+) {2}|(-?\d+) when/gm)];
  return codes.map((m) => Number(m[1] ?? m[2])).sort((a, b) => a - b);
}

const NAMED: [string, Record<string, number>][] = [
  ['append-votes.lua', APPEND_VOTES],
  ['claim-vote-ids-2.lua', CLAIM_VOTE_IDS],
  ['create-poll-2.lua', CREATE_POLL],
  ['close-poll-3.lua', CLOSE_POLL],
  ['close-shard-3.lua', CLOSE_SHARD],
  ['mark-commit-3.lua', MARK_COMMIT],
  ['acquire-lease-3.lua', ACQUIRE_LEASE],
  ['renew-lease-1.lua', RENEW_LEASE],
  ['release-lease-2.lua', RELEASE_LEASE],
  ['add-to-roll-4.lua', ADD_TO_ROLL],
  ['reserve-roll-weight-1.lua', RESERVE_ROLL_WEIGHT],
];

headers('each code object names exactly the codes its script documents', () => {
  for (const [file, codes] of NAMED) {
    const named = Object.values(codes).sort((a, b) => a - b);
    assert.equal(named, documentedCodes(file), file);
  }
});

const refusals = suite('scriptRefusal: a refusal code is an error of the error table');

refusals('the append script refusals, with the counted seq for ALREADY_VOTED', () => {
  const expected: [number, string, number][] = [
    [APPEND_VOTES.pollClosed, 'POLL_CLOSED', 409],
    [APPEND_VOTES.alreadyVoted, 'ALREADY_VOTED', 409],
    [APPEND_VOTES.recordedOtherwise, 'VOTE_ID_CONFLICT', 409],
    [APPEND_VOTES.claimedElsewhere, 'VOTE_ID_CONFLICT', 409],
    [APPEND_VOTES.notOnRoll, 'NOT_ON_ROLL', 403],
  ];
  for (const [code, error, status] of expected) {
    const refusal = scriptRefusal('appendVotes', code);
    assert.is(refusal?.code, error, String(code));
    assert.is(refusal?.status, status);
  }
  assert.equal(scriptRefusal('appendVotes', APPEND_VOTES.alreadyVoted, { seq: 7 })?.details, {
    seq: 7,
  });
});

refusals('codes of work done or found done are no refusal', () => {
  assert.is(scriptRefusal('appendVotes', APPEND_VOTES.appended), undefined);
  assert.is(scriptRefusal('appendVotes', APPEND_VOTES.replayed), undefined);
  assert.is(scriptRefusal('claimVoteIds', CLAIM_VOTE_IDS.claimed), undefined);
  assert.is(scriptRefusal('claimVoteIds', CLAIM_VOTE_IDS.claimedBefore), undefined);
  assert.is(scriptRefusal('createPoll', CREATE_POLL.identical), undefined);
  assert.is(scriptRefusal('closePoll', CLOSE_POLL.alreadyClosed), undefined);
  assert.is(scriptRefusal('appendVotes', Number.NaN), undefined);
});

refusals('claims, polls: the refusal and the message given', () => {
  assert.is(scriptRefusal('claimVoteIds', CLAIM_VOTE_IDS.taken)?.code, 'VOTE_ID_CONFLICT');
  const exists = scriptRefusal('createPoll', CREATE_POLL.exists, { pollId: 'p' }, 'taken');
  assert.is(exists?.code, 'POLL_EXISTS');
  assert.is(exists?.message, 'taken');
  assert.equal(exists?.details, { pollId: 'p' });
  assert.is(scriptRefusal('closePoll', CLOSE_POLL.notFound)?.code, 'POLL_NOT_FOUND');
});

const replies = suite('script replies: checked, not cast');

replies('mark-commit: each code is its MarkResult; anything else an Error', () => {
  assert.equal(markCommitResult([1, '1-0']), { status: 'marked', entryId: '1-0' });
  assert.equal(markCommitResult([0, 4]), { status: 'unchanged', committed: 4 });
  assert.equal(markCommitResult([-1, 9]), { status: 'fenced', fence: 9 });
  assert.equal(markCommitResult([-2, 3]), { status: 'beyond-head', headSeq: 3 });
  assert.equal(markCommitResult([-3, 'ab']), { status: 'hash-mismatch', headHash: 'ab' });
  assert.instance(markCommitResult([-4, 'ab']), Error);
  assert.instance(markCommitResult('OK'), Error);
  assert.instance(markCommitResult([]), Error);
});

replies('a coded reply is a table that starts with an integer', () => {
  assert.equal(codedReply([-1]), { code: -1, detail: undefined });
  assert.equal(codedReply([1, 'x']), { code: 1, detail: 'x' });
  assert.throws(() => codedReply(null), /not \{ code, detail \}/);
  assert.throws(() => codedReply(['1', 'x']), /not \{ code, detail \}/);
  assert.throws(() => codedReply([1.5]), /not \{ code, detail \}/);
});

replies('a code in a space-separated reply is an integer field, else NaN', () => {
  assert.is(parseCode('1'), 1);
  assert.is(parseCode('0'), 0);
  assert.is(parseCode('-4'), -4);
  for (const field of ['', '-', 'x', '1.0', ' 1']) assert.ok(Number.isNaN(parseCode(field)), field);
});

names.run();
headers.run();
refusals.run();
replies.run();
