// What makes a poll well-formed and a ballot acceptable. Pure: the caller passes the time.
import { canonicalJson } from './canonical-json.ts';
import type { CountingMethod, Poll, PollCreated, PollOption, RevoteRule } from './events.ts';
import type { ResultsRule } from './sealed-results.ts';
import { defaultSecrecy, type Secrecy } from './voter-tag.ts';
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
  /** Default `plurality`. */
  method?: CountingMethod;
  /** STV only: winners, 2 … options − 1. */
  seats?: number;
  /** Ranked methods only: options a ranking may list; default all of them. */
  maxRanks?: number;
  /** IRV only. */
  batchElimination?: boolean;
  /** Ranked methods: the lot seed (hex, 32–128 digits), drawn by the caller at creation. */
  seed?: string;
  /** Only voters on the poll's roll may vote. */
  roll?: boolean;
  /** Ballots count with their voters' weights from the roll (implies `roll`). */
  weighted?: boolean;
  /** Default: `defaultSecrecy`. */
  secrecy?: Secrecy;
  /** A secret poll: its tag key's check value (`tagKeyCheck`), computed by the caller. */
  tagCheck?: string;
  /** Default `live`; `afterClose`: per-option figures are sealed until the poll is final. */
  results?: ResultsRule;
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

/** A tag key's check value: the base64url of an HMAC-SHA256. */
const TAG_CHECK = /^[A-Za-z0-9_-]{43}$/;

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
  const method = input.method ?? 'plurality';
  const counted = countingRules(input, method, options.length);
  if (isRefusal(counted)) return counted;
  const { maxChoices } = counted;
  if (
    input.opensAt !== undefined &&
    input.closesAt !== undefined &&
    input.closesAt <= input.opensAt
  ) {
    return refuse('VALIDATION_FAILED', 'closesAt must be after opensAt', { field: 'closesAt' });
  }
  if (input.weighted === true && input.roll === false) {
    return refuse('VALIDATION_FAILED', 'a weighted poll takes its weights from a roll', {
      field: 'roll',
    });
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
  if (input.results === 'afterClose') poll.results = 'afterClose';
  if (method !== 'plurality') {
    poll.method = method;
    if (counted.seats !== undefined) poll.seats = counted.seats;
    if (input.batchElimination === true) poll.batchElimination = true;
    poll.seed = input.seed!;
  }
  if (input.roll === true || input.weighted === true) poll.roll = true;
  if (input.weighted === true) poll.weighted = true;
  if ((input.secrecy ?? defaultSecrecy(input)) === 'pseudonymous') {
    if (input.tagCheck === undefined || !TAG_CHECK.test(input.tagCheck))
      return refuse('VALIDATION_FAILED', 'a secret poll needs the check value of its tag key', {
        field: 'tagCheck',
      });
    poll.secrecy = 'pseudonymous';
    poll.tagCheck = input.tagCheck;
  }
  return poll;
}

/** The method-specific part of a definition: choices per ballot and seats, or the refusal. */
function countingRules(
  input: PollInput,
  method: CountingMethod,
  optionCount: number,
): { maxChoices: number; seats?: number } | Refusal {
  const only = (field: keyof PollInput, methods: string) =>
    refuse('VALIDATION_FAILED', `${field} applies only to ${methods} polls`, { field });
  if (method === 'plurality') {
    if (input.seats !== undefined) return only('seats', 'stv');
    if (input.maxRanks !== undefined) return only('maxRanks', 'ranked (irv, stv, schulze)');
    if (input.batchElimination !== undefined) return only('batchElimination', 'irv');
    const maxChoices = input.maxChoices ?? 1;
    if (maxChoices > optionCount) {
      return refuse(
        'VALIDATION_FAILED',
        `maxChoices ${maxChoices} exceeds the ${optionCount} options`,
        { field: 'maxChoices' },
      );
    }
    return { maxChoices };
  }
  if (input.maxChoices !== undefined) {
    return refuse('VALIDATION_FAILED', `a ${method} poll takes maxRanks, not maxChoices`, {
      field: 'maxChoices',
    });
  }
  if (input.batchElimination !== undefined && method !== 'irv')
    return only('batchElimination', 'irv');
  if (input.seed === undefined || !/^[0-9a-f]{32,128}$/.test(input.seed))
    return refuse('VALIDATION_FAILED', 'a ranked poll needs a lot seed of 32–128 hex digits', {
      field: 'seed',
    });
  const maxRanks = input.maxRanks ?? optionCount;
  if (maxRanks > optionCount) {
    return refuse('VALIDATION_FAILED', `maxRanks ${maxRanks} exceeds the ${optionCount} options`, {
      field: 'maxRanks',
    });
  }
  if (method !== 'stv') {
    if (input.seats !== undefined) return only('seats', 'stv');
    return { maxChoices: maxRanks };
  }
  if (input.seats === undefined || input.seats < 2 || input.seats >= optionCount) {
    return refuse(
      'VALIDATION_FAILED',
      `an stv poll needs seats from 2 to ${optionCount - 1} (fewer than its options)`,
      { field: 'seats' },
    );
  }
  return { maxChoices: maxRanks, seats: input.seats };
}

