// The one place a voter's identity becomes what a poll's log records: the id's NFC form
// (src/domain/identity.ts), or, in a secret poll, its voter tag (src/domain/voter-tag.ts).
// Every route a voter id enters by — votes, batch items, token issuance, the participation
// query (and the roll, when polls have one) — calls `recordedVoterId` before the id is
// sharded, hashed into a token, looked up or appended, so in a secret poll nothing after it
// ever sees the id: not Redis, not the log, not this node's own logs.
import type { Poll } from '../domain/events.ts';
import { secrecyOf, tagKey, tagKeyCheck, voterTag } from '../domain/voter-tag.ts';
import { VoteStreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { idOrRefusal } from './normalized-ids.ts';

/** What a node derives tag keys from: its voter secret, and where to say it cannot. */
export interface TagSource {
  voterSecret: string | undefined;
  log?: Logger | undefined;
}

/** Per poll (its catalogue object), the key this node derived for it, or why it cannot. */
const keys = new WeakMap<Poll, { voterSecret: string; key: Buffer | VoteStreamError }>();

/**
 * The voter id the log records for the id a client sent (`sent`, any spelling) in `poll`: its
 * NFC form, or in a secret poll the tag of that form. A refusal when `sent` is not an id (400
 * naming `field`) or when this node cannot compute the poll's tags: no VS_VOTER_SECRET (409
 * `SECRET_BALLOT_UNAVAILABLE`), or one that derives another key than the poll was created with
 * (503 `VOTER_SECRET_MISMATCH`: its tags would make every voter a new one).
 */
export function recordedVoterId(
  poll: Poll,
  sent: string,
  source: TagSource,
  field = 'voterId',
): string | VoteStreamError {
  const voterId = idOrRefusal(sent, field);
  if (voterId instanceof VoteStreamError || secrecyOf(poll) === 'none') return voterId;
  const key = tagKeyOf(poll, source);
  return key instanceof VoteStreamError ? key : voterTag(key, voterId);
}

/** The secret poll's tag key on this node, checked against the poll's `tagCheck`. */
export function tagKeyOf(poll: Poll, { voterSecret, log }: TagSource): Buffer | VoteStreamError {
  if (voterSecret === undefined) {
    return new VoteStreamError(
      'SECRET_BALLOT_UNAVAILABLE',
      `poll ${poll.id} is secret and this node cannot compute its voter tags: VS_VOTER_SECRET is not set`,
    );
  }
  const known = keys.get(poll);
  if (known?.voterSecret === voterSecret) return known.key;
  const derived = tagKey(voterSecret, poll);
  let key: Buffer | VoteStreamError = derived;
  if (tagKeyCheck(derived) !== poll.tagCheck) {
    key = new VoteStreamError(
      'VOTER_SECRET_MISMATCH',
      `this node's VS_VOTER_SECRET is not the one poll ${poll.id} was created with: it refuses the poll's voters rather than give them other tags`,
    );
    // Once per poll: the operator must give this node the secret the other nodes have.
    log?.error(
      { event: 'voter_secret_mismatch', pollId: poll.id },
      "VS_VOTER_SECRET does not derive the secret poll's tag key (its tagCheck differs): this node refuses its votes (503) until it runs with the secret the poll was created with",
    );
  }
  keys.set(poll, { voterSecret, key });
  return key;
}
