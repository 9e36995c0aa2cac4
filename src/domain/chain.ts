// The hash chain of a shard. Every VoteCast and PollClosed entry carries a gapless seq and
// hash = sha1(prevHash | seq | payload), so a lost, reordered or rewritten entry is visible.
// The scripts that extend a chain compute it in Lua, defined once in
// streams/lua/includes/chain-hash.lua; chainHash below is its twin, and
// test/log/chain-hash.test.ts holds the two equal.
import * as crypto from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import type { VoteContent } from './events.ts';

/** The chain head before the first entry of a shard. */
export const GENESIS_HASH = '';

/** sha1 hex of the UTF-8 bytes of `text` through a Hash object: works on every Node. */
export function sha1HexStreamed(text: string): string {
  return crypto.createHash('sha1').update(text).digest('hex');
}

/**
 * sha1 hex of the UTF-8 bytes of `text`: the one-shot crypto.hash (Node ≥ 20.12; much cheaper
 * for the short texts the fold hashes once per entry) where it exists, else sha1HexStreamed.
 * Both give the same digest; a test holds them equal.
 */
export const sha1Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha1', text, 'hex') : sha1HexStreamed;

/**
 * The hash of the chained entry at `seq` whose payload (its `data` field) is `payload`, after
 * the entry whose hash is `prevHash` (GENESIS_HASH before the first): sha1 hex of the UTF-8
 * bytes of `prevHash|seq|payload`, seq in decimal. The Lua twin writes seq as Lua does, which
 * is the same decimal below 10^14.
 */
export function chainHash(prevHash: string, seq: number, payload: string): string {
  return sha1Hex(`${prevHash}|${seq}|${payload}`);
}

/**
 * The bytes a chained event is hashed over (and stored as, in the stream's `data` field):
 * the canonical JSON of the event without its place in the chain (seq, hash) or stream id.
 */
export function chainPayload(event: object): string {
  const { seq: _seq, hash: _hash, id: _id, ...rest } = event as Record<string, unknown>;
  return canonicalJson(rest);
}

/** Whether `event` follows a chain whose head is (`seq`, `hash`). */
export function followsChain(
  head: { seq: number; hash: string },
  event: { seq: number; hash: string },
): boolean {
  return (
    event.seq === head.seq + 1 &&
    event.hash === chainHash(head.hash, event.seq, chainPayload(event))
  );
}

/**
 * chainPayload of a VoteCast, written out by hand because it runs once per vote on the
 * append path; the keys are in canonicalJson's (sorted) order, and a test holds the two equal.
 */
export function voteCastPayload(vote: VoteContent): string {
  return `{"at":${vote.at},"choices":${JSON.stringify(vote.choices)},"pollId":${JSON.stringify(vote.pollId)},"type":"VoteCast","v":1,"voteId":${JSON.stringify(vote.voteId)},"voterId":${JSON.stringify(vote.voterId)}}`;
}