/** The counting method of a poll (`plurality` when it names none). */
export function methodOf(poll: Poll): CountingMethod {
  return poll.method ?? 'plurality';
}

/** Whether the poll's ballots are rankings (their order counts). */
export function isRanked(poll: Poll): boolean {
  return poll.method !== undefined;
}

/**
 * The PollCreated version that carries `poll`: 5 for a sealed poll, 4 for a secret poll, 3 for
 * a ranked poll, 2 for a token poll, else 1 — the lowest that says everything, so a node that
 * cannot honour the poll refuses it (a node that predates sealing would serve a sealed poll's
 * tally).
 */
export function pollCreatedVersion(poll: Poll): PollCreated['v'] {
  if (poll.results !== undefined) return 5;
  if (poll.secrecy !== undefined) return 4;
  if (poll.method !== undefined) return 3;
  return poll.voterAuth ? 2 : 1;
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/**
 * What identifies a poll's definition: two creates with the same id are the same poll iff
 * equal. The creation time, the lot seed (drawn per request) and the tag key's check value
 * (derived from the creation time) are not part of it; `secrecy` is.
 */
export function pollDefinition(poll: Poll): string {
  const { createdAt: _createdAt, seed: _seed, tagCheck: _tagCheck, ...definition } = poll;
  return canonicalJson(definition);
}

/** Open, not yet open, or closed — by schedule (on the cluster clock) or by a close. */
export function pollStatus(poll: Poll, now: number, closed: boolean): PollStatus {
  if (closed || (poll.closesAt !== undefined && now >= poll.closesAt)) return 'closed';
  if (poll.opensAt !== undefined && now < poll.opensAt) return 'scheduled';
  return 'open';
}

/**
 * Checks a ballot against the poll. Returns the choices as recorded — sorted for plurality
 * (a set), as given for a ranked poll (a ranking, most preferred first) — or the refusal:
 * UNKNOWN_OPTION, DUPLICATE_CHOICE (an option chosen or ranked twice), TOO_MANY_CHOICES
 * (more than maxChoices, a ranked poll's maxRanks). The shard's close barrier is checked
 * again, atomically, by the append.
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
      return refuse(
        'DUPLICATE_CHOICE',
        `"${choice}" is ${isRanked(poll) ? 'ranked' : 'chosen'} twice`,
        { choice },
      );
    seen.add(choice);
  }
  if (choices.length > poll.maxChoices) {
    return isRanked(poll)
      ? refuse('TOO_MANY_CHOICES', `poll ${poll.id} ranks at most ${poll.maxChoices} options`, {
          maxRanks: poll.maxChoices,
        })
      : refuse('TOO_MANY_CHOICES', `poll ${poll.id} allows at most ${poll.maxChoices} choices`, {
          maxChoices: poll.maxChoices,
        });
  }
  return isRanked(poll) ? [...choices] : [...choices].sort();
}

function refuse(
  code: Refusal['code'],
  message: string,
  details?: Record<string, unknown>,
): Refusal {
  return details ? { code, message, details } : { code, message };
}
