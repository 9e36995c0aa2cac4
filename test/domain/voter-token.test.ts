import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Poll } from '../../src/domain/events.ts';
import { definePoll, isRefusal } from '../../src/domain/poll-rules.ts';
import { checkVoter, pollSecret, voterAuthOf, voterToken } from '../../src/domain/voter-token.ts';

const SECRET = '0123456789abcdef0123456789abcdef';
const poll: Pick<Poll, 'id' | 'createdAt' | 'voterAuth'> = {
  id: 'lunch',
  createdAt: 1_700_000_000_000,
  voterAuth: 'token',
};
const tokenOf = (voterId: string, p = poll, secret = SECRET) =>
  voterToken(pollSecret(secret, p), p.id, voterId);

const derive = suite('voter token derivation');

derive('matches a vector computed with openssl', () => {
  // printf 'lunch\n1700000000000' | openssl dgst -sha256 -hmac "$SECRET" -binary   → pollSecret
  // printf 'lunch\nalice' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<pollSecret> | base64url
  assert.is(
    pollSecret(SECRET, poll).toString('hex'),
    'cc79e252b1b4a03462dad892cb0f8a25d8925f1824d1f430fe4db2474665fd5f',
  );
  assert.is(tokenOf('alice'), '-_njJOu0szUiddbudfmDGadw_8M6kzh9PJcWeZiR3OQ');
});

derive('is 43 base64url characters and differs by voter, poll, creation and secret', () => {
  const tokens = [
    tokenOf('alice'),
    tokenOf('bob'),
    tokenOf('alice', { ...poll, id: 'dinner' }),
    tokenOf('alice', { ...poll, createdAt: poll.createdAt + 1 }),
    tokenOf('alice', poll, `${SECRET}x`),
  ];
  for (const t of tokens) assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  assert.is(new Set(tokens).size, tokens.length);
});

derive('a separator keeps ("ab", "c") and ("a", "bc") apart', () => {
  const ab = { ...poll, id: 'ab' };
  const a = { ...poll, id: 'a' };
  // Same secret for both polls, so only the token input differs.
  const secret = pollSecret(SECRET, poll);
  assert.is.not(voterToken(secret, ab.id, 'c'), voterToken(secret, a.id, 'bc'));
});

derive.run();

const check = suite('checkVoter');

check('an open poll needs no token and ignores one sent anyway', () => {
  const open: Pick<Poll, 'id' | 'createdAt' | 'voterAuth'> = { id: 'p', createdAt: 1 };
  assert.is(checkVoter(open, 'alice', undefined, undefined), undefined);
  assert.is(checkVoter(open, 'alice', 'garbage', SECRET), undefined);
  assert.is(voterAuthOf(open), 'open');
});

check('a token poll accepts exactly the token of this poll and voter', () => {
  assert.is(checkVoter(poll, 'alice', tokenOf('alice'), SECRET), undefined);
  assert.is(checkVoter(poll, 'bob', tokenOf('bob'), SECRET), undefined);
});

check('a missing token is VOTER_TOKEN_REQUIRED', () => {
  assert.is(checkVoter(poll, 'alice', undefined, SECRET)?.code, 'VOTER_TOKEN_REQUIRED');
});

check('forged tokens are VOTER_TOKEN_INVALID', () => {
  const canonical = tokenOf('alice');
  // The same 32 bytes spelled with non-zero padding bits: Node decodes it, we refuse it.
  const last = canonical.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const respelled = canonical.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
  assert.equal(Buffer.from(respelled, 'base64url'), Buffer.from(canonical, 'base64url'));
  const forged = [
    tokenOf('bob'), // another voter's
    tokenOf('alice', { ...poll, id: 'dinner' }), // another poll's
    tokenOf('alice', poll, `${SECRET}x`), // another deployment's
    respelled,
    `${canonical}=`,
    canonical.slice(0, -1),
    `${canonical}A`,
    '',
    'not a token!',
    'A'.repeat(43),
  ];
  for (const token of forged)
    assert.is(checkVoter(poll, 'alice', token, SECRET)?.code, 'VOTER_TOKEN_INVALID', token);
});

check('a node without the voter secret refuses instead of guessing', () => {
  assert.is(checkVoter(poll, 'alice', tokenOf('alice'), undefined)?.code, 'VOTER_AUTH_UNAVAILABLE');
});

check.run();

const define = suite('definePoll with voterAuth');

define('stores voterAuth only for token polls, so open polls keep their old form', () => {
  const base = { id: 'x', title: 'X', options: ['a', 'b'] };
  const open = definePoll({ ...base, voterAuth: 'open' }, 1);
  const implicit = definePoll(base, 1);
  const token = definePoll({ ...base, voterAuth: 'token' }, 1);
  assert.ok(!isRefusal(open) && !isRefusal(implicit) && !isRefusal(token));
  assert.equal(open, implicit);
  assert.not.ok('voterAuth' in (open as Poll));
  assert.is((token as Poll).voterAuth, 'token');
});

define.run();
