// Voter tokens for `voterAuth: "token"` polls. Pure computation (HMAC-SHA256), no I/O.
//
//   pollSecret = HMAC-SHA256(VS_VOTER_SECRET, pollId + "\n" + createdAt)
//   token      = base64url(HMAC-SHA256(pollSecret, pollId + "\n" + voterId))
//
// The poll secret is derived, never stored: every node with the same VS_VOTER_SECRET verifies,
// and nothing secret enters the log (which `votestream replay` exports for public audit).
// createdAt binds tokens to this poll: a poll id created again after a wipe, or in another
// deployment that shares the secret, does not accept the old tokens.
// "\n" keeps the pairs unambiguous: poll ids are [A-Za-z0-9_-] and voter ids have no control
// characters, so ("ab", "c") and ("a", "bc") can never hash the same input.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Poll } from './events.ts';
import type { Refusal } from './poll-rules.ts';

/** Who may vote in a poll: any voter id (`open`), or only a voter id holding its token. */
export type VoterAuth = 'open' | 'token';

/** A token is the base64url of 32 bytes, without padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The poll's token key, derived from the cluster-wide voter secret. */
export function pollSecret(voterSecret: string, poll: Pick<Poll, 'id' | 'createdAt'>): Buffer {
  return createHmac('sha256', voterSecret).update(`${poll.id}\n${poll.createdAt}`).digest();
}

/** The token that lets `voterId` vote in the poll whose secret is `secret`. */
export function voterToken(secret: Buffer, pollId: string, voterId: string): string {
  return tokenBytes(secret, pollId, voterId).toString('base64url');
}

/** The voter rule of a poll; polls created before voter authentication are open. */
export function voterAuthOf(poll: Pick<Poll, 'voterAuth'>): VoterAuth {
  return poll.voterAuth ?? 'open';
}

/**
 * Whether a ballot may be cast by `voterId`: undefined when it may, else the refusal.
 * An open poll needs no token (one sent anyway is ignored). A token poll needs the token of
 * exactly this poll and voter, compared in constant time; a node without the voter secret
 * cannot verify and refuses rather than guess.
 */
export function checkVoter(
  poll: Pick<Poll, 'id' | 'createdAt' | 'voterAuth'>,
  voterId: string,
  token: string | undefined,
  voterSecret: string | undefined,
): Refusal | undefined {
  if (voterAuthOf(poll) === 'open') return undefined;
  if (token === undefined)
    return { code: 'VOTER_TOKEN_REQUIRED', message: `poll ${poll.id} requires a voter token` };
  if (voterSecret === undefined) {
    return {
      code: 'VOTER_AUTH_UNAVAILABLE',
      message: 'this node cannot verify voter tokens: VS_VOTER_SECRET is not set',
    };
  }
  const given = decodeToken(token);
  const expected = tokenBytes(pollSecret(voterSecret, poll), poll.id, voterId);
  if (!given || !timingSafeEqual(given, expected)) {
    return {
      code: 'VOTER_TOKEN_INVALID',
      message: `the token is not valid for this voter in poll ${poll.id}`,
    };
  }
  return undefined;
}

function tokenBytes(secret: Buffer, pollId: string, voterId: string): Buffer {
  return createHmac('sha256', secret).update(`${pollId}\n${voterId}`, 'utf8').digest();
}

/**
 * The 32 bytes of a well-formed token, else undefined. Node's base64url decoder skips
 * characters it does not know and accepts non-zero padding bits; requiring the canonical
 * 43-character form gives every token exactly one spelling.
 */
function decodeToken(token: string): Buffer | undefined {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  return bytes.length === 32 && bytes.toString('base64url') === token ? bytes : undefined;
}
