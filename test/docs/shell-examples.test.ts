// The reader of Markdown shell examples that the README test runs: no I/O.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NOT_RUN, shapeDifferences, shellExamples } from './shell-examples.ts';

const reading = suite('shellExamples reads the commands of a page');

const page = [
  'Some text.',
  '```sh',
  'T=<token>',
  '# a comment line is not a command',
  "curl -s -XPOST localhost:3001/polls -H 'a: b' \\",
  `  -d '{"id":"x # not a comment"}'   # {"poll":{…}}`,
  '',
  'curl -s localhost:3002/votes/v1   # 404 {"error":{"code":"…"}}',
  '```',
  '```js',
  'curl in a js block is not run',
  '```',
  NOT_RUN,
  '',
  '```sh',
  'npx votestream redis up [--port 7000]',
  '```',
  '```console',
  '$ curl -s localhost:3003/health   # see the docs',
  '```',
].join('\n');

reading('commands in page order, continuations joined, outputs and statuses split off', () => {
  assert.equal(shellExamples(page), [
    { command: 'T=<token>', line: 3 },
    {
      command:
        'curl -s -XPOST localhost:3001/polls -H \'a: b\' \\\n  -d \'{"id":"x # not a comment"}\'',
      line: 5,
      shown: '{"poll":{…}}',
    },
    {
      command: 'curl -s localhost:3002/votes/v1',
      line: 8,
      shown: '{"error":{"code":"…"}}',
      status: 404,
    },
    // A console block's prompt is dropped; a comment that is not JSON shows no output.
    { command: 'curl -s localhost:3003/health', line: 19 },
  ]);
});

reading('a block left open is an error, not a silent end of the page', () => {
  assert.throws(() => shellExamples('```sh\ncurl -s localhost:3001/health\n'), /line 1/);
});

reading.run();

const shapes = suite('shapeDifferences compares an output with the one a page shows');

shapes('the fields shown are present with the same JSON types; … leaves the rest out', () => {
  const actual = {
    poll: { id: 'lunch', status: 'closed', options: [{ id: 'a' }, { id: 'b' }] },
    alreadyClosed: false,
    barriers: [],
  };
  assert.equal(shapeDifferences('{"poll":{…,"status":"closed"},…}', actual), []);
  assert.equal(shapeDifferences('{"poll":{"options":[{"id":"x"}]},"barriers":[…]}', actual), []);
});

shapes('a missing field, another type, or an array item of another shape is named', () => {
  const actual = { pollId: 'p', ballots: '1', rounds: [{ round: 1 }, { tally: {} }] };
  assert.equal(
    shapeDifferences('{"pollId":"p","ballots":1,"winners":[…],"rounds":[{"round":1}]}', actual),
    [
      '$.ballots: shown as number, is string',
      '$.winners: shown, but missing',
      '$.rounds[1].round: shown, but missing',
    ],
  );
});

shapes.run();
