// The deployment's shard count, recorded once in the log: a voter's shard is a hash of poll and
// voter modulo the count (src/domain/shard-of.ts), so a node started with another VS_SHARDS
// would append a voter's votes to another shard than the other nodes do — the voter could vote
// once per count, and be counted twice — and a tool given another count would read only part
// of the log, or shards that are not there.
import { ConfigError } from '../config/config-error.ts';
import type { Logger } from '../logger.ts';
import { controlKeys, shardKeys } from './keys.ts';
import { type Client, isReady } from './redis-client.ts';

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

/**
 * The check of a node that started while Redis did not answer: it tries on every 'ready' of
 * the client and every `everyMs` until it has checked, then calls `onChecked` once, or
 * `onMismatch` once with the ConfigError if the log has another count. Other failures (Redis
 * slow, gone again) are logged and tried again.
 */
export class ShardCountWatch {
  /** True once the count was checked and equals the log's. */
  checked = false;
  mismatch: ConfigError | undefined;
  #checking = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly client: Client,
    readonly prefix: string,
    readonly shards: number,
    readonly log: Logger,
  ) {}

  /**
   * The check at start: done now when Redis answers (`checked`), else logged as
   * `shard_count_unchecked` for `start` to do once it does.
   * @throws ConfigError when Redis answers and the log has another count.
   */
  async checkAtStart(): Promise<void> {
    if (isReady(this.client)) {
      await checkShardCount(this.client, this.prefix, this.shards, { record: true });
      this.checked = true;
      return;
    }
    this.log.warn(
      { event: 'shard_count_unchecked', shards: this.shards },
      'Redis did not answer at start: the node checks the shard count against the log once it does, and serves nothing before',
    );
  }

  start(onChecked: () => void, onMismatch: (error: ConfigError) => void, everyMs = 1000): void {
    const attempt = () => void this.#attempt(onChecked, onMismatch);
    this.client.on('ready', attempt);
    this.#timer = setInterval(attempt, everyMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  async #attempt(onChecked: () => void, onMismatch: (error: ConfigError) => void): Promise<void> {
    if (this.checked || this.mismatch || this.#checking || this.#stopped) return;
    if (!isReady(this.client)) return;
    this.#checking = true;
    try {
      await checkShardCount(this.client, this.prefix, this.shards, { record: true });
      // A node stopped while its check was on its way starts nothing.
      if (this.#stopped) return;
      this.checked = true;
      this.stop();
      this.log.info(
        { event: 'shard_count_checked', shards: this.shards },
        'shard count checked against the log: folding and serving',
      );
      onChecked();
    } catch (error) {
      if (this.#stopped) return;
      if (!(error instanceof ConfigError)) {
        this.log.warn(
          { err: (error as Error).message },
          'could not check the shard count yet; retrying',
        );
        return;
      }
      this.mismatch = error;
      this.stop();
      this.log.error({ event: 'shard_count_mismatch', shards: this.shards }, error.message);
      onMismatch(error);
    } finally {
      this.#checking = false;
    }
  }
}
