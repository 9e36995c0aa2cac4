import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeCluster, isReady, parseClusterNodes } from '../../ops/cluster-nodes.ts';

const nodes = suite('CLUSTER NODES: masters, replicas and slots');

// The shape of a real reply (redis 7.0, 2 masters, 1 replica, a failed master, a migrating slot).
const TEXT = [
  'aaa 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-8000 [8001->-bbb]',
  'bbb 127.0.0.1:7002@17002 master - 0 1700000000000 2 connected 8001-16383',
  'ccc 127.0.0.1:7003@17003 slave aaa 0 1700000000000 1 connected',
  'ddd 127.0.0.1:7004@17004 master,fail - 0 1700000000000 3 disconnected',
].join('\n');

nodes('each line gives id, address without the bus port, flags, master and slots', () => {
  const parsed = parseClusterNodes(`${TEXT}\n`);
  assert.equal(parsed[0], {
    id: 'aaa',
    address: '127.0.0.1:7001',
    flags: ['myself', 'master'],
    master: '-',
    ranges: ['0-8000'],
    count: 8001,
  });
  assert.is(parsed[1]!.count, 8383);
  assert.is(parsed[2]!.master, 'aaa');
  assert.is(parsed[3]!.count, 0);
});

nodes('the status sorts by port, counts replicas and marks failures', () => {
  const info = 'cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n';
  const status = describeCluster(info, parseClusterNodes(TEXT), ['up']);
  assert.equal(
    status.masters.map((m) => [m.port, m.slots, m.replicas, m.failed]),
    [
      [7001, 8001, 1, false],
      [7002, 8383, 0, false],
      [7004, 0, 0, true],
    ],
  );
  assert.equal(status.replicas[0], {
    id: 'ccc',
    address: '127.0.0.1:7003',
    port: 7003,
    masterId: 'aaa',
    masterAddress: '127.0.0.1:7001',
    link: 'up',
    failed: false,
  });
  assert.is(status.slotsOk, 16384);
  assert.ok(isReady(status, { masters: 2, replicas: 1 }));
  assert.not.ok(isReady(status, { masters: 2, replicas: 2 }), 'a missing replica');
  const down = describeCluster(info, parseClusterNodes(TEXT), ['connecting']);
  assert.not.ok(isReady(down, { masters: 2, replicas: 1 }), 'a replica still syncing');
});

nodes.run();
