import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson } from '../../src/domain/canonical-json.ts';
import type { NodeControlEvent } from '../../src/domain/events.ts';
import type { RawEntry } from '../../src/log/codec.ts';
import {
  appendControlEvent,
  encodeControlEvent,
  HEARTBEATS_MAXLEN,
} from '../../src/log/control-log.ts';
import { controlKeys } from '../../src/log/keys.ts';
import { type Client, connectAddress } from '../../src/log/redis-client.ts';
import { EventSchemaError } from '../../src/log/schemas.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const log = suite('control log: the one writer of heartbeats, election and acks');
let client: Client;
const prefix = `control-log-test-${process.pid}`;
const keys = controlKeys(prefix);

log.before(async () => {
  client = await connectAddress((await sharedCluster()).seeds);
});
log.after(async () => {
  await client.del(keys.heartbeats, keys.election, keys.acks);
  client.disconnect();
});

const EVENTS: [NodeControlEvent, string][] = [
  [
    {
      type: 'Heartbeat',
      v: 1,
      nodeId: 'n1',
      address: 'http://127.0.0.1:1',
      role: 'follower',
      term: 3,
      member: true,
      uptimeMs: 10,
      clock: 1_700_000_000_000,
    },
    keys.heartbeats,
  ],
  [{ type: 'Candidacy', v: 1, nodeId: 'n1', term: 4, at: 5 }, keys.election],
  [{ type: 'MembershipChanged', v: 1, members: ['n1', 'n2'], by: 'n1', at: 6 }, keys.election],
  [
    { type: 'Applied', v: 1, nodeId: 'n1', shards: [{ shard: 0, seq: 2, hash: 'a' }], at: 7 },
    keys.acks,
  ],
];

log('each event goes to its stream as type and canonical data; the id is returned', async () => {
  for (const [event, key] of EVENTS) {
    const id = await appendControlEvent(client, prefix, event);
    const [entry] = (await client.xrevrange(key, '+', '-', 'COUNT', 1)) as RawEntry[];
    assert.equal(entry, [id, ['type', event.type, 'data', canonicalJson(event)]], event.type);
    assert.match(id, /^\d+-\d+$/);
  }
});

log('an event that does not match its schema is refused and nothing is written', async () => {
  const before = await client.xlen(keys.acks);
  const bad = { ...EVENTS[3]![0], nodeId: 'not an id' } as NodeControlEvent;
  assert.throws(
    () => encodeControlEvent(bad),
    (e: Error) => e instanceof EventSchemaError,
  );
  try {
    await appendControlEvent(client, prefix, bad);
    assert.unreachable('appended an invalid event');
  } catch (error) {
    assert.instance(error, EventSchemaError);
  }
  assert.is(await client.xlen(keys.acks), before);
});

log('a stream is trimmed to about its length (MAXLEN ~)', async () => {
  const heartbeat = EVENTS[0]![0];
  await Promise.all(
    Array.from({ length: HEARTBEATS_MAXLEN + 500 }, () =>
      appendControlEvent(client, prefix, heartbeat),
    ),
  );
  const length = await client.xlen(keys.heartbeats);
  // "~" trims whole macro nodes (100 entries by default), never below the length asked.
  assert.ok(length >= HEARTBEATS_MAXLEN && length < HEARTBEATS_MAXLEN + 200, `length ${length}`);
});

log.run();
