import * as crypto from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson } from '../../src/domain/canonical-json.ts';
import {
  chainHash,
  chainPayload,
  followsChain,
  GENESIS_HASH,
  sha1Hex,
  sha1HexStreamed,
  voteCastPayload,
} from '../../src/domain/chain.ts';

const hash = suite('chain hash');

hash('is sha1 hex of "prev|seq|payload" (value from sha1sum)', () => {
  // echo -n 'prev|1|payload' | sha1sum
  assert.is(chainHash('prev', 1, 'payload'), '94910e742d042f41274b8c62be0011085d1d1604');
  // echo -n '|1|{"a":1}' | sha1sum: the first link, from the genesis hash
  assert.is(chainHash(GENESIS_HASH, 1, '{"a":1}'), '8201d390b046133a870fbfd08abedf97e40b0f8e');
});

hash('the payload is canonical JSON without seq, hash and the stream id', () => {
  const payload = chainPayload({ seq: 3, hash: 'h', id: '1-0', z: 1, a: { y: 2, b: [1, 'x'] } });
  assert.is(payload, '{"a":{"b":[1,"x"],"y":2},"z":1}');
});

hash('followsChain accepts the next link only', () => {
  const event = { type: 'VoteCast', voteId: 'v', seq: 1, hash: '' };
  event.hash = chainHash(GENESIS_HASH, 1, chainPayload(event));
  assert.ok(followsChain({ seq: 0, hash: GENESIS_HASH }, event));
  assert.not.ok(followsChain({ seq: 1, hash: GENESIS_HASH }, event), 'a repeat');
  assert.not.ok(followsChain({ seq: 0, hash: 'other' }, event), 'another head');
  const tampered = { ...event, voteId: 'w' };
  assert.not.ok(followsChain({ seq: 0, hash: GENESIS_HASH }, tampered), 'another payload');
});

hash('hashes the UTF-8 bytes of non-ASCII payloads', () => {
  const payload = canonicalJson({ voter: 'Zoë "q"', n: -1.5 });
  assert.is(payload, '{"n":-1.5,"voter":"Zoë \\"q\\""}');
  // printf '%s' 'h|2|{"n":-1.5,"voter":"Zoë \"q\""}' | sha1sum
  assert.is(chainHash('h', 2, payload), 'abbc4fe6a8a3fc80692dc22b385c933095688f6f');
});

hash('the one-shot and the streamed sha1 agree, and chainHash is them', () => {
  assert.type(crypto.hash, 'function', 'this Node (≥ 20.12) has the one-shot crypto.hash');
  assert.is.not(sha1Hex, sha1HexStreamed, 'so chainHash takes the one-shot path');
  const texts = [
    '',
    'prev|1|payload',
    '|1|{"a":1}',
    'h|2|{"n":-1.5,"voter":"Zoë \\"q\\""}',
    '🗳 \u2028 ü \0 end',
    'lone surrogates \ud800 and \udfff',
    'x'.repeat(55),
    'y'.repeat(64),
    'z'.repeat(70_000),
  ];
  for (let n = 0; n < 200; n++) texts.push(`${'ab€'.repeat(n)}|${n}|${n * 7919}`);
  for (const text of texts) {
    const expected = crypto.createHash('sha1').update(text).digest('hex');
    assert.is(sha1HexStreamed(text), expected);
    assert.is(sha1Hex(text), expected, JSON.stringify(text.slice(0, 40)));
  }
  assert.is(chainHash('prev', 7, 'payload'), sha1HexStreamed('prev|7|payload'));
});

hash.run();

const canonical = suite('canonical JSON');

canonical('sorts keys recursively, keeps array order and drops undefined', () => {
  const value = { b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined, b: null }, c: 'x' };
  assert.is(canonicalJson(value), '{"a":{"b":null,"d":[{"y":2,"z":1}]},"b":1,"c":"x"}');
});

canonical('equal values with different key orders serialize identically', () => {
  assert.is(canonicalJson({ x: 1, y: [2, 3] }), canonicalJson({ y: [2, 3], x: 1 }));
});

canonical('refuses non-finite numbers', () => {
  assert.throws(() => canonicalJson({ n: Number.NaN }), /non-finite/);
});

canonical.run();

const fast = suite('voteCastPayload');

fast('equals the generic chainPayload for awkward strings and many choices', () => {
  const votes = [
    { voteId: 'v', pollId: 'p', voterId: 'u', choices: ['a'], at: 0 },
    {
      voteId: 'ü "quoted" \\ back',
      pollId: 'p-1_x',
      voterId: '🗳 voter\u2028',
      choices: ['a', 'b', 'z9'],
      at: 1795754740791,
    },
  ];
  for (const vote of votes) {
    const event = { type: 'VoteCast', v: 1, ...vote };
    assert.is(voteCastPayload(vote), chainPayload(event));
    assert.is(voteCastPayload(vote), canonicalJson(event));
  }
});

fast.run();
