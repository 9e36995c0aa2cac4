import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { definePoll, isRefusal, pollDefinition } from '../../src/domain/poll-rules.ts';
import {
  secrecyOf,
  TAG_PREFIX,
  tagKey,
  tagKeyCheck,
  voterTag,
} from '../../src/domain/voter-tag.ts';
import { pollSecret } from '../../src/domain/voter-token.ts';

const SECRET = '0123456789abcdef0123456789abcdef';
const poll = { id: 'lunch', createdAt: 1_700_000_000_000 };
const tagOf = (voterId: string, p = poll, secret = SECRET) => voterTag(tagKey(secret, p), voterId);

const derive = suite('voter tag derivation');

derive('matches a vector computed from RFC 5869 HKDF and HMAC-SHA256 in Python', () => {
  // prk = HMAC(32 zero bytes, SECRET); key = HMAC(prk, info + 0x01) with
  // info = "votestream voter tag v1\nlunch\n1700000000000"; tag = "vt-" + b64url(HMAC(key, id)).
  assert.is(
    tagKey(SECRET, poll).toString('hex'),
    '5b97842e5b4811f3acc0e05bebb0412963fa74f4181450f052451ad4c63e2744',
  );
  assert.is(tagOf('José'), 'vt-iUA3FFe-YY43vGWP_0R8Cw6OAA0JEs_yk6ZnHOavpFo');
  assert.is(tagKeyCheck(tagKey(SECRET, poll)), '1KrwFFZX6pMtmpcTxvUcgbBn3RuLacw5sjF1OSpNUmQ');
});

derive('is a valid voter id: the prefix and 43 base64url characters', () => {
  const tag = tagOf('alice');
  assert.ok(tag.startsWith(TAG_PREFIX));
  assert.match(tag, /^vt-[A-Za-z0-9_-]{43}$/);
});

derive('differs by voter, poll, creation and secret', () => {
  const tags = [
    tagOf('alice'),
    tagOf('bob'),
    tagOf('alice', { ...poll, id: 'dinner' }),
    tagOf('alice', { ...poll, createdAt: poll.createdAt + 1 }),
    tagOf('alice', poll, `${SECRET}x`),
  ];
  assert.is(new Set(tags).size, tags.length);
});

derive("is keyed apart from the poll's token key (domain separation)", () => {
  assert.not.equal(tagKey(SECRET, poll), pollSecret(SECRET, poll));
});

derive('the check value is public, fixed per key, and tells keys apart', () => {
  const key = tagKey(SECRET, poll);
  assert.is(tagKeyCheck(key), tagKeyCheck(tagKey(SECRET, poll)));
  assert.is.not(tagKeyCheck(key), tagKeyCheck(tagKey(`${SECRET}x`, poll)));
  assert.match(tagKeyCheck(key), /^[A-Za-z0-9_-]{43}$/);
  // It is not the key, nor a tag under it.
  assert.is.not(tagKeyCheck(key), key.toString('base64url'));
});

derive.run();

const define = suite('definePoll with secrecy');
const base = { id: 'lunch', title: 'Lunch?', options: ['pizza', 'sushi'] };
const check = tagKeyCheck(tagKey(SECRET, poll));

define('absent or "none": no field, the form polls always had', () => {
  for (const input of [base, { ...base, secrecy: 'none' as const, tagCheck: check }]) {
    const p = definePoll(input, 1);
    if (isRefusal(p)) throw new Error(p.message);
    assert.not.ok('secrecy' in p);
    assert.not.ok('tagCheck' in p);
    assert.is(secrecyOf(p), 'none');
  }
});

define('"pseudonymous" needs the check value and keeps it out of the fingerprint', () => {
  const missing = definePoll({ ...base, secrecy: 'pseudonymous' }, 1);
  assert.ok(isRefusal(missing));
  const p = definePoll({ ...base, secrecy: 'pseudonymous', tagCheck: check }, 1);
  const q = definePoll({ ...base, secrecy: 'pseudonymous', tagCheck: 'x'.repeat(43) }, 2);
  const open = definePoll(base, 1);
  if (isRefusal(p) || isRefusal(q) || isRefusal(open)) throw new Error('refused');
  assert.is(p.secrecy, 'pseudonymous');
  assert.is(secrecyOf(p), 'pseudonymous');
  assert.is(p.tagCheck, check);
  assert.is(pollDefinition(p), pollDefinition(q));
  assert.is.not(pollDefinition(p), pollDefinition(open));
});

define.run();
