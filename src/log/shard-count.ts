// The deployment's shard count, recorded once in the log: a voter's shard is a hash of poll and
// voter modulo the count (src/domain/shard-of.ts), so a node started with another VS_SHARDS
// would append a voter's votes to another shard than the other nodes do — the voter could vote
// once per count, and be counted twice — and a tool given another count would read only part
// of the log, or shards that are not there.
import { ConfigError } from '../config/config-error.ts';
import { controlKeys, shardKeys } from './keys.ts';
import type { Client } from './redis-client.ts';

/**
 * Checks `shards` against the count recorded under `prefix`; with `record` (a node), records
 * it when none is (SET NX: the first node of a deployment, or the first of this version on an
 * older log). A log without a record that has a stream at shard index `shards` was written
 * with more shards: refused as well.
 * @throws ConfigError (one line, exit 2 from the CLI) when the count differs.
 */
export async function checkShardCount(
  client: Client,
  prefix: string,
  shards: number,
  { record }: { record: boolean },
): Promise<void> {
  const key = controlKeys(prefix).shards;
  let recorded = await client.get(key);
  if (recorded === null) {
    if ((await client.exists(shardKeys(prefix, shards).log)) > 0)
      throw mismatch(prefix, shards, `more than ${shards} (shard ${shards}'s stream exists)`);
    if (!record) return;
    await client.set(key, String(shards), 'NX');
    recorded = await client.get(key);
  }
  if (recorded !== String(shards)) throw mismatch(prefix, shards, String(recorded));
}

function mismatch(prefix: string, shards: number, recorded: string): ConfigError {
  return new ConfigError(
    `the log under prefix ${prefix} has ${recorded} shards, and VS_SHARDS (--shards) is ${shards}: a deployment's shard count is fixed; give every node and tool the same`,
  );
}
