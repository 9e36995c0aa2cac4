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
