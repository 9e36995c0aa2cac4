// What makes a poll well-formed and a ballot acceptable. Pure: the caller passes the time.
import { canonicalJson } from './canonical-json.ts';
import type { Poll, PollOption, RevoteRule } from './events.ts';
import type { VoterAuth } from './voter-token.ts';

export interface PollInput {
  id: string;
  title: string;
  options: (string | PollOption)[];
  maxChoices?: number;
  revote?: RevoteRule;
  opensAt?: number;
  closesAt?: number;
  voterAuth?: VoterAuth;
}

/** A refusal with a stable error code from src/errors.ts. */
export interface Refusal {
  code:
    | 'VALIDATION_FAILED'
    | 'UNKNOWN_OPTION'
    | 'DUPLICATE_CHOICE'
    | 'TOO_MANY_CHOICES'
    | 'POLL_NOT_OPEN'
    | 'POLL_CLOSED'
    | 'VOTER_TOKEN_REQUIRED'
    | 'VOTER_TOKEN_INVALID'
    | 'VOTER_AUTH_UNAVAILABLE';
  message: string;
  details?: Record<string, unknown>;
}

export type PollStatus = 'scheduled' | 'open' | 'closed';

/** Normalizes a poll definition, or says why it is not one. */
export function definePoll(input: PollInput, now: number): Poll | Refusal {
  const options = input.options.map((o) => (typeof o === 'string' ? { id: o } : { ...o }));
  const seen = new Set<string>();
  for (const option of options) {
    if (seen.has(option.id)) {
      return refuse('VALIDATION_FAILED', `option "${option.id}" appears twice`, {
        field: 'options',
      });
    }
    seen.add(option.id);
  }
  const maxChoices = input.maxChoices ?? 1;
  if (maxChoices > options.length) {
    return refuse(
      'VALIDATION_FAILED',
      `maxChoices ${maxChoices} exceeds the ${options.length} options`,
      {
        field: 'maxChoices',
      },
    );
  }
  if (
    input.opensAt !== undefined &&
    input.closesAt !== undefined &&
    input.closesAt <= input.opensAt
  ) {
    return refuse('VALIDATION_FAILED', 'closesAt must be after opensAt', { field: 'closesAt' });
  }
  const poll: Poll = {
    id: input.id,
    title: input.title,
    options,
    maxChoices,
    revote: input.revote ?? 'reject',
    createdAt: now,
  };
  if (input.opensAt !== undefined) poll.opensAt = input.opensAt;
  if (input.closesAt !== undefined) poll.closesAt = input.closesAt;
  if (input.voterAuth === 'token') poll.voterAuth = 'token';
  return poll;
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/** What identifies a poll's definition: two creates with the same id are the same poll iff equal. */
export function pollDefinition(poll: Poll): string {
  const { createdAt: _createdAt, ...definition } = poll;
  return canonicalJson(definition);
}

/** Open, not yet open, or closed — by schedule (on the cluster clock) or by a close. */
export function pollStatus(poll: Poll, now: number, closed: boolean): PollStatus {
  if (closed || (poll.closesAt !== undefined && now >= poll.closesAt)) return 'closed';
  if (poll.opensAt !== undefined && now < poll.opensAt) return 'scheduled';
  return 'open';
}

/**
 * Checks a ballot against the poll. Returns the choices in canonical (sorted) order,
 * or the refusal. The shard's close barrier is checked again, atomically, by the append.
 */
export function checkBallot(
  poll: Poll,
  choices: string[],
  now: number,
  closed: boolean,
): string[] | Refusal {
  const status = pollStatus(poll, now, closed);
  if (status === 'closed') return refuse('POLL_CLOSED', `poll ${poll.id} is closed`);
  if (status === 'scheduled') {
    return refuse(
      'POLL_NOT_OPEN',
      `poll ${poll.id} opens at ${new Date(poll.opensAt!).toISOString()}`,
    );
  }
  const known = new Set(poll.options.map((o) => o.id));
  const seen = new Set<string>();
  for (const choice of choices) {
    if (!known.has(choice)) {
      return refuse('UNKNOWN_OPTION', `"${choice}" is not an option of poll ${poll.id}`, {
        choice,
      });
    }
    if (seen.has(choice))
      return refuse('DUPLICATE_CHOICE', `"${choice}" is chosen twice`, { choice });
    seen.add(choice);
  }
  if (choices.length > poll.maxChoices) {
    return refuse('TOO_MANY_CHOICES', `poll ${poll.id} allows at most ${poll.maxChoices} choices`, {
      maxChoices: poll.maxChoices,
    });
  }
  return [...choices].sort();
}

function refuse(
  code: Refusal['code'],
  message: string,
  details?: Record<string, unknown>,
): Refusal {
  return details ? { code, message, details } : { code, message };
}
