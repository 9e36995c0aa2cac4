// Secret ballots: in a `secrecy: "pseudonymous"` poll the log knows a voter only by a tag, an
// HMAC of the voter id under a key derived for that poll. Pure computation, no I/O.
//
//   tagKey   = HKDF-SHA256(ikm = VS_VOTER_SECRET, salt = "",
//                          info = "votestream voter tag v1\n" + pollId + "\n" + createdAt), 32 bytes
//   tag      = "vt-" + base64url(HMAC-SHA256(tagKey, voterId))                  (46 characters)
//   tagCheck = base64url(HMAC-SHA256(tagKey, "votestream voter tag key check"))  (43 characters)
//
// The key is derived, never stored (like the token key, src/domain/voter-token.ts, from which
// HKDF's info string keeps it apart: knowing one poll's token key tells nothing about its tag
// key). createdAt binds the tags to this poll: a poll id created again gets new tags, and a
// voter's tags in two polls are unrelated. The tag is computed over the voter id's NFC form
// (src/domain/identity.ts), so two spellings of one voter are one tag. It satisfies the voter
// id rules (ASCII, 46 of at most 128 characters), so the log, the indexes, the shard function
// and the bulletin board take it where they took the id, unchanged.
//
// tagCheck is public (PollCreated carries it): an HMAC of a fixed string reveals nothing of the
// key, but lets a node tell that its VS_VOTER_SECRET derives the key the poll was created with.
// A node with another secret would give every voter another tag — a second vote each.
import { createHmac, hkdfSync } from 'node:crypto';
import type { Poll } from './events.ts';
import type { PollInput } from './poll-rules.ts';

/** Whether a poll's log records voter ids (`none`) or voter tags (`pseudonymous`). */
export type Secrecy = 'none' | 'pseudonymous';

/** What every tag starts with: on a board, a tag is told from an id at a glance. */
export const TAG_PREFIX = 'vt-';

const TAG_INFO = 'votestream voter tag v1';
const CHECK_TEXT = 'votestream voter tag key check';

/** The secrecy of a stored poll: polls without the field (every poll before it) record ids. */
export function secrecyOf(poll: Pick<Poll, 'secrecy'>): Secrecy {
  return poll.secrecy ?? 'none';
}

/**
 * The secrecy a new poll gets when its create request names none (issue 17: secret by default
 * where there is a roll): `pseudonymous` for a poll with a roll (`roll` or `weighted`), which
 * is how members' ballots are run; `none` otherwise, the form every poll had before.
 */
export function defaultSecrecy(input: Pick<PollInput, 'roll' | 'weighted'>): Secrecy {
  return input.roll === true || input.weighted === true ? 'pseudonymous' : 'none';
}

/** The poll's tag key, derived from the cluster-wide voter secret. */
export function tagKey(voterSecret: string, poll: Pick<Poll, 'id' | 'createdAt'>): Buffer {
  const info = `${TAG_INFO}\n${poll.id}\n${poll.createdAt}`;
  return Buffer.from(hkdfSync('sha256', voterSecret, Buffer.alloc(0), info, 32));
}

/** The tag the log records for `voterId` (an id in NFC form) in the poll whose key is `key`. */
export function voterTag(key: Buffer, voterId: string): string {
  return TAG_PREFIX + createHmac('sha256', key).update(voterId, 'utf8').digest('base64url');
}

/** The public check value of a tag key: equal checks, equal keys (with overwhelming odds). */
export function tagKeyCheck(key: Buffer): string {
  return createHmac('sha256', key).update(CHECK_TEXT, 'utf8').digest('base64url');
}
