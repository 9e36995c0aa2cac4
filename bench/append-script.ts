// npm run bench:append-script — what streams/lua/append-votes.lua alone costs Redis, by the
// number of votes per call: a standalone redis-server of its own (no replica, no AOF, no
// cluster) and a pipelined loop of EVALSHA calls spread over 16 shards, as a node sends them.
// Redis's CPU per call and per vote is read from INFO CPU before and after.
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { shardKeys } from '../src/log/keys.ts';
import { scriptLua } from '../src/log/scripts.ts';
import { freePort, machine, table } from './harness.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    sizes: { type: 'string', default: '1,2,4,20' },
  },
});
const calls = Number(values.calls);
const sizes = values.sizes.split(',').map(Number);

const port = await freePort();
const server = execa(
  'redis-server',
  ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', tmpdir()],
  { stdout: 'ignore', reject: false },
);
const redis = new Redis({ port, retryStrategy: (n) => (n > 50 ? null : 100) });
try {
  await redis.ping();
  // As the nodes load it: with its includes (the chain hash).
  const sha = (await redis.script('LOAD', scriptLua('appendVotes'))) as string;
  const cpu = async () => {
    const info = await redis.info('cpu');
    return (
      Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) +
      Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1])
    );
  };
  const payload = JSON.stringify({
    type: 'VoteCast',
    v: 1,
    voteId: '0192f0c2-8d3a-7b1c-9e4f-123456789abc',
    pollId: 'bench',
    voterId: 'voter-123456',
    choices: ['b'],
    at: 1764240000000,
  });
  let vote = 0;
  const rows: (string | number)[][] = [];
  for (const size of sizes) {
    const start = await cpu();
    for (let sent = 0; sent < calls; sent += 50) {
      const pipeline = redis.pipeline();
      for (let k = 0; k < 50; k++) {
        const keys = shardKeys('bench', (sent + k) % 16);
        // numkeys 6: the shard's five keys and one poll's voters (streams/lua/append-votes.lua).
        const args: (string | number)[] = [
          keys.head,
          keys.ids,
          keys.closed,
          keys.log,
          keys.claims,
          keys.voters('bench'),
          1,
          'bench',
          'reject',
        ];
        for (let v = 0; v < size; v++, vote++) {
          // "1": this shard is the voteId's claim shard, as for a server-generated voteId.
          args.push(`vote-${vote}`, `voter-${vote}`, 1, 'f'.repeat(40), payload, '1');
        }
        pipeline.evalsha(sha, 6, ...args);
      }
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([error]) => error);
      if (failed) throw failed[0];
    }
    const used = (await cpu()) - start;
    rows.push([
      size,
      ((used * 1e6) / calls).toFixed(1),
      ((used * 1e6) / (calls * size)).toFixed(1),
    ]);
  }
  console.log(`\n${machine()}; ${calls} calls per size, standalone redis-server on ${port}\n`);
  console.log(table(['votes per call', 'Redis CPU µs per call', 'Redis CPU µs per vote'], rows));
} finally {
  redis.disconnect();
  server.kill('SIGTERM');
  await server;
}
