import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chainHash, GENESIS_HASH } from '../../src/domain/chain.ts';
import { type Client, connectAddress } from '../../src/log/redis-client.ts';
import { withIncludes } from '../../src/log/scripts.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const twins = suite(
  'the chain hash: the Lua definition the scripts include equals src/domain/chain.ts',
);
let client: Client;

twins.before(async () => {
  client = await connectAddress((await sharedCluster()).seeds);
});
twins.after(() => {
  client.disconnect();
});

// The include as the loader expands it into a script. Each triple is hashed twice: with the seq
// as a string (append-votes passes tostring(seq)) and as a number (close-shard passes it so).
const PROBE = withIncludes(`--- @include "includes/chain-hash"
local out = {}
for a = 1, #ARGV, 3 do
  out[#out + 1] = chainHash(ARGV[a], ARGV[a + 1], ARGV[a + 2])
  out[#out + 1] = chainHash(ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2])
end
return out
`);

type Link = [prevHash: string, seq: number, payload: string];

/** Lua's chainHash of each link, as [seq as a string, seq as a number]. */
async function luaHashes(links: Link[]): Promise<[string, string][]> {
  const reply = (await client.eval(PROBE, 0, ...links.flat())) as string[];
  return links.map((_, i) => [reply[2 * i]!, reply[2 * i + 1]!]);
}

async function assertTwins(links: Link[]): Promise<void> {
  const lua = await luaHashes(links);
  links.forEach((link, i) => {
    const ts = chainHash(...link);
    const what = JSON.stringify(link).slice(0, 120);
    assert.is(lua[i]![0], ts, `seq as a string: ${what}`);
    assert.is(lua[i]![1], ts, `seq as a number: ${what}`);
  });
}

twins('agree on empty, unicode, control-character and long fields', async () => {
  const sha = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
  await assertTwins([
    [GENESIS_HASH, 1, ''],
    [GENESIS_HASH, 1, '{"a":1}'],
    ['', 1, '{"at":1,"choices":["a"],"pollId":"p","type":"VoteCast","v":1,"voteId":"v"}'],
    [sha, 2, '{"voterId":"Zoë 投票 🗳"}'],
    [sha, 3, 'a | pipe | inside'],
    ['|', 4, '|'],
    [sha, 5, 'nul \0 tab \t newline \n cr \r del \x7f'],
    [sha, 6, '\u2028\u2029\ufeff'],
    [sha, 7, 'lone surrogates \ud800 and \udfff'],
    ['prev 🗳', 8, ''],
    ['p'.repeat(1000), 8, 'a prev that is no sha1'],
    [sha, 9, 'x'.repeat(100_000)],
    [sha, 10, '投票🗳'.repeat(20_000)],
  ]);
});

twins('agree on seqs from 1 to the last one Lua writes in full (10^14 - 1)', async () => {
  const seqs = [1, 9, 10, 99, 100, 65_535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 1, 1e13, 1e14 - 1];
  await assertTwins(seqs.map((seq) => ['f'.repeat(40), seq, `{"seq":${seq}}`]));
});

twins('agree on generated links (any code point, any length)', async () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({ maxLength: 2000 }),
  );
  const link = fc.tuple(
    fc.oneof(fc.constant(GENESIS_HASH), fc.stringMatching(/^[0-9a-f]{40}$/), text),
    fc.integer({ min: 1, max: 1e14 - 1 }),
    text,
  );
  await fc.assert(fc.asyncProperty(fc.array(link, { minLength: 1, maxLength: 40 }), assertTwins), {
    numRuns: 60,
  });
});

twins.run();
