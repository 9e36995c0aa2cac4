// Request bodies, typed from the very schemas the routes validate with (src/http/schemas.ts),
// so a body the types accept has the shape the node accepts. The custom keywords (identity,
// instant, wellFormed) are checks on strings: FromSchema ignores them and types a string.
import type { FromSchema } from 'json-schema-to-ts';
import type {
  membersBody,
  participationBody,
  pollBody,
  rollBody,
  tokensBody,
  voteBody,
} from '../http/schemas.ts';

/** POST /polls: a poll to create. */
export type PollInput = FromSchema<typeof pollBody>;
/** POST /votes (and each item of POST /votes/batch). */
export type Ballot = FromSchema<typeof voteBody>;
/** POST /polls/:pollId/tokens: voter ids. */
export type TokensInput = FromSchema<typeof tokensBody>;
/** POST /polls/:pollId/roll: voters with optional weights. */
export type RollInput = FromSchema<typeof rollBody>;
/** One voter of a roll. */
export type RollVoter = RollInput['voters'][number];
/** POST /polls/:pollId/participation: voter ids. */
export type ParticipationInput = FromSchema<typeof participationBody>;
/** POST /cluster/members: the member set. */
export type MembersInput = FromSchema<typeof membersBody>;
