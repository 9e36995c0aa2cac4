import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ShardOutages, unavailableSeconds } from '../../src/tools/shard-outages.ts';

const outages = suite('per shard, how long its votes could not be acknowledged');

outages('ordinary latency is no outage: a vote answered within a second', () => {
  const o = new ShardOutages(2, 0);
  for (let t = 0; t < 10_000; t += 50) {
    o.sent(t % 100 === 0 ? 0 : 1, t);
    o.acknowledged(t % 100 === 0 ? 0 : 1, t + 300);
  }
  assert.equal(o.outages(10_000), []);
});

outages('a shard refusing from 4 s to 9 s: one outage from its first unanswered vote', () => {
  const o = new ShardOutages(2, 0);
  for (let t = 0; t < 20_000; t += 100) {
    o.sent(0, t);
    o.sent(1, t);
    o.acknowledged(1, t + 5);
    // Shard 0's votes sent from 4 s on are refused and retried until 9 s, when one gets in.
    if (t < 4000) o.acknowledged(0, t + 5);
    else if (t < 9000) o.refused(0);
    if (t === 9000) o.acknowledged(0, t + 5);
    if (t > 9000) o.acknowledged(0, t + 5);
  }
  assert.equal(o.outages(20_000), [{ shard: 0, fromS: 4, toS: 9 }]);
  assert.equal(unavailableSeconds(o.outages(20_000), 2), [5, 0]);
});

outages('a vote hanging on one node while others answer for its shard is no outage', () => {
  const o = new ShardOutages(1, 0);
  o.sent(0, 1000); // hangs for 5 s on a paused node
  for (let t = 1010; t < 8000; t += 50) {
    o.sent(0, t);
    o.acknowledged(0, t + 10);
  }
  o.acknowledged(0, 6000);
  assert.equal(o.outages(8000), []);
});

outages('an outage still open when the load stops counts up to that moment', () => {
  const o = new ShardOutages(3, 1000);
  o.sent(2, 1000);
  o.acknowledged(2, 1010);
  o.sent(2, 6000);
  o.refused(2);
  o.sent(2, 7000);
  assert.equal(o.outages(21_000), [{ shard: 2, fromS: 5, toS: 20 }]);
  // An acknowledgement during the drain after the load closes it, still clipped at the end.
  o.acknowledged(2, 25_000);
  assert.equal(o.outages(21_000), [{ shard: 2, fromS: 5, toS: 20 }]);
  assert.equal(unavailableSeconds(o.outages(21_000), 3), [0, 0, 15]);
});

outages('no demand, no outage: a shard nobody voted in is not unavailable', () => {
  const o = new ShardOutages(2, 0);
  o.sent(0, 0);
  o.acknowledged(0, 10);
  assert.equal(o.outages(60_000), []);
});

outages(
  'a wait without any refusal is no outage: the generator sent nothing else of the shard',
  () => {
    const o = new ShardOutages(1, 0);
    o.sent(0, 1000);
    // Its one vote hangs 5 s on a paused node and then gets in; nothing was refused.
    o.acknowledged(0, 6000);
    assert.equal(o.outages(10_000), []);
    // The same with a refusal in between is an outage.
    o.sent(0, 7000);
    o.refused(0);
    o.acknowledged(0, 9000);
    assert.equal(o.outages(10_000), [{ shard: 0, fromS: 7, toS: 9 }]);
  },
);

outages.run();
