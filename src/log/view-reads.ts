// Reads for views of the node (GET /cluster, GET /metrics): they must answer during a Redis
// outage or failover instead of waiting for the reconnect, so a read is skipped while the
// client is disconnected and given up after VIEW_READ_MS otherwise.
import { shardKeys } from './keys.ts';
import { type Client, isReady, withDeadline } from './redis-client.ts';

/** How long a view waits for Redis (a failover can stall reads for seconds). */
const VIEW_READ_MS = 1000;

/** `read`, rejected if Redis has not answered within VIEW_READ_MS. */
export function viewRead<T>(read: Promise<T>): Promise<T> {
  return withDeadline(read, VIEW_READ_MS, () => new Error('Redis did not answer in time'));
}

/**
 * The seq of the shard's chain head as Redis has it: 0 before the first entry, null when Redis
 * could not say (disconnected, failed or slow).
 */
export async function headSeq(
  client: Client,
  prefix: string,
  shard: number,
): Promise<number | null> {
  if (!isReady(client)) return null;
  return viewRead(client.hget(shardKeys(prefix, shard).head, 'seq')).then(
    (seq) => Number(seq ?? 0),
    () => null,
  );
}

/**
 * Each consumer group's lag in the shard's log (XINFO GROUPS), by group name, which is the
 * reading node's id: `[name, lag]` in Redis's order, lag null when Redis cannot tell. Empty
 * when Redis could not say (disconnected, failed or slow).
 */
export async function groupLags(
  client: Client,
  prefix: string,
  shard: number,
): Promise<[string, number | null][]> {
  if (!isReady(client)) return [];
  const groups = await viewRead(
    client.xinfo('GROUPS', shardKeys(prefix, shard).log) as Promise<unknown[][]>,
  ).catch(() => []);
  return groups.map(groupLag);
}

/** [name, lag] from one XINFO GROUPS entry (a flat field/value list). */
function groupLag(info: unknown[]): [string, number | null] {
  const field = (name: string) => info[info.indexOf(name) + 1];
  const lag = field('lag');
  return [String(field('name')), lag === null || lag === undefined ? null : Number(lag)];
}

/**
 * INFO replication of the master serving the shard's slot, asked the way an append would go
 * (streams/lua/replication-info-1.lua); rejects as an append would fail (CLUSTERDOWN, a lost
 * connection) or when Redis is slow. `deadlineMs` is longer than a view read's: ioredis
 * retries a CLUSTERDOWN for about 1.6 s before it reports it.
 */
export function replicationInfo(
  client: Client,
  prefix: string,
  shard: number,
  deadlineMs = 2500,
): Promise<string> {
  if (!isReady(client)) return Promise.reject(new Error('Redis is not connected'));
  return withDeadline(
    client.replicationInfo(shardKeys(prefix, shard).head),
    deadlineMs,
    () => new Error('Redis did not answer in time'),
  );
}
