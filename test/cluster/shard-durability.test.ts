import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  judgeShard,
  judgeWait,
  mergePoll,
  onlineReplicas,
} from '../../src/cluster/shard-durability.ts';

const judging = suite('whether a shard can be made durable now, and why not');

const MASTER_WITH = (states: string[]) =>
  [
    '# Replication',
    'role:master',
    `connected_slaves:${states.length}`,
    ...states.map(
      (state, i) => `slave${i}:ip=127.0.0.1,port=${7003 + i},state=${state},offset=1234,lag=0`,
    ),
    'master_failover_state:no-failover',
    'master_repl_offset:1234',
    '',
  ].join('\r\n');

judging('only online replicas count: one still syncing cannot confirm a WAIT', () => {
  assert.is(onlineReplicas(MASTER_WITH([])), 0);
  assert.is(onlineReplicas(MASTER_WITH(['online'])), 1);
  assert.is(onlineReplicas(MASTER_WITH(['wait_bgsave', 'online'])), 1);
  assert.is(onlineReplicas(MASTER_WITH(['online', 'online'])), 2);
  assert.is(onlineReplicas(MASTER_WITH(['send_bulk'])), 0);
});

judging('a master with an online replica is durable; one without is not', () => {
  assert.equal(judgeShard({ info: MASTER_WITH(['online']) }, true, 5), {
    durable: true,
    reason: null,
    replicas: 1,
    at: 5,
  });
  assert.equal(judgeShard({ info: MASTER_WITH([]) }, true, 5), {
    durable: false,
    reason: 'no replica in sync',
    replicas: 0,
    at: 5,
  });
});

judging('a slot nobody serves and a master that does not answer are told apart', () => {
  const down = judgeShard({ error: new Error('CLUSTERDOWN Hash slot not served') }, true, 1);
  assert.equal([down.durable, down.reason], [false, 'slot not served']);
  const gone = judgeShard({ error: new Error('connect ECONNREFUSED 127.0.0.1:7001') }, true, 1);
  assert.equal([gone.durable, gone.reason], [false, 'master unreachable']);
  // Under local durability an unreachable master still cannot take a vote.
  const local = judgeShard({ error: new Error('Redis did not answer in time') }, false, 1);
  assert.equal([local.durable, local.reason], [false, 'master unreachable']);
});

judging('local durability does not wait for a replica, and says so', () => {
  assert.equal(judgeShard({ info: MASTER_WITH([]) }, false, 2), {
    durable: true,
    reason: 'local durability',
    replicas: 0,
    at: 2,
  });
});

judging("a WAIT's count overrides the last poll either way", () => {
  const polled = judgeShard({ info: MASTER_WITH(['online']) }, true, 1);
  const refused = judgeWait(polled, 0, 2);
  assert.equal(refused, {
    durable: false,
    reason: 'no replica acknowledged in time',
    replicas: 1,
    at: 2,
  });
  assert.equal(judgeWait(refused, 1, 3), { durable: true, reason: null, replicas: 1, at: 3 });
});

judging('a WAIT of 0 on a master seen without a replica keeps that reason, fresher', () => {
  const orphaned = judgeShard({ info: MASTER_WITH([]) }, true, 1);
  assert.equal(judgeWait(orphaned, 0, 4), { ...orphaned, at: 4 });
});

judging('a poll answer gives way to a WAIT that came back meanwhile, unless it explains it', () => {
  const asked = 10;
  const waited = judgeWait(judgeShard({ info: MASTER_WITH(['online']) }, true, 1), 0, 12);
  const noReplica = judgeShard({ info: MASTER_WITH([]) }, true, 13);
  const online = judgeShard({ info: MASTER_WITH(['online']) }, true, 13);
  assert.equal(mergePoll(waited, noReplica, asked), noReplica);
  assert.equal(mergePoll(waited, online, asked), waited);
  // Nothing came back since it was asked: the poll's answer stands.
  const polledBefore = judgeShard({ info: MASTER_WITH(['online']) }, true, 5);
  assert.equal(mergePoll(polledBefore, noReplica, asked), noReplica);
});

judging.run();
