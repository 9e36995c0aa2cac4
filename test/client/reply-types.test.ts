// The client's reply types are FromSchema of the route schemas (src/client/replies.ts). The
// type-level half of this file is checked by `tsc -p .` (a `@ts-expect-error` that no longer
// errors fails it); the run-time half checks the schema facts those types rest on.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { errorOfReply } from '../../src/client/client-error.ts';
import type {
  BatchItemReply,
  ErrorReply,
  TallyReply,
  VotestreamErrorCode,
} from '../../src/client/index.ts';
import { VotestreamError } from '../../src/client/index.ts';
import { ERRORS, type ErrorCode } from '../../src/errors.ts';
import { errorReply, tallyReply } from '../../src/http/reply-schemas.ts';

// An error body's code is the literal union of the API's codes, not `string`.
const known: ErrorReply['error']['code'] = 'ALREADY_VOTED';
// @ts-expect-error: not one of the API's codes
const unknown: ErrorReply['error']['code'] = 'NO_SUCH_CODE';
// Every API code is a VotestreamError code, and the client adds its own.
const apiCode: VotestreamErrorCode = 'STORAGE_UNAVAILABLE' satisfies ErrorCode;
const clientCode: VotestreamErrorCode = 'VOTE_OUTCOME_UNKNOWN';
// A batch item with status 201 carries a receipt; narrowing on status reaches it.
function seqOf(item: BatchItemReply): number | undefined {
  return item.status === 201 || item.status === 200 ? item.receipt.seq : undefined;
}
// A tally that is not sealed has its per-option figures.
function finalizedOf(tally: TallyReply): Record<string, number> | undefined {
  return 'sealed' in tally ? undefined : tally.finalized;
}

const types = suite('the client reply types');

types('the error schema enumerates exactly the codes of the error table', () => {
  assert.equal(
    [...errorReply.properties.error.properties.code.enum].sort(),
    Object.keys(ERRORS).sort(),
  );
  assert.equal([known, unknown, apiCode, clientCode].length, 4);
});

types('a sealed tally and an open one are the two shapes of the tally schema', () => {
  assert.is(tallyReply.anyOf.length, 2);
  assert.equal(
    finalizedOf({
      pollId: 'p',
      finalized: { a: 1 },
      pending: {},
      ballots: { finalized: 1, pending: 0 },
      revotesPending: 0,
      shards: [],
    }),
    { a: 1 },
  );
  const sealed = {
    pollId: 'p',
    sealed: true,
    ballots: { finalized: 1, pending: 0 },
    revotesPending: 0,
    shards: [],
  } as const;
  assert.is(finalizedOf({ ...sealed, shards: [] }), undefined);
});

types('an error body read by the client keeps its code', () => {
  const error = errorOfReply(409, { error: { code: 'ALREADY_VOTED', message: 'no' } }, 'n');
  assert.instance(error, VotestreamError);
  assert.is(error.code, 'ALREADY_VOTED');
  assert.is(
    seqOf({
      status: 201,
      receipt: { voteId: 'v', pollId: 'p', shard: 0, seq: 7, entryId: '1-0', hash: 'h' },
    }),
    7,
  );
});

types.run();
